// The outbox: how an event leaves, once. A transition is recorded as *pending* on the target's
// item in the same write as the state that caused it (TargetStore.recordCheck; discovery and CT
// with add); then whoever publishes *claims* it (a token and a time, conditional on the item's
// version), *publishes* it through the EventPublisher port, and marks it *sent* (its key joins
// `sent`, which later adds refuse). A publish that fails *releases* the claim for the retry; a
// claim older than the lease is taken over, so a crashed publisher delays an event, never loses it.
// The one case of a second message: a publish whose sent-mark keeps failing (said in its error).
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EventPublisher } from '../notify/event-publisher.ts';
import type { MonitorEvent } from '../policy/events.ts';
import { REMINDER_KEY_PREFIX } from '../policy/reminders.ts';
import { conditionalUpdate, isConditionFailure } from './document-client.ts';

/** Keys of sent events kept per target (the oldest are dropped), so that items stay small. */
export const MAX_SENT_KEYS = 50;
/** How long a claim holds before another publisher may take the event over. */
export const DEFAULT_CLAIM_LEASE_MS = 60_000;

/** An event recorded in a target's item until it has been published. */
export interface PendingEvent {
  event: MonitorEvent;
  /** Set while one publisher has it; a claim older than the lease may be taken over. */
  claim?: { token: string; at: number } | undefined;
}

/** What the outbox reads of a target's item (TargetStore's items are these, and more). */
export interface OutboxItem {
  version: number;
  pending: Record<string, PendingEvent>;
  sent: Record<string, string>;
  /** The target's owner and tags at publication: the event is routed by them. */
  owner?: string | undefined;
  tags?: string[] | undefined;
}

/** What publishing pending events needs (the probe, discovery and CT publish the same way). */
export interface PublishDependencies {
  targets: { getTarget(id: string): Promise<OutboxItem | undefined>; readonly outbox: OutboxStore };
  publisher: EventPublisher;
  claimLeaseMs?: number | undefined;
}

/** The outbox's writes on the targets table. Each is one conditional update; none throws for a lost race. */
export class OutboxStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  /**
   * Records `event` as pending on an existing target, once: false when the target is gone, or the
   * event is already pending or was already sent (its key is in `sent`). Idempotent, so two runs
   * that find the same news record it once; publishPending then sends it once.
   */
  async add(id: string, event: MonitorEvent): Promise<boolean> {
    return conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { id },
      UpdateExpression: 'SET pending.#event = :pending ADD version :one',
      ConditionExpression:
        'attribute_exists(id) AND attribute_not_exists(pending.#event) AND attribute_not_exists(sent.#key)',
      ExpressionAttributeNames: { '#event': event.id, '#key': event.key },
      ExpressionAttributeValues: { ':pending': { event }, ':one': 1 },
    });
  }

  /**
   * Claims a pending event for publishing, if the item is still at `expectedVersion` (which it
   * moves on). False when someone else wrote the item first (another claim, a check) or the event
   * is no longer pending: read the item again and decide anew. Not idempotent: of two claims on
   * the same version, one wins.
   */
  async claim(
    id: string,
    expectedVersion: number,
    eventId: string,
    claim: { token: string; at: number },
  ): Promise<boolean> {
    return conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { id },
      UpdateExpression: 'SET pending.#event.claim = :claim, version = :newVersion',
      ConditionExpression: 'version = :version AND attribute_exists(pending.#event)',
      ExpressionAttributeNames: { '#event': eventId },
      ExpressionAttributeValues: { ':claim': claim, ':version': expectedVersion, ':newVersion': expectedVersion + 1 },
    });
  }

  /**
   * Marks a claimed event as published: it leaves `pending` and its key joins `sent`, so that no
   * later add or claim sends it again. False when the claim is no longer ours (it outlived the
   * lease and another publisher took it over): nothing is written. Idempotent for its token.
   */
  async complete(id: string, eventId: string, key: string, token: string, sentAt: Date): Promise<boolean> {
    return conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { id },
      UpdateExpression: 'REMOVE pending.#event SET sent.#key = :sentAt ADD version :one',
      ConditionExpression: 'pending.#event.claim.#token = :token',
      ExpressionAttributeNames: { '#event': eventId, '#key': key, '#token': 'token' },
      ExpressionAttributeValues: { ':sentAt': sentAt.toISOString(), ':token': token, ':one': 1 },
    });
  }

  /**
   * Gives up a claim after a failed publish, so the retry can take the event at once rather than
   * after the lease. False when the claim is no longer ours; idempotent for its token.
   */
  async release(id: string, eventId: string, token: string): Promise<boolean> {
    return conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { id },
      UpdateExpression: 'REMOVE pending.#event.claim ADD version :one',
      ConditionExpression: 'pending.#event.claim.#token = :token',
      ExpressionAttributeNames: { '#event': eventId, '#token': 'token' },
      ExpressionAttributeValues: { ':token': token, ':one': 1 },
    });
  }

  /**
   * Drops the oldest sent keys beyond MAX_SENT_KEYS (kept small so items stay small). Idempotent;
   * a target deleted meanwhile is no error.
   */
  async pruneSent(id: string, sent: Record<string, string>): Promise<void> {
    // Old reminders go first: the keys of the events they repeat say those are open and announced.
    const reminder = (key: string) => (key.startsWith(REMINDER_KEY_PREFIX) ? 0 : 1);
    const keys = Object.entries(sent).sort((a, b) => reminder(a[0]) - reminder(b[0]) || a[1].localeCompare(b[1]));
    const excess = keys.slice(0, Math.max(0, keys.length - MAX_SENT_KEYS)).map(([k]) => k);
    if (excess.length === 0) return;
    const names = Object.fromEntries(excess.map((k, i) => [`#k${i}`, k]));
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: `REMOVE ${excess.map((_, i) => `sent.#k${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeNames: names,
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }
}

