// Where a target's certificates are: per location (an address of a TLS target, or the place a
// document publishes a certificate: SAML entity/role/use, JWKS kid/use), the certificates there.
// Pure: the probe compares the locations of its last successful check with the new ones.
import type { CheckResult } from '../policy/check-result.ts';
import type { LocatedCertificate, Locations } from '../policy/events.ts';

/** Most locations a target's state remembers (a document can publish many certificates). */
export const MAX_LOCATIONS = 64;

/** The locations of a check, or undefined when it read nothing (a failed check moves nothing). */
export function locationsOf(result: CheckResult): Locations | undefined {
  if (result.status === 'error' && result.certificates.every((c) => c.fingerprint256 === null)) return undefined;
  const byFingerprint = new Map(result.certificates.map((c) => [c.fingerprint256, c]));
  const locations: Locations = {};
  const put = (where: string, fingerprint: string) => {
    const entry = byFingerprint.get(fingerprint);
    const list = locations[where] ?? [];
    locations[where] = list;
    if (list.some((c) => c.fingerprint256 === fingerprint)) return;
    list.push({ fingerprint256: fingerprint, namesKey: entry?.namesKey ?? null, notAfter: entry?.notAfter ?? null });
  };
  if (result.kind === 'tls') {
    for (const e of result.endpoints) if (e.fingerprint256) put(e.address, e.fingerprint256);
  } else {
    for (const c of result.certificates) if (c.fingerprint256) put(c.namesKey ?? c.fingerprint256, c.fingerprint256);
  }
  const kept = Object.keys(locations).sort().slice(0, MAX_LOCATIONS);
  return Object.fromEntries(kept.map((k) => [k, locations[k] as LocatedCertificate[]]));
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
