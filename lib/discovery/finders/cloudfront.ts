// CloudFront (global): every alias of every enabled distribution, on 443.
import { CloudFrontClient, ListDistributionsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudfront';
import type { DiscoveredResource, Finder, Grant } from '../../sources/aws/kind-module.ts';
import { tagRecord, withTags } from '../../sources/aws/tags.ts';
import { httpsTarget } from './endpoint-name.ts';

export const finder: Finder = {
  service: 'cloudfront',
  global: true,
  async find(context) {
    const cloudfront = context.client(CloudFrontClient);
    const distributions: { arn: string; aliases: string[] }[] = [];
    let marker: string | undefined;
    do {
      const page = await context.call('CloudFront ListDistributions', () =>
        cloudfront.send(new ListDistributionsCommand({ Marker: marker, MaxItems: 100 })),
      );
      const list = page.DistributionList;
      for (const d of list?.Items ?? []) {
        if (!d.ARN) continue;
        if (d.Enabled === false) {
          context.skip('disabled CloudFront distribution');
          continue;
        }
        const aliases = d.Aliases?.Items ?? [];
        if (aliases.length) distributions.push({ arn: d.ARN, aliases });
      }
      marker = list?.IsTruncated ? list.NextMarker : undefined;
    } while (marker);
    const isNew = (aliases: string[]) =>
      aliases.some((alias) => !httpsTarget(alias) || context.isNew(httpsTarget(alias) as string));
    const tagged = await withTags(distributions, async ({ arn, aliases }) =>
      !isNew(aliases)
        ? {}
        : tagRecord(
            (
              await context.call('CloudFront ListTagsForResource', () =>
                cloudfront.send(new ListTagsForResourceCommand({ Resource: arn })),
              )
            ).Tags?.Items,
          ),
    );
    const found: DiscoveredResource[] = [];
    for (const { item, tags } of tagged) {
      for (const alias of item.aliases) {
        const target = httpsTarget(alias);
        if (target) found.push({ target, service: 'cloudfront', resource: item.arn, tags });
        else context.skip('wildcard or invalid alias');
      }
    }
    return found;
  },
};

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['cloudfront:ListDistributions'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
  {
    sid: 'ReadDistributionTags',
    actions: ['cloudfront:ListTagsForResource'],
    resources: ['arn:{partition}:cloudfront::{account}:distribution/*'],
    why: 'Tags of any distribution of this account (owner); read-only.',
  },
];
