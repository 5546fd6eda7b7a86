// Where a target's certificates are: per location (an address of a TLS target, or the place a
// document publishes a certificate: SAML entity/role/use, JWKS kid/use), the certificates there.
// Pure: the probe compares the locations of its last successful check with the new ones.
import type { CheckResult } from '../policy/check-result.ts';
import type { LocatedCertificate, Locations } from '../policy/events.ts';
import { problemOf } from '../policy/problem.ts';
import type { Status } from '../policy/status.ts';

/** Most locations a target's state remembers (a document can publish many certificates). */
export const MAX_LOCATIONS = 64;

/** The locations of a check, or undefined when it read nothing (a failed check moves nothing). */
export function locationsOf(result: CheckResult): Locations | undefined {
  if (result.status === 'error' && result.certificates.every((c) => c.fingerprint256 === null)) return undefined;
  const byFingerprint = new Map(result.certificates.map((c) => [c.fingerprint256, c]));
  const locations: Locations = {};
  const put = (where: string, fingerprint: string, status: Status) => {
    const entry = byFingerprint.get(fingerprint);
    const list = locations[where] ?? [];
    locations[where] = list;
    if (list.some((c) => c.fingerprint256 === fingerprint)) return;
    const located: LocatedCertificate = {
      fingerprint256: fingerprint,
      namesKey: entry?.namesKey ?? null,
      notAfter: entry?.notAfter ?? null,
    };
    if (status === 'invalid' || status === 'revoked') located.refused = status;
    list.push(located);
  };
  if (result.kind === 'tls') {
    for (const e of result.endpoints) if (e.fingerprint256) put(e.address, e.fingerprint256, e.status);
  } else {
    for (const c of result.certificates) {
      if (c.fingerprint256) put(c.namesKey ?? c.fingerprint256, c.fingerprint256, c.status);
    }
  }
  const kept = Object.keys(locations).sort().slice(0, MAX_LOCATIONS);
  return Object.fromEntries(kept.map((k) => [k, locations[k] as LocatedCertificate[]]));
}

export interface Refusal {
  status: 'invalid' | 'revoked';
  problem: string;
}

/** Why the check refused `located` (a certificate at one location), in words (problem.ts); undefined when it did not. */
export function refusalOf(result: CheckResult, located: LocatedCertificate): Refusal | undefined {
  if (!located.refused) return undefined;
  const status = located.refused;
  const entry = result.certificates.find((c) => c.fingerprint256 === located.fingerprint256);
  const problem =
    (result.kind !== 'tls' ? entry?.problem : null) ?? problemOf({ ...result, status, error: null }) ?? status;
  return { status, problem };
}

/**
 * The certificates that stayed at a location and whose verdict there changed (refused, accepted,
 * or refused otherwise), for the inventory to record; a state written before verdicts were kept
 * reads as accepted everywhere, so its first check records the refusals it sees.
 */
export function verdictChanges(
  before: Locations | undefined,
  after: Locations,
): { where: string; located: LocatedCertificate }[] {
  const changes: { where: string; located: LocatedCertificate }[] = [];
  for (const [where, now] of Object.entries(after)) {
    const old = before?.[where] ?? [];
    for (const located of now) {
      const was = old.find((o) => o.fingerprint256 === located.fingerprint256);
      if (was && was.refused !== located.refused) changes.push({ where, located });
    }
  }
  return changes;
}

export interface LocationChange {
  where: string;
  /** A certificate that appeared at the location. */
  added?: LocatedCertificate;
  /** A certificate that left it, and the one that replaced it there, if any. */
  removed?: LocatedCertificate;
  replacedBy?: LocatedCertificate;
}

/**
 * What changed between two sets of locations. A certificate that leaves a location where one
 * covering the same names (the same names key) with a later expiry arrived is replaced by it.
 */
export function diffLocations(before: Locations | undefined, after: Locations): LocationChange[] {
  const changes: LocationChange[] = [];
  const wheres = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const where of [...wheres].sort()) {
    const old = before?.[where] ?? [];
    const now = after[where] ?? [];
    const oldSet = new Set(old.map((c) => c.fingerprint256));
    const nowSet = new Set(now.map((c) => c.fingerprint256));
    const arrived = now.filter((c) => !oldSet.has(c.fingerprint256));
    for (const c of arrived) changes.push({ where, added: c });
    for (const c of old.filter((x) => !nowSet.has(x.fingerprint256))) {
      const replacement = arrived
        .concat(now)
        .find(
          (n) =>
            n.fingerprint256 !== c.fingerprint256 &&
            n.namesKey !== null &&
            n.namesKey === c.namesKey &&
            n.notAfter !== null &&
            c.notAfter !== null &&
            n.notAfter > c.notAfter,
        );
      changes.push({ where, removed: c, ...(replacement ? { replacedBy: replacement } : {}) });
    }
  }
  return changes;
}
