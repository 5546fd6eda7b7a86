// `acm-pca:arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID`: an AWS Private CA's own
// certificate and the chain above it. When a private CA's certificate ends, every certificate it
// issued stops validating at once (service meshes, internal mTLS, devices), and nothing in AWS
// warns beforehand; a subordinate CA also falls with the root above it, so the chain counts too.
//
// Discovery: AWS Private CA certificate authorities. Those with a certificate (active, disabled, expired) are
// watched: a disabled CA issues nothing new, but what it issued still chains to it. Those without
// one yet, or being deleted, are passed over.

import type { CheckResult } from '../../policy/check-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import {
  GetCertificateAuthorityCertificateCommand,
  ListCertificateAuthoritiesCommand,
  ListTagsCommand,
  PrivateCaClient,
} from './acm-pca-client.ts';
import { regionOf } from './clients.ts';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { eachPage } from './pages.ts';
import { readAwsPem } from './pem-source.ts';
import { tagRecord, withTags } from './tags.ts';

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readAwsPem(
    request,
    context,
    'Private CA GetCertificateAuthorityCertificate',
    'the private CA',
    async (arn, client) => {
      const answer = await client(PrivateCaClient, regionOf(arn)).send(
        new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: arn }),
      );
      return [answer.Certificate, answer.CertificateChain].filter(Boolean).join('\n');
    },
  );
}

const WITH_CERTIFICATE = new Set(['ACTIVE', 'DISABLED', 'EXPIRED']);

export const finder: Finder = {
  service: 'acm-pca',
  async find(context) {
    const pca = context.client(PrivateCaClient);
    const arns: string[] = [];
    await eachPage(
      (token) =>
        context.call('Private CA ListCertificateAuthorities', () =>
          pca.send(new ListCertificateAuthoritiesCommand({ MaxResults: 1000, NextToken: token })),
        ),
      (page) => page.NextToken,
      (page) => {
        for (const ca of page.CertificateAuthorities ?? []) {
          if (!ca.Arn) continue;
          if (WITH_CERTIFICATE.has(ca.Status ?? '')) arns.push(ca.Arn);
          else context.skip(`private CA ${(ca.Status ?? 'without status').toLowerCase().replace(/_/g, ' ')}`);
        }
      },
    );
    const tagged = await withTags(arns, async (arn) =>
      context.isNew(`acm-pca:${arn}`)
        ? tagRecord(
            (
              await context.call('Private CA ListTags', () =>
                pca.send(new ListTagsCommand({ CertificateAuthorityArn: arn, MaxResults: 1000 })),
              )
            ).Tags,
          )
        : {},
    );
    return tagged.map(
      ({ item, tags }): DiscoveredResource => ({ target: `acm-pca:${item}`, service: 'acm-pca', resource: item, tags }),
    );
  },
};

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadPrivateCaCertificates',
    actions: ['acm-pca:GetCertificateAuthorityCertificate'],
    resources: ['arn:{partition}:acm-pca:*:{account}:certificate-authority/*'],
    why: "Any AWS Private CA of this account, any region: the CA's own certificate and chain (public certificates); read-only.",
  },
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['acm-pca:ListCertificateAuthorities'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
  {
    sid: 'ReadPrivateCaTags',
    actions: ['acm-pca:ListTags'],
    resources: ['arn:{partition}:acm-pca:*:{account}:certificate-authority/*'],
    why: 'Tags of any AWS Private CA of this account (owner); read-only.',
  },
];
