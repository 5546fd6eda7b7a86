import { randomUUID } from 'node:crypto';
import { DEFAULT_ROLLOUT_STALL_MINUTES } from '../inventory/rollout.ts';
import type { EventPublisher } from '../notify/event-publisher.ts';
import { type Cadence, nextCheck } from '../policy/cadence.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { DEFAULT_UNREACHABLE_AFTER, decideTransition, type MonitorEvent } from '../policy/transitions.ts';
import type { CertificateStore } from '../store/certificate-store.ts';
import { DEFAULT_HISTORY_TTL_DAYS, type HistoryStore } from '../store/history-store.ts';
import { MAX_SENT_KEYS, type PendingEvent, type StoredTarget, type TargetStore } from '../store/target-store.ts';
import type { Target } from '../targets/target-schema.ts';
import { refreshMs, type TimelineChange, timelineChange } from './timeline.ts';
import { type RolloutClaim, trackLocations } from './track-locations.ts';

export type { EventPublisher };

export interface ProbeDependencies {
  targets: TargetStore;
  history: HistoryStore;
  publisher: EventPublisher;
  /** Checks a target; `budgetMs`, when given, bounds the whole check (DNS and every address). */
  check: (target: Target, budgetMs?: number) => Promise<CheckResult>;
  now?: () => Date;
  /** Failed checks in a row before `unreachable` (default 2). */
  unreachableAfter?: number;
  /** How long a claim on a pending event holds before another probe may take it over. */
  claimLeaseMs?: number;
  /** The certificate inventory (where each certificate is served, rollouts); absent: not kept. */
  certificates?: CertificateStore | undefined;
  /** How long a replacement may take to reach every location before `rollout-stalled`. */
  rolloutStallMs?: number | undefined;
  /** How often targets in their warning window, or in trouble, are checked (default: 6 h, 15 min). */
  cadence?: Cadence | undefined;
  /** How often an unchanged target's newest timeline row is rewritten (default: half the history TTL). */
  timelineRefreshMs?: number | undefined;
}

/** What publishing pending events needs (discovery publishes its own events the same way). */
export type PublishDependencies = Pick<ProbeDependencies, 'targets' | 'publisher' | 'claimLeaseMs'>;

export interface ProbeOutcome {
  result: CheckResult;
  /** Events this run added to the target's pending events. */
  recorded: MonitorEvent[];
  /** Events this run published. */
  published: MonitorEvent[];
  /** The target was deleted while it was being checked; nothing was stored. */
  deleted: boolean;
  /** Why this check went into the timeline; undefined for a quiet check (or when not recorded). */
  changed?: TimelineChange | undefined;
}

export const DEFAULT_CLAIM_LEASE_MS = 60_000;
const MAX_WRITE_ATTEMPTS = 8;

/**
 * One probe run for one target: check it, store the new state with the events it causes,
 * append the history record, and publish pending events. Safe to run concurrently and more
 * than once for the same target: writes are conditional on the item's version, events are
 * deduplicated by key, and only the probe that claims an event publishes it. If publishing
 * fails, the event stays pending and this function throws, so the invocation's retry (or the
 * next check) publishes it.
 */
