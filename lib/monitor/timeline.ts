// History as a timeline of changes: a check is recorded there (with its full result) only when it
// tells something new: the first check, an event, a new certificate, a status, an error kind, or
// a different set of addresses. The target's item keeps a compact copy of the latest result and
// the time of its last check, so a quiet check writes one small item and nothing else.

import type { CheckResult } from '../policy/check-result.ts';
import type { EventType, MonitorEvent, MonitorState } from '../policy/events.ts';

/** Why a check goes into the timeline, or undefined for a quiet check. */
/** Why a check was recorded: the first, the news it made (its event: `renewed`, `expired`…), or what changed. */
export type TimelineChange = 'first' | EventType | 'certificate' | 'status' | 'error' | 'addresses' | 'refresh';

/**
 * The timeline's newest row is rewritten at least this often, so that the full result it holds
 * never expires under the history TTL (a fraction of it).
 */
export function refreshMs(historyTtlDays: number): number {
  return (historyTtlDays / 2) * 86_400_000;
}

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

export function timelineChange(
  previous: MonitorState | undefined,
  result: CheckResult,
  events: readonly MonitorEvent[],
  refreshAfterMs: number,
): TimelineChange | undefined {
  // The store gives the previous state back in full (compact-result.ts).
  const before = previous?.result;
  if (!before) return 'first';
  // News is named by its most severe event (a certificate now refused as `invalid`), and among
  // equals a renewal as `renewed`.
  const rank = (e: MonitorEvent) => SEVERITY_RANK[e.severity] * 2 + (e.event === 'renewed' ? 1 : 0);
  const news = events.reduce<MonitorEvent | undefined>(
    (best, e) => (!best || rank(e) > rank(best) ? e : best),
    undefined,
  );
  if (news) return news.event;
  if (before.fingerprint256 !== result.fingerprint256 || before.certificateCount !== result.certificateCount) {
    return 'certificate';
  }
  if (before.status !== result.status) return 'status';
  if ((before.error?.kind ?? null) !== (result.error?.kind ?? null)) return 'error';
  const addresses = (r: CheckResult) =>
    r.endpoints
      .map((e) => `${e.address} ${e.fingerprint256 ?? e.error?.kind ?? ''}`)
      .sort()
      .join(',');
  if (addresses(before) !== addresses(result)) return 'addresses';
  const last = previous.timelineAt ? Date.parse(previous.timelineAt) : 0;
  if (Date.parse(result.checkedAt) - last >= refreshAfterMs) return 'refresh';
  return undefined;
}
