// How soon a target is checked again: its own interval while healthy, more often while something
// is wrong, so that a warning cannot turn critical unseen for a day and "renewed" or "recovered"
// arrives soon after the fix. Pure: the result of a check in, a delay out.
import type { Status } from './status.ts';

export interface Cadence {
  /** A target in its warning window: checked at least this often (minutes). */
  warningMinutes: number;
  /** Critical, expired, invalid or unreadable: checked at least this often (minutes). */
  troubleMinutes: number;
}

export const DEFAULT_CADENCE: Cadence = { warningMinutes: 360, troubleMinutes: 15 };

/** Statuses that are checked at the trouble cadence until healthy. */
const TROUBLE: ReadonlySet<Status> = new Set(['critical', 'expired', 'invalid', 'revoked', 'error']);

/**
 * Longest delay the hourly full dispatch round serves on time; a shorter one needs the frequent
 * round, which reads only the targets marked due soon.
 */
export const FULL_ROUND_MINUTES = 60;

export interface NextCheck {
  /** Minutes until the next check. */
  minutes: number;
  /** Sooner than a full round comes by (an hour): the frequent round must pick it up. */
  soon: boolean;
}

/** When a target with `intervalMinutes` is next checked after a check with `status`. */
export function nextCheck(intervalMinutes: number, status: Status, cadence: Cadence = DEFAULT_CADENCE): NextCheck {
  const limit = TROUBLE.has(status)
    ? cadence.troubleMinutes
    : status === 'warning'
      ? cadence.warningMinutes
      : Number.POSITIVE_INFINITY;
  const minutes = Math.min(intervalMinutes, limit);
  // Anything due sooner than a full round comes by (a short interval of its own included) is
  // served by the frequent round.
  return { minutes, soon: minutes < FULL_ROUND_MINUTES };
}
