// Resource tags as a plain record, whatever shape the service answers with.
import { mapWithConcurrency } from '../../concurrency.ts';

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
