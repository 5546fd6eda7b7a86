// The events still open across the inventory: announced (sent, or pending publication) and whose
// condition the target's state says still holds. Read from the targets' items; nothing new is kept.
import { type Acknowledgement, acknowledgementOf } from '../policy/acknowledgements.ts';
import { problemOf } from '../policy/problem.ts';
import { expandResult } from '../store/compact-result.ts';
import type { StoredTarget } from '../store/stored-target.ts';
import { announcedOpenEvents } from '../store/target-acks.ts';
import { boundText, LIMITS } from '../text-bounds.ts';

export interface OpenEventView {
  id: string;
  target: string;
  event: string;
  severity: 'info' | 'warning' | 'critical';
  /** When it was published; null while it waits in the target's outbox. */
  since: string | null;
  pending: boolean;
  owner: string | null;
  /** The certificate it is about, as the target's latest check names it (bounded). */
  subject: string | null;
  notAfter: string | null;
  /** Why the target is not ok, in words, as its latest check says (problem.ts); null when it is. */
  problem: string | null;
  /** Acknowledged or snoozed (by whom, when, until when), while that holds; null otherwise. */
  acknowledged: Acknowledgement | null;
}

/** The stored attributes open events are computed from (a projection for the reads). */
export const OPEN_EVENT_FIELDS = [
  'id',
  'owner',
  'host',
  'port',
  'protocol',
  'state',
  'sent',
  'pending',
  'acks',
] as const;

const RANK = { critical: 0, warning: 1, info: 2 } as const;

/** The order of the events list: most severe first, then oldest, then by target. */
export function bySeverityThenAge(a: OpenEventView, b: OpenEventView): number {
  return (
    RANK[a.severity] - RANK[b.severity] ||
    (a.since ?? '\uffff').localeCompare(b.since ?? '\uffff') ||
    a.target.localeCompare(b.target)
  );
}

/** One target's open events, most severe first, then oldest first; acknowledgements as of `now`. */
export function targetEventViews(target: StoredTarget, now: Date = new Date()): OpenEventView[] {
  const result = target.state?.result;
  const problem = result ? problemOf(expandResult(result, target)) : null;
  return announcedOpenEvents(target)
    .map((open) => {
      const sentAt = target.sent?.[open.key];
      return {
        id: open.id,
        target: target.id,
        event: open.event,
        severity: open.severity,
        since: sentAt ?? null,
        pending: sentAt === undefined,
        owner: target.owner ?? null,
        subject: result?.subject ? boundText(result.subject, LIMITS.name) : null,
        notAfter: result?.notAfter ?? null,
        problem: problem === null ? null : boundText(problem, LIMITS.message),
        acknowledged: acknowledgementOf(target.acks, open.key, now) ?? null,
      };
    })
    .sort(bySeverityThenAge);
}
