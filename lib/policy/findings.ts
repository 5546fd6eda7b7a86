import type { JudgedCertificate } from '../certificate/cert-facts.ts';
// Weak certificates: what clients refuse long before the expiry date. Each finding has a stable
// code (docs/cli.md: "Findings"); a target decides with `findingsInvalid` whether one makes it invalid.
import { boundText, LIMITS } from '../text-bounds.ts';

export const FINDING_CODES = ['weak-rsa-key', 'sha1-signature', 'md5-signature', 'lifetime-over-limit'] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** One weakness of one certificate of a result. */
export interface Finding {
  code: FindingCode;
  fingerprint256: string;
  subject: string;
  /** What was found, in words (bounded). */
  detail: string;
}

/** Most findings kept on a result. */
export const MAX_FINDINGS = 10;
/** RSA keys shorter than this are weak (NIST SP 800-131A; browsers refuse them). */
export const MIN_RSA_BITS = 2048;

/**
 * The longest lifetime (days) a publicly trusted TLS certificate may have, by its issue date
 * (CA/Browser Forum Baseline Requirements 6.3.2, ballot SC-081).
 */
export const PUBLIC_LIFETIME_LIMITS: readonly { from: string; days: number }[] = [
  { from: '2029-03-15T00:00:00Z', days: 47 },
  { from: '2027-03-15T00:00:00Z', days: 100 },
  { from: '2026-03-15T00:00:00Z', days: 200 },
  { from: '0000-01-01T00:00:00Z', days: 398 },
];

export function maxPublicLifetimeDays(issued: Date): number {
  const at = issued.getTime();
  for (const limit of PUBLIC_LIFETIME_LIMITS) if (at >= Date.parse(limit.from)) return limit.days;
  return 398;
}

/**
 * The findings of a chain (leaf first) or of a source's certificates: weak RSA keys anywhere but
 * on the root, SHA-1 or MD5 signatures on certificates a CA signed (not the root, not a
 * self-signed certificate, whose signature proves nothing), and, for a publicly trusted leaf, a lifetime longer
 * than public CAs may issue on its issue date.
 */
export function findingsOf(
  certificates: readonly JudgedCertificate[],
  options: { publiclyTrusted: boolean },
): Finding[] {
  const findings: Finding[] = [];
  const add = (c: JudgedCertificate, code: FindingCode, detail: string) =>
    findings.push({
      code,
      fingerprint256: c.fingerprint256,
      subject: boundText(c.subject, 200),
      detail: boundText(detail, LIMITS.message),
    });
  for (const c of certificates) {
    if (c.root) continue;
    const who = c.leaf ? 'the certificate' : 'an intermediate';
    if ((c.keyType === 'rsa' || c.keyType === 'rsa-pss') && c.keyBits !== null && c.keyBits < MIN_RSA_BITS) {
      add(c, 'weak-rsa-key', `${who} has a ${c.keyBits}-bit RSA key (at least ${MIN_RSA_BITS} is required)`);
    }
    const algorithm = c.selfSigned ? '' : (c.signatureAlgorithm ?? '');
    if (/md5/i.test(algorithm)) add(c, 'md5-signature', `${who} is signed with MD5 (${algorithm})`);
    else if (/sha-?1(?![0-9])/i.test(algorithm)) add(c, 'sha1-signature', `${who} is signed with SHA-1 (${algorithm})`);
    if (c.leaf && options.publiclyTrusted) {
      const limit = maxPublicLifetimeDays(new Date(c.notBefore));
      if (c.lifetimeDays > limit) {
        add(
          c,
          'lifetime-over-limit',
          `lives ${Math.round(c.lifetimeDays)} days; public CAs may issue at most ${limit} days on ${c.notBefore.slice(0, 10)}`,
        );
      }
    }
  }
  return findings.slice(0, MAX_FINDINGS);
}

/** The codes of a result's findings, distinct, for event keys and notes. */
export function findingCodes(findings: readonly Finding[] | undefined): FindingCode[] {
  return [...new Set((findings ?? []).map((f) => f.code))].sort();
}
