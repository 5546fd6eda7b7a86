// IAM server certificates (global): `iam:NAME` in this account, the ARN in another.
import { IAMClient, ListServerCertificatesCommand, ListServerCertificateTagsCommand } from '@aws-sdk/client-iam';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { tagRecord, withTags } from './tags.ts';

export const iamFinder: Finder = {
  service: 'iam',
  global: true,
  async find(context) {
    const iam = context.client(IAMClient);
    const found: { name: string; arn: string }[] = [];
    let marker: string | undefined;
    do {
      const page = await context.call('IAM ListServerCertificates', () =>
        iam.send(new ListServerCertificatesCommand({ Marker: marker, MaxItems: 1000 })),
      );
      for (const m of page.ServerCertificateMetadataList ?? []) {
        if (m.ServerCertificateName && m.Arn) found.push({ name: m.ServerCertificateName, arn: m.Arn });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const targetOf = (item: { name: string; arn: string }) => `iam:${context.home ? item.name : item.arn}`;
    const tagged = await withTags(found, async (item) =>
      !context.isNew(targetOf(item))
        ? {}
        : tagRecord(
            (
              await context.call('IAM ListServerCertificateTags', () =>
                iam.send(new ListServerCertificateTagsCommand({ ServerCertificateName: item.name })),
              )
            ).Tags,
          ),
    );
    return tagged.map(
      ({ item, tags }): DiscoveredResource => ({
        target: targetOf(item),
        service: 'iam',
        resource: item.arn,
        tags,
      }),
    );
  },
};
