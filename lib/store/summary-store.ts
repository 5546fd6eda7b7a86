// The summary table: counts kept on write (targets by status, kind and owner, open conditions by
// severity, expiries per day and status), so that the header and the timeline of any inventory
// are a few small reads. Each target's item keeps what it is counted as (`counted`, its facts);
// every writer of a target changes `counted` only on the condition that it still holds what the
// writer read, then adds the difference to the counters. The recount (summary-recount.ts) sums
// the items' facts and repairs counters that drifted (a lost or repeated addition).
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { MonitorState, Severity } from '../policy/events.ts';
import { openEvents } from '../policy/transitions.ts';
import { isConditionFailure } from './document-client.ts';
import { UNCHECKED } from './list-keys.ts';
import { SUMMARY_TABLE } from './table-schema.ts';

/** The counters' partitions: what is counted. */
export const COUNTERS = ['status', 'kind', 'owner', 'events', 'day'] as const;
export type Counter = (typeof COUNTERS)[number];

/** The owner key of targets without one (owners are trimmed: none starts with a space). */
export const UNOWNED = ' none';

const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** What a target is counted as. */
export interface CountedFacts {
  /** The check's status, or `unchecked`. */
  status: string;
  kind: string;
  /** The owner, or UNOWNED. */
  owner: string;
  /** The UTC day (YYYY-MM-DD) of the earlier of leaf and chain expiry; null without one. */
  day: string | null;
  /** Open conditions by severity. */
  events: Record<Severity, number>;
}

/** A target's facts from its settings and state. */
export function factsOf(target: {
  id: string;
  kind?: string | undefined;
  owner?: string | undefined;
  state?: MonitorState | undefined;
}): CountedFacts {
  const result = target.state?.result;
  const dates = [result?.notAfter, result?.chainNotAfter]
    .map((d) => (d ? Date.parse(d) : Number.NaN))
    .filter(Number.isFinite);
  const events: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const open of openEvents(target.id, target.state)) events[open.severity] += 1;
  const earliest = dates.length ? Math.min(...dates) : undefined;
  return {
    status: result?.status ?? UNCHECKED,
    kind: target.kind ?? 'tls',
    owner: target.owner || UNOWNED,
    day:
      earliest !== undefined && earliest > -8.64e15 && earliest < 8.64e15
        ? new Date(earliest).toISOString().slice(0, 10)
        : null,
    events,
  };
}

/** The facts as the item keeps them: one short string (the owner last: it may hold any character). */
export function encodeFacts(facts: CountedFacts): string {
  const events = SEVERITIES.map((s) => facts.events[s]).join(',');
  return [facts.status, facts.kind, facts.day ?? '', events, facts.owner].join('|');
}

export function decodeFacts(text: string | undefined): CountedFacts | undefined {
  if (!text) return undefined;
  const [status, kind, day, events, ...owner] = text.split('|');
  if (!status || !kind || events === undefined) return undefined;
  const [critical = 0, warning = 0, info = 0] = events.split(',').map(Number);
  return { status, kind, day: day || null, events: { critical, warning, info }, owner: owner.join('|') };
}

/** The counters a target with these facts adds to, each with how much: `counter\tkey` → n. */
export function countsOf(facts: CountedFacts | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  if (!facts) return counts;
  counts.set(`status\t${facts.status}`, 1);
  counts.set(`kind\t${facts.kind}`, 1);
  counts.set(`owner\t${facts.owner}`, 1);
  if (facts.day) counts.set(`day\t${facts.day} ${facts.status}`, 1);
  for (const severity of SEVERITIES) {
    if (facts.events[severity] > 0) counts.set(`events\t${severity}`, facts.events[severity]);
  }
  return counts;
}

/** What changes in the counters when a target's facts go from `before` to `after` (encoded; undefined: not counted). */
export function deltaOf(before: string | undefined, after: string | undefined): Map<string, number> {
  const delta = countsOf(decodeFacts(after));
  for (const [key, n] of countsOf(decodeFacts(before))) delta.set(key, (delta.get(key) ?? 0) - n);
  for (const [key, n] of delta) if (n === 0) delta.delete(key);
  return delta;
}

/** One counter item. */
export interface CounterItem {
  counter: Counter | 'recount';
  key: string;
  n: number;
}

