import { DAY_MS } from '../certificate/cert-facts.ts';
import type { Status } from './status.ts';

import { describeTrustError } from './trust-errors.ts';

export { describeTrustError };

/**
 * Default renewal windows, as fractions of the certificate's lifetime with caps. ACME clients
 * renew with about a third of the lifetime left, so a warning at a quarter can only mean the
 * renewal has been failing for a while; caps keep long-lived certificates at the familiar
 * "a month ahead, critical in the last week".
 */
export const DEFAULT_WINDOWS = {
  /** warn when less than this fraction of the lifetime is left… */
  warnFraction: 1 / 4,
  /** …but never earlier than this many days before expiry */
  warnMaxDays: 30,
  /** critical when less than this fraction of the lifetime is left… */
  critFraction: 1 / 10,
  /** …but never earlier than this many days before expiry */
  critMaxDays: 7,
  /** …and always in the last day (unless the warning window itself is shorter) */
  critMinDays: 1,
} as const;

/** Explicit windows in days; either may be given alone. */
export interface Thresholds {
  warnDays?: number | undefined;
  critDays?: number | undefined;
}

export interface Windows {
  warnDays: number;
  critDays: number;
}

/** The windows for a certificate of the given lifetime, with explicit thresholds taking precedence. */
export function renewalWindows(lifetimeDays: number, explicit: Thresholds = {}): Windows {
  const d = DEFAULT_WINDOWS;
  const lifetime = Math.max(0, lifetimeDays);
  const warnDays = explicit.warnDays ?? Math.min(d.warnMaxDays, lifetime * d.warnFraction);
  const defaultCrit = Math.min(d.critMaxDays, Math.max(d.critMinDays, lifetime * d.critFraction), warnDays);
  return { warnDays, critDays: explicit.critDays ?? defaultCrit };
}

/** What the policy needs to know about a certificate and its chain. */
export interface CertificateState {
  notBefore: Date;
  notAfter: Date;
  /** Earliest notAfter among the leaf and the intermediates (trust anchor excluded). */
  chainNotAfter: Date;
  /** Latest notBefore among the leaf and the intermediates. */
  chainNotBefore: Date;
  trusted: boolean;
  /** OpenSSL's verification error code when not trusted. */
  trustError: string | null;
  hostnameMatch: boolean;
}

export interface Verdict {
  status: Exclude<Status, 'error'>;
  /** One line a person can read: why this status. */
  reason: string;
}

/** Whole days from now until `date`, rounded down (negative once past). */
export function daysUntil(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / DAY_MS);
}

/**
 * The status of a certificate at `now`. Expiry is judged on the earlier of leaf and chain;
 * an expired certificate is `expired` whatever else is wrong with it, then anything that makes
 * clients refuse it is `invalid`, then the windows apply.
 */
export function evaluateCertificate(cert: CertificateState, now: Date, explicit: Thresholds = {}): Verdict {
  const expiry = Math.min(cert.notAfter.getTime(), cert.chainNotAfter.getTime());
  const chainFirst = cert.chainNotAfter.getTime() < cert.notAfter.getTime();
  const which = chainFirst ? 'an intermediate certificate' : 'the certificate';
  const remainingMs = expiry - now.getTime();
  if (remainingMs <= 0) {
    return { status: 'expired', reason: `${which} expired ${isoDate(expiry)}` };
  }
  if (Math.max(cert.notBefore.getTime(), cert.chainNotBefore.getTime()) > now.getTime()) {
    return {
      status: 'invalid',
      reason: `not valid before ${new Date(Math.max(cert.notBefore.getTime(), cert.chainNotBefore.getTime())).toISOString()}`,
    };
  }
  if (!cert.trusted) {
    return { status: 'invalid', reason: `untrusted: ${describeTrustError(cert.trustError)}` };
  }
  if (!cert.hostnameMatch) {
    return { status: 'invalid', reason: 'the certificate does not name this host' };
  }
  const lifetimeDays = (cert.notAfter.getTime() - cert.notBefore.getTime()) / DAY_MS;
  const windows = renewalWindows(lifetimeDays, explicit);
  const left = `${which} expires ${isoDate(expiry)}`;
  if (remainingMs <= windows.critDays * DAY_MS) {
    return { status: 'critical', reason: `${left}, inside the ${formatDays(windows.critDays)}-day critical window` };
  }
  if (remainingMs <= windows.warnDays * DAY_MS) {
    return { status: 'warning', reason: `${left}, inside the ${formatDays(windows.warnDays)}-day warning window` };
  }
  return { status: 'ok', reason: `${left}` };
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function formatDays(days: number): string {
  return Number.isInteger(days) ? String(days) : days.toFixed(1);
}
