// The targets table's writes (settings, checks, discovery's marks; each keeps list keys and counts).
// Reads: target-lists.ts (pages), target-scans.ts (whole table); the items' outbox: outbox.ts.
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { MonitorEvent } from '../policy/events.ts';
import { TARGET_SETTINGS, type Target } from '../targets/target-schema.ts';
import { compactState, expandItem } from './compact-result.ts';
import { conditionalUpdate, isConditionFailure } from './document-client.ts';
import { expiryKey, type ListKeys, listKeys, UNCHECKED } from './list-keys.ts';
import { OutboxStore } from './outbox.ts';
import type { CheckUpdate, DiscoveryMark, StoredTarget } from './stored-target.ts';
import { deltaOf, encodeFacts, factsOf, type SummaryStore } from './summary-store.ts';
import { DUE_SOON, TARGETS_TABLE } from './table-schema.ts';
import { TargetAcks } from './target-acks.ts';
import { TargetLists } from './target-lists.ts';
import { TargetScans } from './target-scans.ts';

/** The targets table: settings written by people, state written by probes. */
export class TargetStore {
  private readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;

  /** The outbox of the targets' items: pending events, their claims, and the keys already sent. */
  readonly outbox: OutboxStore;
  /** Pages of targets from the lists index, and the items of a page. */
  readonly lists: TargetLists;
  /** The table read whole: every target in pages, the targets due, those due soon. */
  readonly scans: TargetScans;
  /** Acknowledgements and snoozes of the targets' open events. */
  readonly acks: TargetAcks;
  /** The counters kept on write; absent: nothing is counted. */
  readonly summary: SummaryStore | undefined;

  constructor(doc: DynamoDBDocumentClient, tableName: string, summary?: SummaryStore) {
    this.doc = doc;
    this.tableName = tableName;
    this.summary = summary;
    this.outbox = new OutboxStore(doc, tableName);
    this.lists = new TargetLists(doc, tableName);
    this.scans = new TargetScans(doc, tableName);
    this.acks = new TargetAcks(doc, tableName);
  }

