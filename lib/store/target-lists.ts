// Pages of targets from the lists index (table-schema.ts): one or more list-status partitions
// merged in expiry order, filtered on the projected attributes, each read bounded, and the items
// of a page fetched whole by key. What a person reads never scans the table.
import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Severity } from '../policy/events.ts';
import { expandItem } from './compact-result.ts';
import { projectionOf } from './document-client.ts';
import type { ListStatus } from './list-keys.ts';
import type { StoredTarget } from './stored-target.ts';
import { TARGETS_TABLE } from './table-schema.ts';

/** Filters on the index's projected attributes; all given must hold. */
export interface ListFilter {
  /** The owner; `null`: targets without one. */
  owner?: string | null | undefined;
  kind?: string | undefined;
  tag?: string | undefined;
  /** A piece of the target's id (a host, a URL's part), case as stored. */
  search?: string | undefined;
  /** Only targets with a condition open, or with this worst open severity. */
  open?: boolean | Severity | undefined;
}

/** One entry of the index: enough to order, filter and fetch. */
export interface ListEntry {
  id: string;
  listStatus: ListStatus;
  listExpiry: string;
}

export interface ListPage {
  entries: ListEntry[];
  /** The sort key the next page starts after; undefined when the partitions are read to the end. */
  after: string | undefined;
  /** Index entries read (matching or not): what the page cost. */
  read: number;
}

/** Index entries one request reads at most, across partitions and rounds, when filters skip entries. */
export const READ_BUDGET = 8_000;

/** DynamoDB's BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;

export class TargetLists {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  /**
   * Up to `limit` entries of the partitions given, merged soonest expiry first, after the sort key
   * `after`. Each partition is read in pages; entries up to the lowest point every partition has
   * reached are complete, so the merge is exact and the next page resumes after the last entry
   * returned. With filters a page may hold fewer than `limit` entries (the read budget spent):
   * `after` then says where to go on.
   */
  async page(options: {
    partitions: readonly ListStatus[];
    limit: number;
    after?: string | undefined;
    filter?: ListFilter | undefined;
    budget?: number | undefined;
  }): Promise<ListPage> {
    const filtered = hasFilter(options.filter);
    const budget = options.budget ?? READ_BUDGET;
    const wanted = filtered ? Math.min(1000, Math.max(options.limit * 4, 200)) : options.limit;
    const open = new Set(options.partitions);
    const starts = new Map<ListStatus, string | undefined>(options.partitions.map((p) => [p, options.after]));
    const entries: ListEntry[] = [];
    const seen = new Set<string>();
    let read = 0;
    // A filter that matches rarely (a search) reads larger pieces each round: fewer round trips.
    let size = wanted;
    for (;;) {
      // A filtered read takes at most its share of what is left of the budget per partition.
      const perQuery = filtered ? Math.max(1, Math.min(size, Math.floor((budget - read) / open.size))) : wanted;
      size = Math.min(1000, size * 2);
      const answers = await Promise.all(
        [...open].map(async (partition) => ({
          partition,
          ...(await this.query(partition, starts.get(partition), perQuery, options.filter)),
        })),
      );
      let frontier: string | undefined;
      const candidates: ListEntry[] = [];
      for (const answer of answers) {
        read += answer.read;
        candidates.push(...answer.entries);
        if (answer.last === undefined) open.delete(answer.partition);
        else {
          starts.set(answer.partition, answer.last);
          if (frontier === undefined || answer.last < frontier) frontier = answer.last;
        }
      }
      candidates.sort((a, b) => (a.listExpiry < b.listExpiry ? -1 : a.listExpiry > b.listExpiry ? 1 : 0));
      for (const entry of candidates) {
        if (frontier !== undefined && entry.listExpiry > frontier) break;
        // An item moving between partitions can be seen in both while the index catches up.
        if (seen.has(entry.id)) continue;
        seen.add(entry.id);
        entries.push(entry);
        if (entries.length === options.limit) return { entries, after: entry.listExpiry, read };
      }
      if (frontier === undefined) return { entries, after: undefined, read };
      // Every partition past the frontier was read beyond it: resume there.
      for (const partition of open) starts.set(partition, frontier);
      if (budget - read < open.size) return { entries, after: frontier, read };
    }
  }

  /** One page of one partition after `after`: matching entries and where the read stopped. */
  private async query(
    partition: ListStatus,
    after: string | undefined,
    limit: number,
    filter: ListFilter | undefined,
  ): Promise<{ entries: ListEntry[]; last: string | undefined; read: number }> {
    const index = TARGETS_TABLE.listIndex;
    const names: Record<string, string> = { '#p': index.partitionKey.name, '#s': index.sortKey.name, '#id': 'id' };
    const values: Record<string, unknown> = { ':p': partition };
    let condition = '#p = :p';
    if (after !== undefined) {
      condition += ' AND #s > :after';
      values[':after'] = after;
    }
    const filters = filterExpression(filter, names, values);
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: condition,
        ...(filters ? { FilterExpression: filters } : {}),
        ProjectionExpression: '#id, #p, #s',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        Limit: limit,
      }),
    );
    const last = result.LastEvaluatedKey?.[index.sortKey.name];
    return {
      entries: (result.Items ?? []) as ListEntry[],
      last: typeof last === 'string' ? last : undefined,
      read: result.ScannedCount ?? 0,
    };
  }

  /**
   * The items with these ids, in the order given, with only `fields` read (nested paths allowed)
   * and their state in full; ids no longer stored are left out. Eventually consistent, as the index is.
   */
  async items(ids: readonly string[], fields: readonly string[]): Promise<StoredTarget[]> {
    const names: Record<string, string> = {};
    const projection = projectionOf(fields, names);
    const found = new Map<string, StoredTarget>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + BATCH_GET_KEYS).map((id) => ({ id }));
      for (let attempt = 0; keys?.length; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const result = await this.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: { Keys: keys, ProjectionExpression: projection, ExpressionAttributeNames: names },
            },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? [])
          found.set(item.id as string, expandItem(item as StoredTarget));
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
        if (attempt >= 8 && keys?.length) throw new Error('DynamoDB left keys unprocessed after 8 attempts');
      }
    }
    return ids.flatMap((id) => {
      const item = found.get(id);
      return item ? [item] : [];
    });
  }
}