/** What the last recount found. */
export interface RecountRecord {
  at: string;
  /** Targets read. */
  targets: number;
  /** Items whose facts or list keys were missing or wrong, and were written again. */
  itemsRepaired: number;
  /** Counters that differed from the items' sum and were repaired, and by how much in all. */
  countersRepaired: number;
  drift: number;
  /** Counters that changed while the recount read (left for the next recount). */
  busy: number;
}

/** The summary table. */
export class SummaryStore {
  private readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  private readonly warn: (message: string, error: unknown) => void;

  constructor(
    doc: DynamoDBDocumentClient,
    tableName: string,
    warn: (message: string, error: unknown) => void = (message, error) => console.warn(message, error),
  ) {
    this.doc = doc;
    this.tableName = tableName;
    this.warn = warn;
  }

  /**
   * Adds a target's change to the counters. Called after the target's write succeeded; a failure
   * here is logged, not thrown (the target's write stands), and the next recount repairs it.
   */
  async apply(delta: Map<string, number>): Promise<void> {
    await Promise.all(
      [...delta].map(async ([counterKey, n]) => {
        const [counter, key] = counterKey.split('\t') as [string, string];
        try {
          await this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { [SUMMARY_TABLE.partitionKey.name]: counter, [SUMMARY_TABLE.sortKey.name]: key },
              UpdateExpression: 'ADD #n :n',
              ExpressionAttributeNames: { '#n': 'n' },
              ExpressionAttributeValues: { ':n': n },
            }),
          );
        } catch (error) {
          this.warn(`summary counter ${counter} was not updated; the next recount repairs it`, error);
        }
      }),
    );
  }

  /** Every counter of a partition, or the keys from `from` to `to` (inclusive, by sort order). */
  async counters(counter: Counter, range?: { from: string; to: string }): Promise<CounterItem[]> {
    const items: CounterItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: range ? '#c = :c AND #k BETWEEN :from AND :to' : '#c = :c',
          ExpressionAttributeNames: {
            '#c': SUMMARY_TABLE.partitionKey.name,
            ...(range ? { '#k': SUMMARY_TABLE.sortKey.name } : {}),
          },
          ExpressionAttributeValues: { ':c': counter, ...(range ? { ':from': range.from, ':to': range.to } : {}) },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((result.Items ?? []) as CounterItem[]));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Every counter, as `counter\tkey` → n. */
  async allCounters(): Promise<Map<string, number>> {
    const all = new Map<string, number>();
    for (const counter of COUNTERS) {
      for (const item of await this.counters(counter)) all.set(`${counter}\t${item.key}`, Number(item.n));
    }
    return all;
  }

  /**
   * Sets a counter to `to` only if it still holds `from` (0: absent or zero); a counter back at zero
   * is deleted. False when it changed meanwhile.
   */
  async repair(counterKey: string, from: number, to: number): Promise<boolean> {
    const [counter, key] = counterKey.split('\t') as [string, string];
    const Key = { [SUMMARY_TABLE.partitionKey.name]: counter, [SUMMARY_TABLE.sortKey.name]: key };
    const condition = from === 0 ? 'attribute_not_exists(#n) OR #n = :from' : '#n = :from';
    try {
      if (to === 0) {
        await this.doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key,
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#n': 'n' },
            ExpressionAttributeValues: { ':from': from },
          }),
        );
      } else {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'SET #n = :to',
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#n': 'n' },
            ExpressionAttributeValues: { ':from': from, ':to': to },
          }),
        );
      }
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async recordRecount(record: RecountRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { [SUMMARY_TABLE.partitionKey.name]: 'recount', [SUMMARY_TABLE.sortKey.name]: 'last', ...record },
      }),
    );
  }

  async lastRecount(): Promise<RecountRecord | undefined> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#c = :c',
        ExpressionAttributeNames: { '#c': SUMMARY_TABLE.partitionKey.name },
        ExpressionAttributeValues: { ':c': 'recount' },
        Limit: 1,
      }),
    );
    const item = result.Items?.[0] as (RecountRecord & Record<string, unknown>) | undefined;
    if (!item) return undefined;
    const { counter: _, key: __, ...record } = item;
    return record as RecountRecord;
  }
}
