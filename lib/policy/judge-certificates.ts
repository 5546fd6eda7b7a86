// The one judge of certificates read from a source: every kind ends here (the TLS probe judges
// its leaf with the same renewal policy, plus what only a handshake can tell: trust and name).
import { createHash, type X509Certificate } from 'node:crypto';
import { type CertificateFacts, certificateFacts, DAY_MS, judgedCertificate } from '../certificate/cert-facts.ts';
import { colonHex } from '../certificate/fingerprint.ts';
import { boundNullable, boundText, LIMITS } from '../text-bounds.ts';
import type { CertificateEntry } from './check-result.ts';
import { type Finding, findingCodes, findingsOf, MAX_FINDINGS } from './findings.ts';
import { daysUntil, evaluateCertificate, type Thresholds } from './renewal-policy.ts';
import { severity } from './status.ts';

/** A certificate read from a document, with where it was published. */
export interface SourceCertificate {
  /** Null for a key published without a certificate (a JWKS key without x5c). */
  cert: X509Certificate | null;
  /** Where the document publishes it (replaces the names key of the certificate itself). */
  placeKey?: string | undefined;
  entityId?: string | undefined;
  role?: string | undefined;
  use?: string | undefined;
  kid?: string | undefined;
  alg?: string | undefined;
  /** Set by the reader when the certificate is unusable as published (a digest mismatch, say). */
  problem?: string | undefined;
  /** A validity AWS reports without the certificate itself (`cert` null): see DatedValidity. */
  dated?: DatedValidity | undefined;
}

/**
 * An end date a service reports without giving the certificate (an RDS instance's server
 * certificate, the RDS CA it uses). It is judged like a
 * certificate with those dates; it stands in `certificates[]` with a fingerprint that is a digest
 * of its identity and end (`identity` names what it is: a new end date is a new "certificate", so
 * a renewal is news once, as for a real one) and no key facts.
 */
export interface DatedValidity {
  /** What it is, stable across checks: `rds-server:ARN`, `rds-ca:IDENTIFIER`… */
  identity: string;
  /** A readable name for it ("RDS server certificate of db-1"). */
  subject: string;
  issuer: string | null;
  /** Unknown for some (RDS gives only the end): the windows then take their caps. */
  notBefore: Date | null;
  notAfter: Date;
}

/** The fingerprint a dated validity stands under: SHA-256 of its identity and end, as colon hex. */
export function datedFingerprint(dated: Pick<DatedValidity, 'identity' | 'notAfter'>): string {
  const digest = createHash('sha256').update(`dated\n${dated.identity}\n${dated.notAfter.toISOString()}`).digest('hex');
  return colonHex(digest);
}

/** Most certificates kept in a result; a document may publish thousands (federation aggregates). */
export const MAX_CERTIFICATES = 50;

/**
 * Judges certificates one at a time as a source reads them (so a reader never holds thousands of
 * parsed certificates), then marks rollovers and orders them worst first, then soonest expiry,
 * keeping at most MAX_CERTIFICATES. Each is judged on its own lifetime; trust is not judged
 * (self-signed is normal in documents). The first entry kept governs the target's status.
 */
export function certificateJudge(
  now: Date,
  thresholds: Thresholds,
  purposeOf: (item: SourceCertificate) => string,
  options: { findingsInvalid?: boolean | undefined } = {},
) {
  const seen = new Set<string>();
  // Findings by certificate: each is judged alone (a document's certificates form no chain).
  const weak = new Map<string, Finding[]>();
  const judged: { entry: CertificateEntry; purpose: string }[] = [];
  // The same certificate is often published many times (federations reuse them): judge it once.
  const facts = new Map<string, CertificateEntry>();
  let items = 0;
  return {
    /** How many certificates (and keys without one) were added. */
    get count(): number {
      return items;
    },
    add(item: SourceCertificate): void {
      items++;
      const purpose = purposeOf(item);
      const cached = item.cert && !item.problem ? facts.get(item.cert.fingerprint256) : undefined;
      const entry = cached
        ? { ...cached, ...metaOf(item), namesKey: item.placeKey ? shortKey(item.placeKey) : cached.namesKey }
        : judgeOne(item, now, thresholds, weak, options.findingsInvalid ?? false);
      if (!cached && item.cert && !item.problem) facts.set(item.cert.fingerprint256, entry);
      // The same certificate published twice for the same purpose counts once.
      const key = `${entry.fingerprint256 ?? item.kid ?? ''}\n${purpose}`;
      if (seen.has(key)) return;
      seen.add(key);
      judged.push({ entry, purpose });
    },
    finish(): { entries: CertificateEntry[]; total: number; findings: Finding[] } {
      // A rollover: a later-expiring certificate for the same purpose is already published.
      const latest = new Map<string, CertificateEntry>();
      for (const { entry, purpose } of judged) {
        const best = latest.get(purpose);
        if (entry.notAfter && (!best?.notAfter || entry.notAfter > best.notAfter)) latest.set(purpose, entry);
      }
      for (const { entry, purpose } of judged) {
        const best = latest.get(purpose);
        if (best && best !== entry && entry.notAfter && best.notAfter && best.notAfter > entry.notAfter) {
          entry.successor = best.fingerprint256;
        }
      }
      const entries = judged.map((j) => j.entry).sort(worstFirst);
      const kept = entries.slice(0, MAX_CERTIFICATES);
      const findings = [...new Set(kept.map((e) => e.fingerprint256))].flatMap((f) => (f ? (weak.get(f) ?? []) : []));
      return { entries: kept, total: entries.length, findings: findings.slice(0, MAX_FINDINGS) };
    },
  };
}