function hasFilter(filter: ListFilter | undefined): boolean {
  return (
    filter !== undefined &&
    (filter.owner !== undefined ||
      filter.kind !== undefined ||
      filter.tag !== undefined ||
      filter.search !== undefined ||
      (filter.open !== undefined && filter.open !== false))
  );
}

function filterExpression(
  filter: ListFilter | undefined,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string | undefined {
  if (!filter) return undefined;
  const parts: string[] = [];
  if (filter.owner === null) {
    names['#owner'] = 'owner';
    parts.push('attribute_not_exists(#owner)');
  } else if (filter.owner !== undefined) {
    names['#owner'] = 'owner';
    values[':owner'] = filter.owner;
    parts.push('#owner = :owner');
  }
  if (filter.kind !== undefined) {
    names['#kind'] = 'kind';
    values[':kind'] = filter.kind;
    parts.push('#kind = :kind');
  }
  if (filter.tag !== undefined) {
    names['#tags'] = 'tags';
    values[':tag'] = filter.tag;
    parts.push('contains(#tags, :tag)');
  }
  if (filter.search !== undefined) {
    values[':search'] = filter.search;
    parts.push('contains(#id, :search)');
  }
  if (filter.open === true) {
    names['#open'] = 'openSeverity';
    parts.push('attribute_exists(#open)');
  } else if (typeof filter.open === 'string') {
    names['#open'] = 'openSeverity';
    values[':open'] = filter.open;
    parts.push('#open = :open');
  }
  return parts.length ? parts.join(' AND ') : undefined;
}
