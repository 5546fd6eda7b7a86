// AWS Private CA certificate authorities. Those with a certificate (active, disabled, expired) are
// watched: a disabled CA issues nothing new, but what it issued still chains to it. Those without
// one yet, or being deleted, are passed over.
import { ListCertificateAuthoritiesCommand, ListTagsCommand, PrivateCaClient } from '../../sources/acm-pca-client.ts';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { eachPage } from './pages.ts';
import { tagRecord, withTags } from './tags.ts';

const WITH_CERTIFICATE = new Set(['ACTIVE', 'DISABLED', 'EXPIRED']);

export const privateCaFinder: Finder = {
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
