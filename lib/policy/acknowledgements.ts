// Acknowledging and snoozing an open event (issue 31). An acknowledgement is kept under the event's
// condition key, which names the condition and the certificate (`window:warning:<fingerprint>`):
// renewing the certificate opens conditions under new keys, so the renewal closes the matter; a
// worse condition (critical after warning, expired, revoked) has its own key and is news again.
import { boundText } from '../text-bounds.ts';

export type AcknowledgementKind = 'ack' | 'snooze';

export interface Acknowledgement {
  kind: AcknowledgementKind;
  /** Who: the IAM caller, `local` in local mode, or the signed link's action (bounded). */
  by: string;
  at: string;
  /** What the person said (bounded; shown as text). */
  note?: string | undefined;
  /** Until when it holds (a snooze always has one); absent: until the condition ends. */
  until?: string | undefined;
}

/** The acknowledgements of a target's open events, by condition key. */
export type Acknowledgements = Record<string, Acknowledgement>;

/** Longest note kept, and longest name of who acknowledged. */
export const ACK_NOTE_MAX = 500;
export const ACK_BY_MAX = 256;

/** Longest a snooze or a time-limited acknowledgement may run. */
export const ACK_MAX_DAYS = 365;

/** The acknowledgement that holds for the condition `key` at `now`: none once its `until` passed. */
export function acknowledgementOf(
  acks: Acknowledgements | undefined,
  key: string,
  now: Date,
): Acknowledgement | undefined {
  const ack = acks?.[key];
  if (!ack) return undefined;
  if (ack.until !== undefined && Date.parse(ack.until) <= now.getTime()) return undefined;
  return ack;
}

/**
 * The acknowledgements to store after recording `ack` for `key`: those of conditions still open
 * (the others ended: a renewal, a recovery) and the new one, bounded.
 */
export function withAcknowledgement(
  acks: Acknowledgements | undefined,
  openKeys: readonly string[],
  key: string,
  ack: Acknowledgement,
): Acknowledgements {
  const kept: Acknowledgements = {};
  for (const open of openKeys) {
    const held = acks?.[open];
    if (held && open !== key) kept[open] = held;
  }
  kept[key] = {
    kind: ack.kind,
    by: boundText(ack.by, ACK_BY_MAX),
    at: ack.at,
    ...(ack.note ? { note: boundText(ack.note, ACK_NOTE_MAX) } : {}),
    ...(ack.until ? { until: ack.until } : {}),
  };
  return kept;
}
