// What puts a target in the lists index (table-schema.ts, TARGETS_TABLE.listIndex): its list status
// (the partition) and its expiry key (the order), and the worst severity of its open conditions.
// Pure: every writer of a target's state computes the same keys from the same state.
import { createHash } from 'node:crypto';
import type { MonitorState, Severity } from '../policy/events.ts';
import { STATUSES, type Status } from '../policy/status.ts';
import { openEvents } from '../policy/transitions.ts';

/** The partition of a target never checked. */
export const UNCHECKED = 'unchecked';

/**
 * The partition of an `ok` target with an open condition (inconsistent addresses, renewal
 * requested by its CA): kept apart from `ok` so that the events pages never read the healthy fleet.
 */
export const OK_WITH_EVENTS = 'ok:open';

export type ListStatus = Status | typeof UNCHECKED | typeof OK_WITH_EVENTS;

/** Every partition of the lists index. */
export const LIST_STATUSES: readonly ListStatus[] = [...STATUSES, OK_WITH_EVENTS, UNCHECKED];

/** The partitions holding the targets with a status (a filter on `ok` reads both of its partitions). */
export function partitionsOf(status: Status | typeof UNCHECKED): ListStatus[] {
  return status === 'ok' ? ['ok', OK_WITH_EVENTS] : [status];
}

/**
 * The partitions that can hold open events, most severe status first: the events pages read these
 * in order and never the healthy (`ok`) or never-checked partitions.
 */
export const EVENT_PARTITIONS: readonly ListStatus[] = [
  'revoked',
  'expired',
  'invalid',
  'critical',
  'error',
  'warning',
  OK_WITH_EVENTS,
];

/** Sort-key width: epoch milliseconds up to the year 9999 fit in 15 digits. */
const EXPIRY_DIGITS = 15;

/** The expiry of a target without one (never checked, nothing read): after every real date. */
const NO_EXPIRY = '9'.repeat(EXPIRY_DIGITS);

/** Longest id kept whole in a sort key (DynamoDB's limit is 1024 bytes; ids may be URLs). */
const ID_IN_KEY = 600;

/** The id as the sort key carries it: whole when short, else a prefix and a digest (still unique). */
function idInKey(id: string): string {
  if (Buffer.byteLength(id) <= ID_IN_KEY) return id;
  const digest = createHash('sha256').update(id).digest('hex').slice(0, 32);
  return `${id.slice(0, 200)}#${digest}`;
}

/**
 * The sort key of a target: the earlier of its leaf's and its chain's expiry as fixed-width epoch
 * milliseconds, then its id, so that keys are unique and order as "soonest expiry first".
 */
export function expiryKey(id: string, state: MonitorState | undefined): string {
  const result = state?.result;
  return `${expiryDigits([result?.notAfter, result?.chainNotAfter])} ${idInKey(id)}`;
}

/**
 * The earliest of these dates as fixed-width epoch milliseconds (sorting as text sorts by date);
 * all nines when none is a date. Sort keys of both lists indexes start with it.
 */
export function expiryDigits(dates: readonly (string | null | undefined)[]): string {
  const times = dates.map((d) => (d ? Date.parse(d) : Number.NaN)).filter(Number.isFinite);
  return times.length ? epochDigits(Math.min(...times)) : NO_EXPIRY;
}

/** An instant as the sort keys write it: a key `< epochDigits(t)` expires strictly before `t`. */
export function epochDigits(time: number): string {
  return String(Math.max(0, Math.floor(time)))
    .padStart(EXPIRY_DIGITS, '0')
    .slice(-EXPIRY_DIGITS);
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** The worst severity among the conditions the state holds open; undefined when none is. */
export function openSeverity(id: string, state: MonitorState | undefined): Severity | undefined {
  let worst: Severity | undefined;
  for (const open of openEvents(id, state)) {
    if (worst === undefined || SEVERITY_RANK[open.severity] < SEVERITY_RANK[worst]) worst = open.severity;
  }
  return worst;
}

/** The index attributes of a target with this state. */
export interface ListKeys {
  listStatus: ListStatus;
  listExpiry: string;
  openSeverity: Severity | undefined;
}

export function listKeys(id: string, state: MonitorState | undefined): ListKeys {
  const severity = openSeverity(id, state);
  const status = state?.result?.status;
  const listStatus: ListStatus = !status ? UNCHECKED : status === 'ok' && severity ? OK_WITH_EVENTS : status;
  return { listStatus, listExpiry: expiryKey(id, state), openSeverity: severity };
}
