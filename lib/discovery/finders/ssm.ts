// SSM Parameter Store: only parameters carrying the certvigil tag, enrolled by ARN (the region
// and account are then part of the target). Parameter values are never read here.
import { DescribeParametersCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { DiscoveredResource, Finder } from '../discovery-types.ts';
import { tagRecord, withTags } from './tags.ts';

export const ssmFinder: Finder = {
  service: 'ssm',
  async find(context) {
    const ssm = context.client(SSMClient);
    const found: { name: string; arn: string }[] = [];
    let token: string | undefined;
    do {
      const page = await context.call('SSM DescribeParameters', () =>
        ssm.send(
          new DescribeParametersCommand({
            ParameterFilters: [{ Key: `tag:${context.sourceTag}` }],
            MaxResults: 50,
            NextToken: token,
          }),
        ),
      );
      for (const p of page.Parameters ?? []) {
        if (!p.Name) continue;
        const arn =
          p.ARN ??
          `arn:${context.partition}:ssm:${context.region}:${context.account}:parameter/${p.Name.replace(/^\//, '')}`;
        found.push({ name: p.Name, arn });
      }
      token = page.NextToken;
    } while (token);
    const tagged = await withTags(found, async ({ name, arn }) =>
      !context.isNew(`ssm:${arn}`)
        ? {}
        : tagRecord(
            (
              await context.call('SSM ListTagsForResource', () =>
                ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name })),
              )
            ).TagList,
          ),
    );
    return tagged.map(
      ({ item, tags }): DiscoveredResource => ({ target: `ssm:${item.arn}`, service: 'ssm', resource: item.arn, tags }),
    );
  },
};
