// The judge of transitions: from the previous state and a new check, the next state and the events
// to announce (their shapes and ids are in events.ts), and the events still open by a state.
import { boundText } from '../text-bounds.ts';
import type { CertificateEntry, CheckResult } from './check-result.ts';
import {
  DEFAULT_UNREACHABLE_AFTER,
  type EventCertificate,
  type EventType,
  eventId,
  type MonitorEvent,
  type MonitorState,
  type Severity,
  shortHash,
  type Transition,
  type TransitionOptions,
} from './events.ts';
import { findingCodes } from './findings.ts';
import { MAX_CERTIFICATES } from './judge-certificates.ts';

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
  const slim: CheckResult = { ...result, sans: [], chain: [], certificates: [] };
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
    if (failures >= unreachableAfter && !announced && !options.hold) {
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
        ...(previous?.inconsistent ? { inconsistent: previous.inconsistent } : {}),
        ...(previous?.certificates ? { certificates: previous.certificates } : {}),
      },
      events,
    };
  }

  if (result.kind !== 'tls') return documentTransition(previous, result, make, events);

  const fingerprint = result.fingerprint256 as string;
  const notAfter = result.notAfter as string;
  const ended = (key: string) => eventId(result.target, key);
  if (previous?.unreachableAnnounced && previous.failingSince) {
    make('recovered', 'info', `recovered:${previous.failingSince}`, {
      resolves: [ended(`unreachable:${previous.failingSince}`)],
    });
  }
  const before = previous?.certificate;
  const renewed = before && before.fingerprint256 !== fingerprint && notAfter > before.notAfter;
  const wasAnnounced = previous?.announced ?? null;
  if (renewed) {
    const over = [wasAnnounced?.key, previous?.renewalRequested].filter((k): k is string => k !== undefined);
    make('renewed', 'info', `renewed:${fingerprint}`, {
      previous: { fingerprint256: before.fingerprint256, notAfter: before.notAfter },
      ...(over.length ? { resolves: over.map(ended) } : {}),
    });
  }

  let announced = renewed ? null : wasAnnounced;
  const condition = conditionOf(result, fingerprint);
  if (condition) {
    // A worse (or different) condition of the same certificate ends the one announced before.
    const replaces = !renewed && wasAnnounced && wasAnnounced.key !== condition.key ? [ended(wasAnnounced.key)] : [];
    make(condition.event, condition.severity, condition.key, replaces.length ? { resolves: replaces } : {});
    announced = { key: condition.key, status: result.status };
  } else if (result.status === 'ok' && announced && announced.status !== 'ok' && !renewed) {
    // Fixed in place (say, the chain or the name), without a new certificate.
    make('recovered', 'info', `recovered:${announced.key}`, { resolves: [ended(announced.key)] });
    announced = null;
  }
  // The CA asks for early renewal (ARI): news once per certificate and suggested window.
  let renewalRequested = renewed ? undefined : previous?.renewalRequested;
  const info = result.renewalInfo;
  if (info?.early) {
    const key = `ari:${fingerprint}:${info.suggestedStart}`;
    const replaces = renewalRequested && renewalRequested !== key ? [ended(renewalRequested)] : [];
    make('renewal-requested', info.early, key, replaces.length ? { resolves: replaces } : {});
    renewalRequested = key;
  }
  let inconsistent: string | undefined;
  const held = options.hold === true && !result.consistent;
  if (held) {
    // A maintenance window: a disagreement announced before it stays open as it was; a new one
    // waits for the window's end.
    inconsistent = previous?.inconsistent;
  } else if (!result.consistent) {
    const fingerprints = [...new Set(result.endpoints.map((e) => e.fingerprint256).filter((f) => f !== null))].sort();
    inconsistent = `inconsistent:${shortHash(fingerprints.join(','))}`;
    const replaces = previous?.inconsistent && previous.inconsistent !== inconsistent ? [previous.inconsistent] : [];
    make('inconsistent', 'warning', inconsistent, replaces.length ? { resolves: replaces.map(ended) } : {});
  } else if (previous?.inconsistent) {
    // The addresses agree again: the news that says so (a renewal, a recovery) ends the
    // disagreement too; without such news, a recovery of its own.
    const carrier = events.find((e) => e.severity === 'info');
    if (carrier) carrier.resolves = [...(carrier.resolves ?? []), ended(previous.inconsistent)];
    else make('recovered', 'info', `recovered:${previous.inconsistent}`, { resolves: [ended(previous.inconsistent)] });
  }

  events.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  // A target's first check reports its current worst condition only: one message, not a backlog.
  const kept = previous === undefined ? events.slice(0, 1) : events;
  const state: MonitorState = {
    result,
    certificate: { fingerprint256: fingerprint, notAfter, status: result.status },
    consecutiveFailures: 0,
    failingSince: null,
    unreachableAnnounced: false,
    announced,
    // Remembered only when announced, so that its end is news only then.
    ...(inconsistent && (held || kept.some((e) => e.key === inconsistent)) ? { inconsistent } : {}),
    ...(renewalRequested && (previous !== undefined || kept.some((e) => e.key === renewalRequested))
      ? { renewalRequested }
      : {}),
  };
  return { state, events: kept };
}

