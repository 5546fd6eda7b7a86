// `ssm:NAME-or-ARN`: certificates kept as PEM in SSM Parameter Store (read in stored-pem.ts, beside
// `secret`, which shares the decoding).
//
// Discovery: SSM Parameter Store: only parameters carrying the certvigil tag, enrolled by ARN (the region
// and account are then part of the target). Parameter values are never read here.
import { DescribeParametersCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { DiscoveredResource, Finder, Grant } from './kind-module.ts';
import { DECRYPT_THROUGH_STORES } from './stored-pem.ts';
import { tagRecord, withTags } from './tags.ts';

export { readSsm as read } from './stored-pem.ts';

export const finder: Finder = {
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

/** What reading it needs (infra/constructs/aws-read-access.ts builds the policies). */
export const grants: readonly Grant[] = [
  {
    sid: 'ReadTaggedParameters',
    actions: ['ssm:GetParameter'],
    resources: ['arn:{partition}:ssm:*:{account}:parameter/*'],
    conditions: { Null: { 'aws:ResourceTag/{sourceTag}': 'false' } },
    why: 'Only parameters carrying the certvigil tag (condition); read-only.',
  },
  DECRYPT_THROUGH_STORES,
];

/** What listing it needs. */
export const findGrants: readonly Grant[] = [
  {
    sid: 'ListInventory',
    actions: ['ssm:DescribeParameters'],
    resources: ['*'],
    why: 'List and describe actions that support no resource-level permissions; read-only, no values.',
  },
  {
    sid: 'ReadParameterTags',
    actions: ['ssm:ListTagsForResource'],
    resources: ['arn:{partition}:ssm:*:{account}:parameter/*'],
    why: 'Tags of parameters (owner); read-only, values are not read by discovery.',
  },
];
