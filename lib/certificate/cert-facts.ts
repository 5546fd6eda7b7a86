import { createHash, type X509Certificate } from 'node:crypto';
import { boundList, boundText, LIMITS } from '../text-bounds.ts';
import { issued, perCertificate } from './certificate-cache.ts';

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** What a check reports about one certificate; every text field is bounded (lib/text-bounds). */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  lifetimeDays: number;
  serialNumber: string;
  fingerprint256: string;
  sans: string[];
  /** What the certificate is for: a hash of its full SAN list (its subject when it has none). */
  namesKey: string;
  keyType: string | null;
  keyBits: number | null;
  signatureAlgorithm: string | null;
}

const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  'P-256': 256,
  secp256k1: 256,
  secp384r1: 384,
  'P-384': 384,
  secp521r1: 521,
  'P-521': 521,
  ed25519: 256,
  ed448: 456,
};

/** The key's type and size in bits (curve size for EC and EdDSA keys). */
const keyOf = perCertificate((cert: X509Certificate): { keyType: string | null; keyBits: number | null } => {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const keyType = key.asymmetricKeyType ?? null;
  const keyBits =
    details.modulusLength ??
    (details.namedCurve ? CURVE_BITS[details.namedCurve] : undefined) ??
    (keyType ? CURVE_BITS[keyType] : undefined) ??
    null;
  return { keyType, keyBits };
});

/** What the findings rules look at, for one certificate (findings.ts). */
export function judgedCertificate(cert: X509Certificate, place: { leaf: boolean; root: boolean }): JudgedCertificate {
  return { ...judgedFacts(cert), ...place };
}

const judgedFacts = perCertificate((cert: X509Certificate): Omit<JudgedCertificate, 'leaf' | 'root'> => {
  const { keyType, keyBits } = keyOf(cert);
  return {
    fingerprint256: cert.fingerprint256,
    subject: distinguishedName(cert.subject),
    keyType,
    keyBits,
    signatureAlgorithm: cert.signatureAlgorithm ? boundText(cert.signatureAlgorithm, LIMITS.token) : null,
    notBefore: cert.validFromDate.toISOString(),
    lifetimeDays: (cert.validToDate.getTime() - cert.validFromDate.getTime()) / DAY_MS,
    selfSigned: issued(cert, cert),
  };
});

/** The facts of one certificate (shared between the checks that meet it: frozen). */
export const certificateFacts = perCertificate((cert: X509Certificate): CertificateFacts => {
  const { keyType, keyBits } = keyOf(cert);
  return {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    notBefore: cert.validFromDate.toISOString(),
    notAfter: cert.validToDate.toISOString(),
    lifetimeDays: Math.round(((cert.validToDate.getTime() - cert.validFromDate.getTime()) / DAY_MS) * 100) / 100,
    serialNumber: boundText(cert.serialNumber, LIMITS.serial),
    fingerprint256: cert.fingerprint256,
    sans: boundList(subjectAltNames(cert.subjectAltName), LIMITS.sans, LIMITS.san),
    namesKey: namesKeyOf(cert),
    keyType: keyType === null ? null : boundText(keyType, LIMITS.token),
    keyBits,
    signatureAlgorithm: cert.signatureAlgorithm ? boundText(cert.signatureAlgorithm, LIMITS.token) : null,
  };
});

/**
 * Two certificates with the same names key cover the same names: the same subject alternative
 * names in any order, or, for certificates without SANs, the same subject. A short hash, so it
 * stays small whatever the certificate holds.
 */
export function namesKeyOf(cert: X509Certificate): string {
  const sans = subjectAltNames(cert.subjectAltName);
  const basis = sans.length
    ? `san:${[...new Set(sans.map((s) => s.toLowerCase()))].sort().join('\n')}`
    : `subject:${cert.subject}`;
  return createHash('sha256').update(basis).digest('base64url').slice(0, 22);
}

/** The short description of a chain member. */
export const chainEntry = perCertificate(
  (cert: X509Certificate): ChainEntry => ({
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    notBefore: cert.validFromDate.toISOString(),
    notAfter: cert.validToDate.toISOString(),
    fingerprint256: cert.fingerprint256,
  }),
);

/** Node prints a DN one attribute per line; we keep it on one line, bounded. */
function distinguishedName(dn: string): string {
  return boundText(dn.split('\n').filter(Boolean).join(', '), LIMITS.name);
}

/**
 * Splits Node's subjectAltName text ("DNS:a.example, IP Address:127.0.0.1") into values.
 * DNS names and IP addresses are given bare; other kinds keep their prefix (`email:…`, `URI:…`).
 * Node quotes values that contain separators, so quoted strings are honoured.
 */
export function subjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (ch === ',' && !quoted && text[i + 1] === ' ') {
      entries.push(current);
      current = '';
      i++;
      continue;
    }
    current += ch;
  }
  if (current) entries.push(current);
  return entries.map((entry) => {
    const colon = entry.indexOf(':');
    const kind = entry.slice(0, colon);
    let value = entry.slice(colon + 1);
    if (value.startsWith('"') && value.endsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        value = value.slice(1, -1);
      }
    }
    return kind === 'DNS' || kind === 'IP Address' ? value : `${kind}:${value}`;
  });
}

export interface ChainEntry {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  fingerprint256: string;
}

/** What the rules look at, for one certificate of a chain (or of a source). */
export interface JudgedCertificate {
  fingerprint256: string;
  subject: string;
  keyType: string | null;
  keyBits: number | null;
  signatureAlgorithm: string | null;
  notBefore: string;
  lifetimeDays: number;
  /** The trust anchor that ends a chain: its own signature and key are the trust store's business. */
  root: boolean;
  /** Signed by its own key: the signature proves nothing, so its algorithm does not matter. */
  selfSigned: boolean;
  /** The end-entity certificate (the lifetime rule is about these). */
  leaf: boolean;
}