export type CertificateJudge = ReturnType<typeof certificateJudge>;

export function worstFirst(a: CertificateEntry, b: CertificateEntry): number {
  const expiry = (e: CertificateEntry) => (e.notAfter === null ? Number.POSITIVE_INFINITY : Date.parse(e.notAfter));
  return severity(b.status) - severity(a.status) || expiry(a) - expiry(b);
}

function metaOf(item: SourceCertificate) {
  return {
    entityId: boundNullable(item.entityId ?? null, 256),
    role: boundNullable(item.role ?? null, LIMITS.token),
    use: boundNullable(item.use ?? null, LIMITS.token),
    kid: boundNullable(item.kid ?? null, LIMITS.token * 4),
    alg: boundNullable(item.alg ?? null, LIMITS.token),
    successor: null,
  };
}

/** The purpose fields of an entry when a source has none (a TLS leaf). */
const NO_PLACE = { entityId: null, role: null, use: null, kid: null, alg: null, successor: null } as const;

/** An entry of `certificates[]` from a certificate's facts: the one shape every source reports. */
export function certificateEntry(
  facts: CertificateFacts,
  judged: { daysLeft: number; status: CertificateEntry['status']; problem: string | null; namesKey: string | null },
  place: Pick<CertificateEntry, 'entityId' | 'role' | 'use' | 'kid' | 'alg' | 'successor'> = NO_PLACE,
): CertificateEntry {
  return {
    fingerprint256: facts.fingerprint256,
    subject: facts.subject,
    issuer: facts.issuer,
    serialNumber: facts.serialNumber,
    notBefore: facts.notBefore,
    notAfter: facts.notAfter,
    daysLeft: judged.daysLeft,
    lifetimeDays: facts.lifetimeDays,
    status: judged.status,
    keyType: facts.keyType,
    keyBits: facts.keyBits,
    signatureAlgorithm: facts.signatureAlgorithm,
    problem: judged.problem,
    namesKey: judged.namesKey,
    ...place,
  };
}

function judgeOne(
  item: SourceCertificate,
  now: Date,
  thresholds: Thresholds,
  weak: Map<string, Finding[]>,
  findingsInvalid: boolean,
): CertificateEntry {
  const meta = metaOf(item);
  if (!item.cert && item.dated) return judgeDated(item.dated, item, now, thresholds, meta);
  if (!item.cert) {
    return {
      fingerprint256: null,
      subject: null,
      issuer: null,
      serialNumber: null,
      notBefore: null,
      notAfter: null,
      daysLeft: null,
      lifetimeDays: null,
      status: item.problem ? 'invalid' : 'ok',
      keyType: null,
      keyBits: null,
      signatureAlgorithm: null,
      problem: boundNullable(item.problem ?? null, 200),
      namesKey: item.placeKey ? shortKey(item.placeKey) : null,
      ...meta,
    };
  }
  const cert = item.cert;
  const facts = certificateFacts(cert);
  const verdict = evaluateCertificate(
    {
      notBefore: cert.validFromDate,
      notAfter: cert.validToDate,
      chainNotAfter: cert.validToDate,
      chainNotBefore: cert.validFromDate,
      trusted: true,
      trustError: null,
      hostnameMatch: true,
    },
    now,
    thresholds,
  );
  const findings = findingsOf([judgedCertificate(cert, { leaf: true, root: false })], { publiclyTrusted: false });
  if (findings.length) weak.set(cert.fingerprint256, findings);
  const weakened = findingsInvalid && findings.length > 0;
  const status = (item.problem || weakened) && verdict.status !== 'expired' ? 'invalid' : verdict.status;
  const problem =
    item.problem ??
    (weakened && verdict.status !== 'invalid' ? `weak: ${findingCodes(findings).join(', ')}` : null) ??
    (status === 'invalid' ? verdict.reason : null);
  return certificateEntry(
    facts,
    {
      daysLeft: daysUntil(cert.validToDate, now),
      status,
      problem: boundNullable(problem, 200),
      namesKey: item.placeKey ? shortKey(item.placeKey) : facts.namesKey,
    },
    meta,
  );
}

function judgeDated(
  dated: DatedValidity,
  item: SourceCertificate,
  now: Date,
  thresholds: Thresholds,
  meta: ReturnType<typeof metaOf>,
): CertificateEntry {
  // An unknown start counts as long ago: not "not yet valid", and the windows take their caps.
  const notBefore = dated.notBefore ?? new Date(0);
  const verdict = evaluateCertificate(
    {
      notBefore,
      notAfter: dated.notAfter,
      chainNotAfter: dated.notAfter,
      chainNotBefore: notBefore,
      trusted: true,
      trustError: null,
      hostnameMatch: true,
    },
    now,
    thresholds,
  );
  return {
    fingerprint256: datedFingerprint(dated),
    subject: boundText(dated.subject, LIMITS.name),
    issuer: boundNullable(dated.issuer, LIMITS.name),
    serialNumber: null,
    notBefore: dated.notBefore?.toISOString() ?? null,
    notAfter: dated.notAfter.toISOString(),
    daysLeft: daysUntil(dated.notAfter, now),
    lifetimeDays: dated.notBefore
      ? Math.round(((dated.notAfter.getTime() - dated.notBefore.getTime()) / DAY_MS) * 100) / 100
      : null,
    status: verdict.status,
    keyType: null,
    keyBits: null,
    signatureAlgorithm: null,
    problem: verdict.status === 'invalid' ? boundNullable(verdict.reason, 200) : null,
    namesKey: shortKey(item.placeKey ?? dated.identity),
    ...meta,
  };
}

function shortKey(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