/**
 * A source with several certificates: each certificate's condition is news once (keyed by its
 * fingerprint, as for TLS), and so is each certificate added to or removed from the source. Sets
 * larger than MAX_CERTIFICATES are compared only on what is kept, so they announce no additions
 * or removals (the kept set changes as certificates age).
 */
function documentTransition(
  previous: MonitorState | undefined,
  result: CheckResult,
  make: (event: EventType, severity: Severity, key: string, extra?: Partial<MonitorEvent>) => void,
  events: MonitorEvent[],
): Transition {
  const ended = (key: string) => eventId(result.target, key);
  if (previous?.unreachableAnnounced && previous.failingSince) {
    make('recovered', 'info', `recovered:${previous.failingSince}`, {
      resolves: [ended(`unreachable:${previous.failingSince}`)],
    });
  }
  const current = result.certificates.filter((c) => c.fingerprint256 !== null).map(eventCertificate);
  const before = previous?.certificates;
  const keysBefore = new Map(
    (before ?? []).map((c) => [c.fingerprint256, certificateConditionKeys(c, previous?.result.acm)]),
  );
  for (const certificate of current) {
    const keys = certificateConditionKeys(certificate, result.acm);
    // Conditions of this certificate announced before that no longer hold end with this check.
    const over = (keysBefore.get(certificate.fingerprint256) ?? []).filter((k) => !keys.includes(k)).map(ended);
    let carried = over.length === 0;
    const carry = () => {
      if (carried) return {};
      carried = true;
      return { resolves: over };
    };
    const condition = certificateCondition(certificate);
    const inWindow = certificate.status === 'warning' || certificate.status === 'critical';
    if (condition && inWindow && result.acm?.type === 'IMPORTED') {
      // ACM never renews an imported certificate: say so instead of a plain window message.
      make('imported-expiring', condition.severity, `imported:${certificate.status}:${certificate.fingerprint256}`, {
        certificate,
        ...carry(),
      });
    } else if (condition) make(condition.event, condition.severity, condition.key, { certificate, ...carry() });
    const stuck = result.acm?.renewalStatus === 'PENDING_VALIDATION' || result.acm?.renewalStatus === 'FAILED';
    if (inWindow && stuck && condition) {
      make(
        'renewal-stuck',
        condition.severity,
        `renewal-stuck:${certificate.fingerprint256}:${result.acm?.renewalStatus}`,
        { certificate, ...carry() },
      );
    }
    if (!carried && previous) {
      // Back to good without a new certificate (say, no longer `not yet valid`).
      make('recovered', 'info', `recovered:${certificate.fingerprint256}:${shortHash(over.join(','))}`, {
        certificate,
        ...carry(),
      });
    }
  }
  const complete = result.certificateCount <= MAX_CERTIFICATES && (before?.length ?? 0) < MAX_CERTIFICATES;
  if (before && complete) {
    const known = new Set(before.map((c) => c.fingerprint256));
    const now = new Set(current.map((c) => c.fingerprint256));
    for (const c of current)
      if (!known.has(c.fingerprint256)) make('added', 'info', `added:${c.fingerprint256}`, { certificate: c });
    for (const c of before) {
      if (now.has(c.fingerprint256)) continue;
      const over = (keysBefore.get(c.fingerprint256) ?? []).map(ended);
      make('removed', 'info', `removed:${c.fingerprint256}`, {
        certificate: c,
        ...(over.length ? { resolves: over } : {}),
      });
    }
  }
  const governing = current[0];
  const state: MonitorState = {
    result,
    certificate: governing?.notAfter
      ? { fingerprint256: governing.fingerprint256, notAfter: governing.notAfter, status: governing.status }
      : null,
    consecutiveFailures: 0,
    failingSince: null,
    unreachableAnnounced: false,
    announced: null,
    certificates: current,
  };
  events.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  return { state, events: previous === undefined ? events.slice(0, 1) : events };
}

/**
 * Keys of the events a certificate of a source in this condition has had announced: its window,
 * expiry or invalidity (or, imported into ACM, `imported-expiring`), and a stuck ACM renewal.
 */
