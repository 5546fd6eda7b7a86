// The certificate-centric view of the inventory: for each certificate, where it is served now,
// what replaced it or what it replaces, and how far its rollout has got.
import { colonHex } from '../certificate/fingerprint.ts';
import { renewalWindows } from '../policy/renewal-policy.ts';
import { worstStatus } from '../policy/status.ts';
import { type CertificateItem, rolloutOf, splitLocation } from '../store/certificate-store.ts';

/** By its dates, as a target's; `invalid` or `revoked` when a location serving it refuses it. */
export type CertificateStatus = 'ok' | 'warning' | 'critical' | 'expired' | 'invalid' | 'revoked';

export interface CertificateView {
  fingerprint256: string;
  subject: string | null;
  issuer: string | null;
  notBefore: string | null;
  notAfter: string | null;
  daysLeft: number | null;
  status: CertificateStatus;
  /**
   * Why a location serving it refuses it (untrusted, the wrong name there, not yet valid,
   * revoked), in words, as the latest to refuse it said; null when none does.
   */
  problem: string | null;
  /** Where it is served now, and whether that location refuses it (a page shows the first 50: `locationCount` says how many). */
  locations: { target: string; where: string; refused: boolean }[];
  locationCount: number;
  /** How many of those refuse it. */
  refusedCount: number;
  replacedBy: string | null;
  replaces: string[];
  rollout: { done: number; total: number; since: string } | null;
  firstSeen: string;
  lastSeen: string;
}

const DAY_MS = 86_400_000;

export function certificateView(item: CertificateItem, now: Date): CertificateView {
  const left = item.notAfter ? Date.parse(item.notAfter) - now.getTime() : null;
  const windows = renewalWindows(item.lifetimeDays ?? 90);
  const byDates: CertificateStatus =
    left === null
      ? 'ok'
      : left <= 0
        ? 'expired'
        : left <= windows.critDays * DAY_MS
          ? 'critical'
          : left <= windows.warnDays * DAY_MS
            ? 'warning'
            : 'ok';
  const locs = item.locs ?? new Set<string>();
  const refused = [...(item.refusedLocs ?? [])].filter((l) => locs.has(l));
  // The words are those of the latest location to refuse it; once that one no longer does, they
  // may not hold for the others: the view then sends the reader to the targets that refuse it.
  const said = item.refusal;
  const current = said && (said.location === undefined || refused.includes(said.location));
  const problem = refused.length ? (current && said ? said.problem : 'see the targets that refuse it') : null;
  const status = refused.length ? (worstStatus([byDates, said?.status ?? 'invalid']) as CertificateStatus) : byDates;
  return {
    fingerprint256: item.fingerprint256,
    subject: item.subject ?? null,
    issuer: item.issuer ?? null,
    notBefore: item.notBefore ?? null,
    notAfter: item.notAfter ?? null,
    daysLeft: left === null ? null : Math.floor(left / DAY_MS),
    status,
    problem,
    // Those refusing it first: a page shows the first 50.
    locations: [...locs]
      .sort()
      .map((l) => ({ ...splitLocation(l), refused: item.refusedLocs?.has(l) ?? false }))
      .sort((a, b) => Number(b.refused) - Number(a.refused)),
    locationCount: locs.size,
    refusedCount: refused.length,
    replacedBy: item.replacedBy ?? null,
    replaces: [...(item.replaces ?? [])].sort(),
    rollout: rolloutOf(item) ?? null,
    firstSeen: item.firstSeen,
    lastSeen: item.lastSeen,
  };
}

/** A fingerprint as written anywhere (any case, with or without colons), in the stored form. */
export function canonicalFingerprint(text: string): string | undefined {
  const hex = text.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return colonHex(hex);
}

/** Soonest expiry first; certificates served nowhere any more last. */
export function sortCertificates(views: CertificateView[]): CertificateView[] {
  const expiry = (v: CertificateView) => (v.notAfter ? Date.parse(v.notAfter) : Number.POSITIVE_INFINITY);
  return views.sort(
    (a, b) =>
      Number(a.locationCount === 0) - Number(b.locationCount === 0) ||
      expiry(a) - expiry(b) ||
      a.fingerprint256.localeCompare(b.fingerprint256),
  );
}
