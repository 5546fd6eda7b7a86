// The copy of a target's latest result its item keeps, made small: a quiet check rewrites the
// item, and DynamoDB bills a write by the item's size (1 KB per unit). Left out: what the
// timeline row holds (names, chain, certificates; a few names stay when they are the problem),
// what the item says already (target, host, port, protocol), nulls, and repeats (an endpoint's
// certificate when it is the target's).
// `expandResult` gives back the full CheckResult shape for every reader.

import type { CheckResult, EndpointResult } from '../policy/check-result.ts';
import type { LocatedCertificate, Locations, MonitorState } from '../policy/events.ts';
import { PROBLEM_NAMES_KEPT } from '../policy/problem.ts';
import type { Protocol } from '../targets/protocols.ts';

type Stored = Partial<CheckResult> & { checkedAt: string; status: CheckResult['status'] };

export function compactResult(result: CheckResult): CheckResult {
  const { target: _t, host: _h, port: _p, protocol: _pr, sans: _s, chain: _c, certificates: _ce, ...rest } = result;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== null && value !== undefined) out[key] = value;
  if (out.kind === 'tls') delete out.kind;
  if (result.findings?.length === 0) delete out.findings;
  // The names are the problem of a wrong-name certificate: the first few stay, for its words.
  if (result.hostnameMatch === false && result.sans.length) out.sans = result.sans.slice(0, PROBLEM_NAMES_KEPT);
  if (out.consistent === true) delete out.consistent;
  if (out.chainNotAfter === result.notAfter) delete out.chainNotAfter;
  // Documents may have no chain date beside a leaf's: that null is kept, not made the leaf's.
  if (result.chainNotAfter === null && result.notAfter !== null) out.chainNotAfter = null;
  const endpoints = result.endpoints.map((e) => {
    const compact: Partial<EndpointResult> = { address: e.address, status: e.status };
    if (e.fingerprint256 !== result.fingerprint256) compact.fingerprint256 = e.fingerprint256;
    if (e.notAfter !== result.notAfter) compact.notAfter = e.notAfter;
    if (e.error) compact.error = e.error;
    return compact;
  });
  if (endpoints.length) out.endpoints = endpoints;
  else delete out.endpoints;
  return out as unknown as CheckResult;
}

/** The full shape of a stored result, for the target it belongs to. */
export function expandResult(
  stored: Stored,
  target: { id: string; host?: string | undefined; port?: number | undefined; protocol?: Protocol | undefined },
): CheckResult {
  const s = stored as Partial<CheckResult>;
  const fingerprint = s.fingerprint256 ?? null;
  const notAfter = s.notAfter ?? null;
  return {
    target: s.target ?? target.id,
    kind: s.kind ?? 'tls',
    host: s.host ?? target.host ?? '',
    port: s.port ?? target.port ?? 0,
    protocol: s.protocol ?? target.protocol ?? 'tls',
    servername: s.servername ?? null,
    checkedAt: stored.checkedAt,
    status: stored.status,
    daysLeft: s.daysLeft ?? null,
    notBefore: s.notBefore ?? null,
    notAfter,
    chainNotAfter: s.chainNotAfter === undefined ? notAfter : s.chainNotAfter,
    lifetimeDays: s.lifetimeDays ?? null,
    subject: s.subject ?? null,
    issuer: s.issuer ?? null,
    sans: s.sans ?? [],
    serialNumber: s.serialNumber ?? null,
    fingerprint256: fingerprint,
    keyType: s.keyType ?? null,
    keyBits: s.keyBits ?? null,
    signatureAlgorithm: s.signatureAlgorithm ?? null,
    tlsVersion: s.tlsVersion ?? null,
    trusted: s.trusted ?? null,
    trustError: s.trustError ?? null,
    hostnameMatch: s.hostnameMatch ?? null,
    consistent: s.consistent ?? true,
    endpoints: (s.endpoints ?? []).map((e) => ({
      address: e.address,
      status: e.status,
      fingerprint256: e.fingerprint256 === undefined ? fingerprint : e.fingerprint256,
      notAfter: e.notAfter === undefined ? notAfter : e.notAfter,
      error: e.error ?? null,
    })),
    chain: s.chain ?? [],
    certificates: s.certificates ?? [],
    certificateCount: s.certificateCount ?? 0,
    findings: s.findings ?? [],
    revocation: s.revocation ?? null,
    renewalInfo: s.renewalInfo ?? null,
    ...(s.acm ? { acm: s.acm } : {}),
    ...(s.samlProvider ? { samlProvider: s.samlProvider } : {}),
    error: s.error ?? null,
  };
}