export async function probeTarget(
  deps: ProbeDependencies,
  target: Target,
  options: { budgetMs?: number | undefined } = {},
): Promise<ProbeOutcome> {
  const now = deps.now ?? (() => new Date());
  const result = await deps.check(target, options.budgetMs);
  const outcome: ProbeOutcome = { result, recorded: [], published: [], deleted: false };

  let stored: StoredTarget | undefined;
  // Rollout events another target announced first: not proposed again on retry.
  const refusedClaims = new Set<string>();
  let change: TimelineChange | undefined;
  for (let attempt = 1; ; attempt++) {
    // Decided afresh on every attempt: a run that finds a newer check recorded adds nothing.
    change = undefined;
    // The first read may be eventually consistent (half the read cost): the write is conditional
    // on the version, so a stale copy only costs a retry, which reads consistently.
    stored = await deps.targets.getTarget(target.id, { consistent: attempt > 1 });
    if (!stored && attempt === 1) stored = await deps.targets.getTarget(target.id);
    if (!stored) {
      outcome.deleted = true;
      return outcome;
    }
    // A late or duplicated run must not overwrite a newer check.
    if (stored.state && stored.state.result.checkedAt >= result.checkedAt) break;
    const transition = decideTransition(stored.state, result, {
      unreachableAfter: deps.unreachableAfter ?? DEFAULT_UNREACHABLE_AFTER,
    });
    const claims = deps.certificates
      ? await trackLocations(
          {
            certificates: deps.certificates,
            targets: deps.targets,
            rolloutStallMs: deps.rolloutStallMs ?? DEFAULT_ROLLOUT_STALL_MINUTES * 60_000,
          },
          stored,
          result,
          transition,
          now(),
        )
      : [];
    const known = new Set([
      ...Object.keys(stored.sent ?? {}),
      ...Object.values(stored.pending ?? {}).map((p) => p.event.key),
    ]);
    const fresh = transition.events.filter((e) => !known.has(e.key));
    const freshClaims = claims.filter((c) => !known.has(c.event.key) && !refusedClaims.has(c.event.key));
    const pending: Record<string, PendingEvent> = { ...stored.pending };
    for (const event of [...fresh, ...freshClaims.map((c) => c.event)]) pending[event.id] = { event };
    const next = nextCheck(stored.intervalMinutes, result.status, deps.cadence);
    const nextCheckAt = Date.parse(result.checkedAt) + next.minutes * 60_000;
    change = timelineChange(
      stored.state,
      result,
      [...fresh, ...freshClaims.map((c) => c.event)],
      deps.timelineRefreshMs ?? refreshMs(DEFAULT_HISTORY_TTL_DAYS),
    );
    const state = {
      ...transition.state,
      result,
      timelineAt: change ? result.checkedAt : stored.state?.timelineAt,
    };
    const update = { state, pending, nextCheckAt, soon: next.soon };
    if (freshClaims.length > 0) {
      // Rollout events are claimed on the certificate's item in the same transaction: only one
      // target ever announces each.
      const written = await deps.targets.recordCheckWith(
        target.id,
        stored.version,
        update,
        freshClaims.map((c) => c.input),
      );
      for (const i of written.claims) refusedClaims.add((freshClaims[i] as RolloutClaim).event.key);
      if (written.target && written.claims.length === 0) {
        outcome.recorded = [...fresh, ...freshClaims.map((c) => c.event)];
        stored = { ...stored, ...update, version: stored.version + 1 };
        break;
      }
    } else if (await deps.targets.recordCheck(target.id, stored.version, update)) {
      outcome.recorded = fresh;
      stored = { ...stored, ...update, version: stored.version + 1 };
      break;
    }
    if (attempt >= MAX_WRITE_ATTEMPTS)
      throw new Error(`could not record the check of ${target.id}: too much contention`);
  }
  outcome.changed = change;
  // History is a timeline of changes: a quiet check adds nothing there.
  if (change) await deps.history.append(result, change);
  outcome.published = await publishPending(deps, target.id, now, stored);
  return outcome;
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
  known?: StoredTarget,
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
    if (!(await deps.targets.claimEvent(id, stored.version, eventId, { token, at: now().getTime() }))) continue;
    attempted.add(eventId);
    try {
      await deps.publisher.publish(event);
    } catch (error) {
      failures.push(error);
      await deps.targets.releaseEvent(id, eventId, token);
      continue;
    }
    await recordPublished(deps, id, eventId, event.key, token, now);
    published.push(event);
    if (Object.keys(stored.sent ?? {}).length > MAX_SENT_KEYS) await deps.targets.pruneSent(id, stored.sent);
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
      await deps.targets.completeEvent(id, eventId, key, token, now());
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
