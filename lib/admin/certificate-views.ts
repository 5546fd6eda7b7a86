// The certificate-centric view of the inventory: for each certificate, where it is served now,
// what replaced it or what it replaces, and how far its rollout has got.
import { colonHex } from '../certificate/fingerprint.ts';
import { renewalWindows } from '../policy/renewal-policy.ts';
import { type CertificateItem, rolloutOf, splitLocation } from '../store/certificate-store.ts';

export type CertificateStatus = 'ok' | 'warning' | 'critical' | 'expired';

export interface CertificateView {
  fingerprint256: string;
  subject: string | null;
  issuer: string | null;
  notBefore: string | null;
  notAfter: string | null;
  daysLeft: number | null;
  status: CertificateStatus;
  /** Where it is served now (a page shows the first 50: `locationCount` says how many). */
  locations: { target: string; where: string }[];
  locationCount: number;
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
  const status: CertificateStatus =
    left === null
      ? 'ok'
      : left <= 0
        ? 'expired'
        : left <= windows.critDays * DAY_MS
          ? 'critical'
          : left <= windows.warnDays * DAY_MS
            ? 'warning'
            : 'ok';
  return {
    fingerprint256: item.fingerprint256,
    subject: item.subject ?? null,
    issuer: item.issuer ?? null,
    notBefore: item.notBefore ?? null,
    notAfter: item.notAfter ?? null,
    daysLeft: left === null ? null : Math.floor(left / DAY_MS),
    status,
    locations: [...(item.locs ?? [])].sort().map(splitLocation),
    locationCount: item.locs?.size ?? 0,
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