  /**
   * Creates the target or updates its settings, leaving its state alone. A new target is due
   * at once. Returns whether it was created. The item is read first (consistently) for its state:
   * its list keys and what the summary counts it as follow from the settings and that state, and
   * the write holds only while the item is counted as it was read (a check in between: read again).
   */
  async putTarget(target: Target, now: Date): Promise<{ created: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const read = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { id: target.id },
          ProjectionExpression: '#state, #counted',
          ExpressionAttributeNames: { '#state': 'state', '#counted': 'counted' },
          ConsistentRead: true,
        }),
      );
      const before = expandItem(read.Item as StoredTarget | undefined);
      const written = await this.writeSettings(target, now, before);
      if (written) return written;
      if (attempt >= 5) throw new Error(`could not write the settings of ${target.id}: too much contention`);
    }
  }

  /** putTarget's conditional write; undefined when the item was counted differently meanwhile. */
  private async writeSettings(
    target: Target,
    now: Date,
    before: Pick<StoredTarget, 'state' | 'counted'> | undefined,
  ): Promise<{ created: boolean } | undefined> {
    const keys = listKeys(target.id, before?.state);
    const counted = encodeFacts(factsOf({ ...target, state: before?.state }));
    const names: Record<string, string> = {
      '#updatedAt': 'updatedAt',
      '#listStatus': 'listStatus',
      '#listExpiry': 'listExpiry',
    };
    const values: Record<string, unknown> = {
      ':now': now.toISOString(),
      ':nowMs': now.getTime(),
      ':zero': 0,
      ':empty': {},
      ':listStatus': keys.listStatus,
      ':listExpiry': keys.listExpiry,
    };
    const counting = this.countingWrite(before?.counted, counted, names, values);
    const sets = [
      '#listStatus = if_not_exists(#listStatus, :listStatus)',
      '#listExpiry = if_not_exists(#listExpiry, :listExpiry)',
      '#updatedAt = :now',
      'createdAt = if_not_exists(createdAt, :now)',
      'version = if_not_exists(version, :zero)',
      'nextCheckAt = if_not_exists(nextCheckAt, :nowMs)',
      'pending = if_not_exists(pending, :empty)',
      'sent = if_not_exists(sent, :empty)',
      ...counting.sets,
    ];
    const removes: string[] = [];
    for (const field of TARGET_SETTINGS) {
      names[`#${field}`] = field;
      const value = target[field];
      if (value === undefined) removes.push(`#${field}`);
      else {
        sets.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: target.id },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ...(counting.condition ? { ConditionExpression: counting.condition } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      if (this.summary) await this.summary.apply(deltaOf(before?.counted, counted));
      return { created: result.Attributes?.createdAt === undefined };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** A write's part that keeps the summary: `counted` set, if the item still holds what was read. */
  private countingWrite(
    before: string | undefined,
    after: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): { sets: string[]; condition: string | undefined } {
    if (!this.summary) return { sets: [], condition: undefined };
    names['#counted'] = 'counted';
    values[':counted'] = after;
    if (before === undefined) return { sets: ['#counted = :counted'], condition: 'attribute_not_exists(#counted)' };
    values[':countedBefore'] = before;
    return { sets: ['#counted = :counted'], condition: '#counted = :countedBefore' };
  }

  /** The target's item; consistent unless asked otherwise (an eventually consistent read costs half). */
  async getTarget(id: string, options: { consistent?: boolean } = {}): Promise<StoredTarget | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: options.consistent ?? true }),
    );
    return expandItem(result.Item as StoredTarget | undefined);
  }

  async deleteTarget(id: string): Promise<boolean> {
    const result = await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: { id }, ReturnValues: 'ALL_OLD' }),
    );
    // Deletes are unconditional: the item as it was when deleted leaves the counters.
    const counted = (result.Attributes as StoredTarget | undefined)?.counted;
    if (this.summary && counted) await this.summary.apply(deltaOf(counted, undefined));
    return result.Attributes !== undefined;
  }

  /**
   * Writes a target's list keys and what it is counted as, from its own state and settings (the
   * recount's repair, and the backfill of items stored before either existed), only if the item
   * is still at `version` and counted as `counted`. False when it moved on (its writer keeps it).
   */
  async relist(
    item: Pick<StoredTarget, 'id' | 'version' | 'counted'>,
    facts: string,
    keys: ListKeys,
  ): Promise<boolean> {
    const names: Record<string, string> = {
      '#listStatus': TARGETS_TABLE.listIndex.partitionKey.name,
      '#listExpiry': TARGETS_TABLE.listIndex.sortKey.name,
      '#openSeverity': 'openSeverity',
      '#counted': 'counted',
    };
    const values: Record<string, unknown> = {
      ':listStatus': keys.listStatus,
      ':listExpiry': keys.listExpiry,
      ':counted': facts,
      ':version': item.version,
      ...(keys.openSeverity ? { ':openSeverity': keys.openSeverity } : {}),
      ...(item.counted !== undefined ? { ':before': item.counted } : {}),
    };
    return this.conditional({
      TableName: this.tableName,
      Key: { id: item.id },
      UpdateExpression: `SET #listStatus = :listStatus, #listExpiry = :listExpiry, #counted = :counted${keys.openSeverity ? ', #openSeverity = :openSeverity' : ' REMOVE #openSeverity'}`,
      ConditionExpression: `version = :version AND ${item.counted === undefined ? 'attribute_not_exists(#counted)' : '#counted = :before'}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Records a check: the new state, the events now pending, and when the target is next due,
   * only if nobody wrote the item since `expectedVersion` was read. False when someone did.
   */
  async recordCheck(id: string, expectedVersion: number, update: CheckUpdate): Promise<boolean> {
    const write = this.checkUpdate(id, expectedVersion, update);
    if (!(await this.conditional(write.input))) return false;
    await this.counted(update, write.counted);
    return true;
  }

  /** After a check's write: the summary takes the change in what the target is counted as. */
  private async counted(update: CheckUpdate, counted: string | undefined): Promise<void> {
    if (this.summary && counted !== undefined) await this.summary.apply(deltaOf(update.before?.counted, counted));
  }

  /** The conditional write of a check: state, pending events, next due time, version + 1. */
  private checkUpdate(
    id: string,
    expectedVersion: number,
    update: CheckUpdate,
  ): { input: ConstructorParameters<typeof UpdateCommand>[0] & { Key: { id: string } }; counted: string | undefined } {
    // `dueSoon` puts the target in the frequent round's sparse index while it is in trouble.
    // `listStatus`, `listExpiry` and `openSeverity` place it in the lists index (list-keys.ts).
    const keys = listKeys(id, update.state);
    const sets = [
      '#state = :state',
      'pending = :pending',
      'nextCheckAt = :next',
      'version = :newVersion',
      '#listStatus = :listStatus',
      '#listExpiry = :listExpiry',
    ];
    const removes: string[] = [];
    if (update.soon) sets.push('#soon = :soon');
    else removes.push('#soon');
    if (keys.openSeverity) sets.push('#openSeverity = :openSeverity');
    else removes.push('#openSeverity');
    const names: Record<string, string> = {
      '#state': 'state',
      '#soon': TARGETS_TABLE.dueSoonIndex.partitionKey.name,
      '#listStatus': TARGETS_TABLE.listIndex.partitionKey.name,
      '#listExpiry': TARGETS_TABLE.listIndex.sortKey.name,
      '#openSeverity': 'openSeverity',
    };
    const values: Record<string, unknown> = {
      ':state': compactState(update.state),
      ':pending': update.pending,
      ':next': update.nextCheckAt,
      ':version': expectedVersion,
      ':newVersion': expectedVersion + 1,
      ':listStatus': keys.listStatus,
      ':listExpiry': keys.listExpiry,
      ...(update.soon ? { ':soon': DUE_SOON } : {}),
      ...(keys.openSeverity ? { ':openSeverity': keys.openSeverity } : {}),
    };
    // The summary: only a check that knows what the item was counted as (it read it) counts.
    const counted = update.before
      ? encodeFacts(factsOf({ id, kind: update.before.kind, owner: update.before.owner, state: update.state }))
      : undefined;
    const counting =
      counted === undefined
        ? { sets: [], condition: undefined }
        : this.countingWrite(update.before?.counted, counted, names, values);
    sets.push(...counting.sets);
    return {
      input: {
        TableName: this.tableName,
        Key: { id },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: `version = :version${counting.condition ? ` AND (${counting.condition})` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      counted: counting.sets.length ? counted : undefined,
    };
  }

  /**
   * Records a check as recordCheck does, in one transaction with other conditional writes (the
   * claims of rollout announcements on certificate items). `target: false` when the target's
   * version moved; `claims` lists the indexes of the writes whose condition failed.
   */
  async recordCheckWith(
    id: string,
    expectedVersion: number,
    update: CheckUpdate,
    others: { Update: Record<string, unknown> }[],
  ): Promise<{ target: boolean; claims: number[] }> {
    try {
      const write = this.checkUpdate(id, expectedVersion, update);
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [{ Update: write.input as never }, ...(others as never[])],
        }),
      );
      await this.counted(update, write.counted);
      return { target: true, claims: [] };
    } catch (error) {
      const reasons = (error as { name?: string; CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if ((error as { name?: string }).name !== 'TransactionCanceledException' || !reasons) throw error;
      const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
      return {
        target: !failed(0),
        claims: others.map((_, i) => i).filter((i) => failed(i + 1)),
      };
    }
  }

  /** Tells a target that a certificate it serves has a replacement rolling out (for rollout-stalled). */
  async addRolloutHint(id: string, fingerprint256: string, since: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: 'ADD rolloutHints :hint',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':hint': new Set([`${fingerprint256} ${since}`]) },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  /**
   * Enrols a target discovery found, unless its id is taken (by a person's target or an earlier
   * discovery): discovery never overwrites. Due at once. True when it was created.
   */
  async createDiscovered(target: Target, discovery: DiscoveryMark, now: Date): Promise<boolean> {
    const settings = Object.fromEntries(TARGET_SETTINGS.map((field) => [field, target[field]]));
    const counted = encodeFacts(factsOf(target));
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...settings,
            id: target.id,
            createdAt: now.toISOString(),
            updatedAt: now.toISOString(),
            version: 0,
            nextCheckAt: now.getTime(),
            pending: {},
            sent: {},
            discovery,
            listStatus: UNCHECKED,
            listExpiry: expiryKey(target.id, undefined),
            ...(this.summary ? { counted } : {}),
          },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      if (this.summary) await this.summary.apply(deltaOf(undefined, counted));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Marks a discovered target whose resource has gone, once: disables it (remembering whether it
   * was enabled) and records `event` as pending in the same write. False if it was already
   * marked, is not a discovered target, or was deleted.
   */
  async markVanished(id: string, event: MonitorEvent, at: string): Promise<boolean> {
    return this.conditional({
      TableName: this.tableName,
      Key: { id },
      UpdateExpression:
        'SET discovery.vanishedAt = :at, discovery.enabledBefore = enabled, enabled = :false, pending.#event = :pending ADD version :one',
      ConditionExpression: 'attribute_exists(discovery) AND attribute_not_exists(discovery.vanishedAt)',
      ExpressionAttributeNames: { '#event': event.id },
      ExpressionAttributeValues: { ':at': at, ':false': false, ':pending': { event }, ':one': 1 },
    });
  }

  /** A vanished resource is back: the mark goes and the target is enabled again if it was before. */
  async markReturned(id: string): Promise<boolean> {
    return this.conditional({
      TableName: this.tableName,
      Key: { id },
      UpdateExpression:
        'SET enabled = if_not_exists(discovery.enabledBefore, :true) REMOVE discovery.vanishedAt, discovery.enabledBefore ADD version :one',
      ConditionExpression: 'attribute_exists(discovery.vanishedAt)',
      ExpressionAttributeValues: { ':true': true, ':one': 1 },
    });
  }

  private conditional(input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
    return conditionalUpdate(this.doc, input);
  }
}
