import { DEFAULT_ROLLOUT_STALL_MINUTES } from '../inventory/rollout.ts';
import type { EventPublisher } from '../notify/event-publisher.ts';
import { type Cadence, nextCheck } from '../policy/cadence.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { DEFAULT_UNREACHABLE_AFTER, type MonitorEvent } from '../policy/events.ts';
import { type MaintenanceWindow, maintenanceOf } from '../policy/maintenance.ts';
import { DEFAULT_REMINDERS, dueReminders, type ReminderPolicy } from '../policy/reminders.ts';
import { decideTransition } from '../policy/transitions.ts';
import type { CertificateStore } from '../store/certificate-store.ts';
import { DEFAULT_HISTORY_TTL_DAYS, type HistoryStore } from '../store/history-store.ts';
import type { MaintenanceStore } from '../store/maintenance-store.ts';
import { publishPending } from '../store/outbox.ts';
import type { PendingEvent, StoredTarget } from '../store/stored-target.ts';
import type { TargetStore } from '../store/target-store.ts';
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
  /** Reminders of unacknowledged open events, and escalation (default: DEFAULT_REMINDERS). */
  reminders?: ReminderPolicy | undefined;
  /** The maintenance windows (absent: none are kept). */
  windows?: MaintenanceStore | undefined;
}

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
  /** The maintenance window that held `unreachable` and `inconsistent` at this check. */
  maintenance?: MaintenanceWindow | undefined;
}

const MAX_WRITE_ATTEMPTS = 8;

/** What a maintenance window holds (policy/maintenance.ts): planned work causes these. */
const HELD_BY_MAINTENANCE = new Set<string>(['unreachable', 'inconsistent']);

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
  const window = await maintenanceWindow(deps, target, now());
  if (window) outcome.maintenance = window;

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
      hold: window !== undefined,
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
    // Open events nobody acknowledged are said again once per period (keyed by period: once each).
    const reminders = dueReminders({
      target: target.id,
      state: transition.state,
      result,
      sent: stored.sent,
      acks: stored.acks,
      policy: deps.reminders ?? DEFAULT_REMINDERS,
      now: now(),
    });
    // A maintenance window holds the reminders of what it holds, too (an outage announced before it).
    const held = window ? reminders.filter((r) => !HELD_BY_MAINTENANCE.has(r.reminder?.of ?? '')) : reminders;
    const fresh = [...transition.events, ...held].filter((e) => !known.has(e.key));
    const freshClaims = claims.filter((c) => !known.has(c.event.key) && !refusedClaims.has(c.event.key));
    const pending: Record<string, PendingEvent> = { ...stored.pending };
    for (const event of [...fresh, ...freshClaims.map((c) => c.event)]) pending[event.id] = { event };
    const next = nextCheck(stored.intervalMinutes, result.status, deps.cadence);
    const nextCheckAt = Date.parse(result.checkedAt) + next.minutes * 60_000;
    change = timelineChange(
      stored.state,
      result,
      [...fresh.filter((e) => !e.reminder), ...freshClaims.map((c) => c.event)],
      deps.timelineRefreshMs ?? refreshMs(DEFAULT_HISTORY_TTL_DAYS),
    );
    const state = {
      ...transition.state,
      result,
      timelineAt: change ? result.checkedAt : stored.state?.timelineAt,
    };
    const update = {
      state,
      pending,
      nextCheckAt,
      soon: next.soon,
      before: { counted: stored.counted, kind: stored.kind, owner: stored.owner },
    };
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
 * The maintenance window covering the target now. Unreadable windows hold nothing: a check never
 * fails, and an alert is never lost, because the directory could not be read.
 */
async function maintenanceWindow(
  deps: ProbeDependencies,
  target: Target,
  at: Date,
): Promise<MaintenanceWindow | undefined> {
  if (!deps.windows) return undefined;
  try {
    return maintenanceOf(await deps.windows.current(at.getTime()), target, at);
  } catch {
    return undefined;
  }
}
