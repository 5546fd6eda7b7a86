// Reminders and escalation (issue 31): an open, announced, unacknowledged event is said again once
// per period (by severity: critical daily, warning weekly, info never, by default), and once to the
// escalation route when a critical one stays unacknowledged (48 h by default). Pure: the probe asks
// at every check which are due, and the outbox sends each once, keyed by condition and period, so
// retries and concurrent checks never repeat one.
import { type Acknowledgements, acknowledgementOf } from './acknowledgements.ts';
import type { CheckResult } from './check-result.ts';
import { eventId, type MonitorEvent, type MonitorState, type Severity } from './events.ts';
import { openEvents } from './transitions.ts';

export interface ReminderPolicy {
  /** Hours between reminders of an unacknowledged event, by severity; 0: never. */
  everyHours: Record<Severity, number>;
  /** Hours a critical event may stay unacknowledged before it is escalated; 0: never. */
  escalateAfterHours: number;
}

export const DEFAULT_REMINDERS: ReminderPolicy = {
  everyHours: { critical: 24, warning: 7 * 24, info: 0 },
  escalateAfterHours: 48,
};

const HOUR_MS = 3_600_000;

/** The key prefixes of reminders and escalations (the outbox drops old reminder keys first). */
export const REMINDER_KEY_PREFIX = 'remind:';
export const ESCALATION_KEY_PREFIX = 'escalate:';

/**
 * The reminders and escalations due at `now` for the events `state` holds open that were sent
 * (`sent`: key → when) and are not acknowledged. Each has a key naming its condition and period:
 * the caller drops those already sent or pending.
 */
export function dueReminders(options: {
  target: string;
  state: MonitorState | undefined;
  result: CheckResult;
  sent: Record<string, string> | undefined;
  acks: Acknowledgements | undefined;
  policy: ReminderPolicy;
  now: Date;
}): MonitorEvent[] {
  const { target, now, policy } = options;
  const due: MonitorEvent[] = [];
  const slim: CheckResult = { ...options.result, sans: [], chain: [], certificates: [] };
  for (const open of openEvents(target, options.state)) {
    const sentAt = options.sent?.[open.key];
    if (sentAt === undefined) continue; // not announced yet: its own message comes first
    if (acknowledgementOf(options.acks, open.key, now)) continue;
    // After an acknowledgement that ran out, the count starts again from its end.
    const ended = options.acks?.[open.key];
    const lapsed = ended?.until && ended.until > sentAt ? ended : undefined;
    const since = lapsed?.until ?? sentAt;
    const waited = now.getTime() - Date.parse(since);
    if (!Number.isFinite(waited) || waited <= 0) continue;
    const make = (event: 'reminder' | 'escalation', key: string, n: number) =>
      due.push({
        id: eventId(target, key),
        key,
        event,
        severity: open.severity,
        target,
        occurredAt: now.toISOString(),
        result: slim,
        reminder: {
          eventId: open.id,
          of: open.event,
          n,
          since,
          ...(lapsed ? { lapsed: { kind: lapsed.kind, by: lapsed.by } } : {}),
        },
      });
    const every = policy.everyHours[open.severity] * HOUR_MS;
    if (every > 0 && waited >= every) {
      const n = Math.floor(waited / every);
      make('reminder', `${REMINDER_KEY_PREFIX}${open.key}:${since === sentAt ? '' : `u${Date.parse(since)}:`}${n}`, n);
    }
    const escalateAfter = policy.escalateAfterHours * HOUR_MS;
    if (open.severity === 'critical' && escalateAfter > 0 && waited >= escalateAfter) {
      make('escalation', `${ESCALATION_KEY_PREFIX}${open.key}`, 0);
    }
  }
  return due;
}