/**
 * A monitor state as the item keeps it: the compact result, and without what repeats it (the
 * certificate it was last seen serving, when that is the result's; a location's certificate,
 * when it is the result's) or says nothing (zero, false, null).
 */
export function compactState(state: MonitorState): MonitorState {
  const r = state.result;
  const out: Record<string, unknown> = { result: compactResult(r) };
  if (state.timelineAt) out.timelineAt = state.timelineAt;
  const c = state.certificate;
  if (c && !(c.fingerprint256 === r.fingerprint256 && c.notAfter === r.notAfter && c.status === r.status)) {
    out.certificate = c;
  } else if (!c) {
    out.certificate = null;
  }
  if (state.consecutiveFailures) out.consecutiveFailures = state.consecutiveFailures;
  if (state.failingSince) out.failingSince = state.failingSince;
  if (state.unreachableAnnounced) out.unreachableAnnounced = true;
  if (state.announced) out.announced = state.announced;
  if (state.inconsistent) out.inconsistent = state.inconsistent;
  if (state.renewalRequested) out.renewalRequested = state.renewalRequested;
  if (state.certificates) out.certificates = state.certificates;
  if (state.locations) {
    const locations: Record<string, Partial<LocatedCertificate>[]> = {};
    for (const [where, list] of Object.entries(state.locations)) {
      locations[where] = list.map((l) => {
        const compact: Partial<LocatedCertificate> = { namesKey: l.namesKey };
        if (l.fingerprint256 !== r.fingerprint256) compact.fingerprint256 = l.fingerprint256;
        if (l.notAfter !== r.notAfter) compact.notAfter = l.notAfter;
        if (l.refused) compact.refused = l.refused;
        return compact;
      });
    }
    out.locations = locations;
  }
  return out as unknown as MonitorState;
}

/** The full monitor state of an item's compact one (states written before compaction pass through). */
export function expandState(
  stored: MonitorState,
  target: { id: string; host?: string | undefined; port?: number | undefined; protocol?: Protocol | undefined },
): MonitorState {
  const result = expandResult(stored.result, target);
  const certificate =
    stored.certificate === undefined
      ? result.fingerprint256 && result.notAfter
        ? { fingerprint256: result.fingerprint256, notAfter: result.notAfter, status: result.status }
        : null
      : stored.certificate;
  let locations: Locations | undefined;
  if (stored.locations) {
    locations = {};
    for (const [where, list] of Object.entries(stored.locations)) {
      locations[where] = (list as Partial<LocatedCertificate>[]).map((l) => ({
        fingerprint256: l.fingerprint256 ?? (result.fingerprint256 as string),
        namesKey: l.namesKey ?? null,
        notAfter: l.notAfter === undefined ? result.notAfter : l.notAfter,
        ...(l.refused ? { refused: l.refused } : {}),
      }));
    }
  }
  return {
    result,
    ...(stored.timelineAt ? { timelineAt: stored.timelineAt } : {}),
    certificate,
    consecutiveFailures: stored.consecutiveFailures ?? 0,
    failingSince: stored.failingSince ?? null,
    unreachableAnnounced: stored.unreachableAnnounced ?? false,
    announced: stored.announced ?? null,
    ...(stored.inconsistent ? { inconsistent: stored.inconsistent } : {}),
    ...(stored.renewalRequested ? { renewalRequested: stored.renewalRequested } : {}),
    ...(stored.certificates ? { certificates: stored.certificates } : {}),
    ...(locations ? { locations } : {}),
  };
}

/**
 * An item as read, its state in full: the item keeps a compact one. A projection that read only
 * part of the state keeps its parts as they are.
 */
export function expandItem<T extends { id: string; state?: MonitorState | undefined }>(item: T): T;
export function expandItem<T extends { id: string; state?: MonitorState | undefined }>(
  item: T | undefined,
): T | undefined;
export function expandItem<T extends { id: string; state?: MonitorState | undefined }>(
  item: T | undefined,
): T | undefined {
  const state = item?.state;
  if (!item || !state?.result?.checkedAt || !state.result.status) return item;
  return { ...item, state: expandState(state, item as never) };
}