/**
 * Publishes every pending event of a target that nobody else is publishing. Returns what this
 * call published; throws after trying all of them if any publish failed. `known` is the item as
 * the caller last read or wrote it: it saves a read when nothing is pending (the usual check),
 * and a stale copy only costs a failed claim, after which the item is read again.
 */
export async function publishPending(
  deps: PublishDependencies,
  id: string,
  now: () => Date,
  known?: OutboxItem,
): Promise<MonitorEvent[]> {
  const lease = deps.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  const published: MonitorEvent[] = [];
  const failures: unknown[] = [];
  const attempted = new Set<string>();
  for (let round = 0; round < 100; round++) {
    const stored = round === 0 && known ? known : await deps.targets.getTarget(id);
    if (!stored) break;
    const claimable = Object.entries(stored.pending ?? {}).find(
      ([eventId, p]) => !attempted.has(eventId) && (!p.claim || p.claim.at + lease < now().getTime()),
    );
    if (!claimable) break;
    const [eventId, { event }] = claimable;
    const token = randomUUID();
    if (!(await deps.targets.outbox.claim(id, stored.version, eventId, { token, at: now().getTime() }))) continue;
    attempted.add(eventId);
    try {
      // Routed by the target's owner and tags as they are now (a changed owner gets what follows).
      await deps.publisher.publish({
        ...event,
        ...(stored.owner ? { owner: stored.owner } : {}),
        ...(stored.tags?.length ? { tags: stored.tags } : {}),
      });
    } catch (error) {
      failures.push(error);
      await deps.targets.outbox.release(id, eventId, token);
      continue;
    }
    await recordPublished(deps, id, eventId, event.key, token, now);
    published.push(event);
    if (Object.keys(stored.sent ?? {}).length > MAX_SENT_KEYS) await deps.targets.outbox.pruneSent(id, stored.sent);
  }
  if (failures.length > 0) {
    throw new AggregateError(
      failures,
      `${failures.length} notification(s) for ${id} could not be published; they stay pending`,
    );
  }
  return published;
}

/**
 * Records a published event as sent. This write is what keeps the event from going out again,
 * so transient DynamoDB failures are retried here; if it still fails, the error says so.
 */
async function recordPublished(
  deps: PublishDependencies,
  id: string,
  eventId: string,
  key: string,
  token: string,
  now: () => Date,
): Promise<void> {
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.targets.outbox.complete(id, eventId, key, token, now());
      return;
    } catch (error) {
      if (attempt >= attempts) {
        throw new Error(
          `event ${key} of ${id} was published but could not be recorded as sent (${(error as Error).name}); it may be sent again when its claim expires`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}
