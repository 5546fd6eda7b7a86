// Resource tags as a plain record, whatever shape the service answers with.
import { DescribeTagsCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mapWithConcurrency } from '../../concurrency.ts';
import type { FinderContext } from './kind-module.ts';

export type TagList = { Key?: string | undefined; Value?: string | undefined }[] | undefined;

export function tagRecord(tags: TagList | Record<string, string | undefined> | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (Array.isArray(tags)) {
    for (const tag of tags) if (tag.Key) record[tag.Key] = tag.Value ?? '';
  } else if (tags) {
    for (const [key, value] of Object.entries(tags)) record[key] = value ?? '';
  }
  return record;
}

/** Tag calls in flight at once per finder: fast, and well inside the services' rate limits. */
const TAG_CONCURRENCY = 8;

/** Each item with its tags, read a few at a time. */
export function withTags<T>(
  items: readonly T[],
  read: (item: T) => Promise<Record<string, string>>,
): Promise<{ item: T; tags: Record<string, string> }[]> {
  return mapWithConcurrency(items, TAG_CONCURRENCY, async (item) => ({ item, tags: await read(item) }));
}

/** DescribeTags takes at most 20 resources per call. */
const TAG_BATCH = 20;

/** The tags of ELB resources (load balancers, trust stores) by ARN, 20 a call. */
export async function elbTags(
  context: FinderContext,
  elb: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  const tags = new Map<string, Record<string, string>>();
  for (let i = 0; i < arns.length; i += TAG_BATCH) {
    const batch = arns.slice(i, i + TAG_BATCH);
    const answer = await context.call('ELB DescribeTags', () =>
      elb.send(new DescribeTagsCommand({ ResourceArns: batch })),
    );
    for (const d of answer.TagDescriptions ?? []) if (d.ResourceArn) tags.set(d.ResourceArn, tagRecord(d.Tags));
  }
  return tags;
}
