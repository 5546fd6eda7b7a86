// Events: the notification-worthy transitions of a target (DESIGN.md, "Events"), what an event
// carries, what the monitor remembers between checks, and the stable id of an event. The judge of
// transitions (transitions.ts) makes them; the outbox, the messages and the views read them.
import { createHash } from 'node:crypto';
import type { CertificateEntry, CheckResult } from './check-result.ts';
import type { Status } from './status.ts';

/** Notification-worthy transitions (DESIGN.md). */
export const EVENT_TYPES = [
  'entered-window',
  'expired',
  'renewed',
  'invalid',
  'unreachable',
  'recovered',
  'inconsistent',
  // Documents and files: a certificate appeared in, or disappeared from, what the source publishes.
  'added',
  'removed',
  // A certificate and its replacement across every location that served it.
  'rollout-complete',
  'rollout-stalled',
  // ACM: a managed renewal that is stuck, and an imported certificate (never renewed by ACM) in its window.
  'renewal-stuck',
  'imported-expiring',
  // Discovery: the AWS resource a discovered target came from is gone (the target is kept, disabled).
  'resource-vanished',
  // Revocation: the CA revoked a served certificate (its CRL says so).
  'revoked',
  // ACME Renewal Information: the CA asks for renewal before certvigil's own window opens.
  'renewal-requested',
  // Certificate Transparency: a certificate logged for a watched domain that no target watches,
  // and one issued by a CA outside the allowed issuers (ctIssuers).
  'unlisted-certificate',
  'unexpected-issuer',
  // Issue 31: an open event nobody acknowledged, said again once per period to its owner's routes,
  // and once to the escalation route when it stays unacknowledged.
  'reminder',
  'escalation',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export type Severity = 'info' | 'warning' | 'critical';

/** Failed checks in a row before a target is reported unreachable (one blip is not an alert). */
export const DEFAULT_UNREACHABLE_AFTER = 2;

/** One notification-worthy transition of one target. */
export interface MonitorEvent {
  /** Stable id derived from target and key: the same transition always has the same id. */
  id: string;
  /** What makes this event unique, e.g. `window:warning:<fingerprint>`; sent once per key. */
  key: string;
  event: EventType;
  severity: Severity;
  target: string;
  occurredAt: string;
  /**
   * The check that produced the event, without `sans`, `chain` and `certificates` (messages do
   * not show them, and every pending event is stored in the target's item: it must stay small).
   */
  result: CheckResult;
  /** For `renewed`: the certificate that was replaced. */
  previous?: { fingerprint256: string; notAfter: string } | undefined;
  /** Sources with several certificates: the one this event is about. */
  certificate?: EventCertificate | undefined;
  /** `renewed` and the rollout events: how far the replacement has got across every location. */
  rollout?: { done: number; total: number; since: string } | undefined;
  /** Rollout events: the replaced certificate, and (stalled) where it is still served (at most 20). */
  replaced?: { fingerprint256: string; subject: string | null; notAfter: string | null } | undefined;
  stillAt?: string[] | undefined;
  /** CT events: the logged certificate (names bounded to 20, issuer and dates as logged). */
  ct?: CtEventFacts | undefined;
  /** `resource-vanished`: the resource the target was discovered from. */
  discovery?: { service: string; resource: string; account: string; region: string } | undefined;
  /**
   * Where it is routed (issue 31): the owner and tags of its target when it is published (the
   * outbox adds them), so that subscriptions filter on them; absent: a target without an owner.
   */
  owner?: string | undefined;
  tags?: string[] | undefined;
  /** `reminder` and `escalation`: the open event they are about, and for how long it went unacknowledged. */
  reminder?: ReminderFacts | undefined;
  /**
   * Ids of earlier events whose condition this one ends (a renewal ends the window event of the
   * certificate it replaced, a recovery ends `unreachable`, `critical` ends `warning`, a removed
   * certificate ends its own conditions). Incident channels (PagerDuty) resolve them; absent
   * when the event ends nothing.
   */
  resolves?: string[] | undefined;
}

/** What a reminder or an escalation says of the open event it repeats. */
export interface ReminderFacts {
  /** The open event's id and type (its own headline and next step are the reminder's). */
  eventId: string;
  of: EventType;
  /** Which reminder of this condition this is (1, 2, …); 0 for an escalation. */
  n: number;
  /** Since when it has gone unacknowledged: its first message, or the end of an acknowledgement. */
  since: string;
  /** The acknowledgement or snooze that ran out at `since`, if one did: who, and its kind. */
  lapsed?: { kind: 'ack' | 'snooze'; by: string } | undefined;
}

/** What a CT event tells of the logged certificate. */
export interface CtEventFacts {
  provider: string;
  /** The issuance's key (precertificate and certificate share it). */
  key: string;
  names: string[];
  /** Names no target watches (subset of `names`). */
  unwatched: string[];
  issuer: string;
  issuerOrganization: string | null;
  notBefore: string;
  notAfter: string;
  fingerprint256: string | null;
}

/** What an event (and the state) keeps of one certificate of a source: small and bounded. */
export interface EventCertificate {
  fingerprint256: string;
  notAfter: string | null;
  status: CertificateEntry['status'];
  /** Subject and purpose in one line (entity, role, use, kid), bounded. */
  label: string;
  daysLeft: number | null;
  successor: string | null;
  problem: string | null;
}

/** What the monitor remembers about a target between checks. */
export interface MonitorState {
  /**
   * The latest check, compact as the target's item keeps it (no `sans`, `chain`,
   * `certificates`: the newest timeline row in the history holds the full result).
   */
  result: CheckResult;
  /** When the newest timeline row was written (see monitor/timeline.ts). */
  timelineAt?: string | undefined;
  /** The certificate the target was last seen serving (kept through failed checks). */
  certificate: { fingerprint256: string; notAfter: string; status: Status } | null;
  /** Failed checks in a row, and when the run of failures started. */
  consecutiveFailures: number;
  failingSince: string | null;
  /** Whether `unreachable` was announced for the current run of failures. */
  unreachableAnnounced: boolean;
  /** The condition last announced for the current certificate, to announce recovery from it. */
  announced: { key: string; status: Status } | null;
  /** Key of the `inconsistent` event announced for the current disagreement between addresses. */
  inconsistent?: string | undefined;
  /** Key of the `renewal-requested` event announced for the current certificate (ARI). */
  renewalRequested?: string | undefined;
  /**
   * Sources with several certificates: those last seen (at most MAX_CERTIFICATES), to announce
   * what was added and removed. Absent for TLS.
   */
  certificates?: EventCertificate[] | undefined;
  /** Where the target's certificates were at its last successful check (the inventory's view). */
  locations?: Locations | undefined;
}

export interface TransitionOptions {
  unreachableAfter?: number;
  /**
   * A maintenance window covers the target (policy/maintenance.ts): `unreachable` and
   * `inconsistent` are not announced now (failures go on being counted), so a condition still
   * there at the first check after the window is news then, and one that ended inside it never is.
   */
  hold?: boolean;
}

export interface Transition {
  state: MonitorState;
  /** New events, most severe first; the caller drops those already sent or pending. */
  events: MonitorEvent[];
}

/** The id of a target's event: the same transition always has the same id. */
export function eventId(target: string, key: string): string {
  return shortHash(`${target}\n${key}`);
}

/** A short, stable digest for ids and keys (22 base64url characters of SHA-256). */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** One certificate at one location, as the target's state remembers it (small). */
export interface LocatedCertificate {
  fingerprint256: string;
  namesKey: string | null;
  notAfter: string | null;
  /** Refused there (untrusted, the wrong name, not yet valid, revoked): absent when accepted. */
  refused?: 'invalid' | 'revoked' | undefined;
}

/** Location (within the target) -> the certificates it serves or publishes. */
export type Locations = Record<string, LocatedCertificate[]>;
