// `iam-saml:ARN`: an IAM SAML identity provider (federated sign-in to the AWS console and APIs).
// IAM keeps the IdP's metadata document; when its signing certificate expires or rolls over
// without the document being updated, sign-in breaks and AWS says nothing beforehand.
//
// Discovery: IAM SAML identity providers (global): each becomes `iam-saml:ARN`, read with GetSAMLProvider.

import { Readable } from 'node:stream';
import {
  GetSAMLProviderCommand,
  IAMClient,
  ListSAMLProvidersCommand,
  ListSAMLProviderTagsCommand,
} from '@aws-sdk/client-iam';
import { ProbeError } from '../../net/probe-error.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import { judgedResult, judgeFor, readOrFail } from '../document-result.ts';
import { MAX_SAML_BYTES, parseSamlMetadata, samlPurpose } from '../documents/saml.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';
import { accountClient, accountOf, awsError } from './clients.ts';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { tagRecord, withTags } from './tags.ts';

export function read(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const arn = request.source as string;
    const answer = await accountClient(IAMClient, context.awsRoles, accountOf(arn), undefined)
      .send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }))
      .catch((error: unknown) => {
        throw awsError(error, 'IAM GetSAMLProvider');
      });
    const document = answer.SAMLMetadataDocument ?? '';
    if (Buffer.byteLength(document) > MAX_SAML_BYTES) {
      throw new ProbeError('parse', `the provider's metadata is larger than ${MAX_SAML_BYTES} bytes`);
    }
    // The same reading and rollover awareness as a saml: target (successors per entity, role, use).
    const judge = judgeFor(request, context, samlPurpose);
    await parseSamlMetadata(Readable.from([Buffer.from(document)]), (item) => judge.add(item));
    const result = judgedResult(request, context, judge, "the provider's metadata");
    const validUntil = answer.ValidUntil instanceof Date ? answer.ValidUntil.toISOString() : null;
    return { ...result, samlProvider: { validUntil } };
  });
}

export const finder: Finder = {
  service: 'iam-saml',
  global: true,
  async find(context) {
    const iam = context.client(IAMClient);
    // ListSAMLProviders answers every provider at once (IAM allows at most 100 per account).
    const listed = await context.call('IAM ListSAMLProviders', () => iam.send(new ListSAMLProvidersCommand({})));
    const arns = (listed.SAMLProviderList ?? []).map((p) => p.Arn).filter((a): a is string => typeof a === 'string');
    const tagged = await withTags(arns, async (arn) =>
      !context.isNew(`iam-saml:${arn}`)
        ? {}
        : tagRecord(
            (
              await context.call('IAM ListSAMLProviderTags', () =>
                iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: arn })),
              )
            ).Tags,
          ),
    );
    return tagged.map(
      ({ item, tags }): DiscoveredResource => ({
        target: `iam-saml:${item}`,
        service: 'iam-saml',
        resource: item,
        tags,
      }),
    );
  },
};

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadIamSamlProviders',
    actions: ['iam:GetSAMLProvider'],
    resources: ['arn:{partition}:iam::{account}:saml-provider/*'],
    why: "Any IAM SAML provider of this account (its metadata: the IdP's public certificates); read-only.",
  },
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['iam:ListSAMLProviders'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
  {
    sid: 'ReadSamlProviderTags',
    actions: ['iam:ListSAMLProviderTags'],
    resources: ['arn:{partition}:iam::{account}:saml-provider/*'],
    why: 'Any IAM SAML provider of this account: its metadata (public certificates) and tags (owner); read-only.',
  },
];
