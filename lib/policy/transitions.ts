import { createHash } from 'node:crypto';
import type { CheckResult } from '../probe/check-result.ts';
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
   * The check that produced the event, without `sans` and `chain` (messages do not show them,
   * and every pending event is stored in the target's item: it must stay small).
   */
  result: CheckResult;
  /** For `renewed`: the certificate that was replaced. */
  previous?: { fingerprint256: string; notAfter: string } | undefined;
}

/** What the monitor remembers about a target between checks. */
export interface MonitorState {
  /** The latest check. */
  result: CheckResult;
  /** The certificate the target was last seen serving (kept through failed checks). */
  certificate: { fingerprint256: string; notAfter: string; status: Status } | null;
  /** Failed checks in a row, and when the run of failures started. */
  consecutiveFailures: number;
  failingSince: string | null;
  /** Whether `unreachable` was announced for the current run of failures. */
  unreachableAnnounced: boolean;
  /** The condition last announced for the current certificate, to announce recovery from it. */
  announced: { key: string; status: Status } | null;
}

export interface TransitionOptions {
  unreachableAfter?: number;
}

export interface Transition {
  state: MonitorState;
  /** New events, most severe first; the caller drops those already sent or pending. */
  events: MonitorEvent[];
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * The pure heart of the monitor: from the previous state and a new check result, the next
 * state and the events to announce. Events are keyed by certificate fingerprint (or by the
 * start of a run of failures), so re-running it for a duplicate or an alternating result
 * yields keys that were already sent. The first check of a target announces only its
 * single worst condition.
 */
export function decideTransition(
  previous: MonitorState | undefined,
  result: CheckResult,
  options: TransitionOptions = {},
): Transition {
  const unreachableAfter = options.unreachableAfter ?? DEFAULT_UNREACHABLE_AFTER;
  const events: MonitorEvent[] = [];
  const slim: CheckResult = { ...result, sans: [], chain: [] };
  const make = (event: EventType, severity: Severity, key: string, extra: Partial<MonitorEvent> = {}) =>
    events.push({
      id: eventId(result.target, key),
      key,
      event,
      severity,
      target: result.target,
      occurredAt: result.checkedAt,
      result: slim,
      ...extra,
    });

  if (result.status === 'error') {
    const failures = (previous?.consecutiveFailures ?? 0) + 1;
    const failingSince = previous?.failingSince ?? result.checkedAt;
    let announced = previous?.unreachableAnnounced ?? false;
    if (failures >= unreachableAfter && !announced) {
      make('unreachable', 'critical', `unreachable:${failingSince}`);
      announced = true;
    }
    return {
      state: {
        result,
        certificate: previous?.certificate ?? null,
        consecutiveFailures: failures,
        failingSince,
        unreachableAnnounced: announced,
        announced: previous?.announced ?? null,
      },
      events,
    };
  }

  const fingerprint = result.fingerprint256 as string;
  const notAfter = result.notAfter as string;
  if (previous?.unreachableAnnounced && previous.failingSince) {
    make('recovered', 'info', `recovered:${previous.failingSince}`);
  }
  const before = previous?.certificate;
  const renewed = before && before.fingerprint256 !== fingerprint && notAfter > before.notAfter;
  if (renewed) {
    make('renewed', 'info', `renewed:${fingerprint}`, {
      previous: { fingerprint256: before.fingerprint256, notAfter: before.notAfter },
    });
  }

  let announced = renewed ? null : (previous?.announced ?? null);
  const condition = conditionOf(result, fingerprint);
  if (condition) {
    make(condition.event, condition.severity, condition.key);
    announced = { key: condition.key, status: result.status };
  } else if (result.status === 'ok' && announced && announced.status !== 'ok' && !renewed) {
    // Fixed in place (say, the chain or the name), without a new certificate.
    make('recovered', 'info', `recovered:${announced.key}`);
    announced = null;
  }
  if (!result.consistent) {
    const fingerprints = [...new Set(result.endpoints.map((e) => e.fingerprint256).filter((f) => f !== null))].sort();
    make('inconsistent', 'warning', `inconsistent:${shortHash(fingerprints.join(','))}`);
  }

  const state: MonitorState = {
    result,
    certificate: { fingerprint256: fingerprint, notAfter, status: result.status },
    consecutiveFailures: 0,
    failingSince: null,
    unreachableAnnounced: false,
    announced,
  };
  events.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  // A target's first check reports its current worst condition only: one message, not a backlog.
  return { state, events: previous === undefined ? events.slice(0, 1) : events };
}

function conditionOf(
  result: CheckResult,
  fingerprint: string,
): { event: EventType; severity: Severity; key: string } | undefined {
  switch (result.status) {
    case 'expired':
      return { event: 'expired', severity: 'critical', key: `expired:${fingerprint}` };
    case 'invalid':
      return { event: 'invalid', severity: 'critical', key: `invalid:${fingerprint}:${invalidReason(result)}` };
    case 'critical':
      return { event: 'entered-window', severity: 'critical', key: `window:critical:${fingerprint}` };
    case 'warning':
      return { event: 'entered-window', severity: 'warning', key: `window:warning:${fingerprint}` };
    default:
      return undefined;
  }
}

/** Why a certificate is invalid, as a short stable token for event keys. */
export function invalidReason(result: CheckResult): string {
  if (result.notBefore && Date.parse(result.notBefore) > Date.parse(result.checkedAt)) return 'not-yet-valid';
  if (result.trusted === false) return result.trustError ?? 'untrusted';
  if (result.hostnameMatch === false) return 'hostname';
  return 'invalid';
}

export function eventId(target: string, key: string): string {
  return shortHash(`${target}\n${key}`);
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