function certificateConditionKeys(c: EventCertificate, acm: CheckResult['acm'] | undefined): string[] {
  const condition = certificateCondition(c);
  if (!condition) return [];
  const inWindow = c.status === 'warning' || c.status === 'critical';
  const keys = [inWindow && acm?.type === 'IMPORTED' ? `imported:${c.status}:${c.fingerprint256}` : condition.key];
  if (inWindow && (acm?.renewalStatus === 'PENDING_VALIDATION' || acm?.renewalStatus === 'FAILED')) {
    keys.push(`renewal-stuck:${c.fingerprint256}:${acm.renewalStatus}`);
  }
  return keys;
}

/** The condition of one certificate of a source, keyed like a TLS target's. */
function certificateCondition(c: EventCertificate): { event: EventType; severity: Severity; key: string } | undefined {
  switch (c.status) {
    case 'expired':
      return { event: 'expired', severity: 'critical', key: `expired:${c.fingerprint256}` };
    case 'invalid':
      return {
        event: 'invalid',
        severity: 'critical',
        key: `invalid:${c.fingerprint256}:${shortHash(c.problem ?? '')}`,
      };
    case 'critical':
      return { event: 'entered-window', severity: 'critical', key: `window:critical:${c.fingerprint256}` };
    case 'warning':
      return { event: 'entered-window', severity: 'warning', key: `window:warning:${c.fingerprint256}` };
    default:
      return undefined;
  }
}

/** A certificate of a source as events and the state keep it. */
export function eventCertificate(entry: CertificateEntry): EventCertificate {
  const purpose = [entry.role, entry.use, entry.kid ? `kid ${entry.kid}` : null, entry.alg]
    .filter((p) => p !== null)
    .join(' ');
  const where = entry.entityId ? `${purpose ? `${purpose}, ` : ''}entity ${entry.entityId}` : purpose;
  return {
    fingerprint256: entry.fingerprint256 as string,
    notAfter: entry.notAfter,
    status: entry.status,
    label: boundText(`${entry.subject ?? 'no subject'}${where ? ` (${where})` : ''}`, 200),
    daysLeft: entry.daysLeft,
    successor: entry.successor,
    problem: entry.problem,
  };
}

function conditionOf(
  result: CheckResult,
  fingerprint: string,
): { event: EventType; severity: Severity; key: string } | undefined {
  switch (result.status) {
    case 'revoked':
      // Keyed by the certificate the CRL names (the leaf, or an intermediate of the chain).
      return {
        event: 'revoked',
        severity: 'critical',
        key: `revoked:${result.revocation?.fingerprint256 ?? fingerprint}`,
      };
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
  // The target counts findings as invalid (findingsInvalid): which ones is the reason.
  const codes = findingCodes(result.findings);
  if (codes.length) return `weak-${codes.join('+')}`;
  return 'invalid';
}

/** An event announced for a target whose condition still holds by its state. */
export interface OpenEvent {
  id: string;
  key: string;
  event: EventType;
  severity: Severity;
}

/**
 * The events whose conditions still hold by a target's state (what a target that stops being
 * checked leaves open, and what the dashboard lists), each with its id, key, type and severity.
 * Whether each was really announced is for the caller to tell (the item's `sent` and `pending`).
 */
export function openEvents(target: string, state: MonitorState | undefined): OpenEvent[] {
  if (!state) return [];
  const open: Omit<OpenEvent, 'id'>[] = [];
  if (state.unreachableAnnounced && state.failingSince) {
    open.push({ key: `unreachable:${state.failingSince}`, event: 'unreachable', severity: 'critical' });
  }
  if (state.announced && state.announced.status !== 'ok') {
    const condition = conditionOf({ ...state.result, status: state.announced.status }, '');
    open.push({
      key: state.announced.key,
      event: condition?.event ?? 'invalid',
      severity: condition?.severity ?? 'critical',
    });
  }
  if (state.inconsistent) open.push({ key: state.inconsistent, event: 'inconsistent', severity: 'warning' });
  if (state.renewalRequested) {
    const severity = state.result.renewalInfo?.early || 'warning';
    open.push({ key: state.renewalRequested, event: 'renewal-requested', severity });
  }
  for (const c of state.certificates ?? []) {
    const condition = certificateCondition(c);
    if (!condition) continue;
    for (const key of certificateConditionKeys(c, state.result.acm)) {
      const event: EventType = key.startsWith('imported:')
        ? 'imported-expiring'
        : key.startsWith('renewal-stuck:')
          ? 'renewal-stuck'
          : condition.event;
      open.push({ key, event, severity: condition.severity });
    }
  }
  return open.map((e) => ({ id: eventId(target, e.key), ...e }));
}

/**
 * Ids of the events announced for a target whose conditions still hold by its state: what a
 * target that stops being checked (its resource vanished) leaves open.
 */
export function openEventIds(target: string, state: MonitorState | undefined): string[] {
  return openEvents(target, state).map((e) => e.id);
}
