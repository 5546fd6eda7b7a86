// Certificate revocation lists (RFC 5280 §5): where a certificate says its CRL is, and what a CRL
// says about it, once its signature has been verified with the issuer's key. Everything read from
// a certificate or a CRL is hostile: URLs are bounded in number and length, sizes are capped by
// the caller, and nothing here throws past `readCrl`'s documented CrlError.
import { verify, type X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  Certificate,
  CertificateList,
  CRLDistributionPoints,
  CRLReason,
  id_ce_cRLDistributionPoints,
  id_ce_cRLReasons,
  type Name,
} from '@peculiar/asn1-x509';

/** Most distribution point URLs tried per certificate, and the longest one read. */
export const MAX_CRL_URLS = 3;
export const MAX_URL_LENGTH = 1024;

/** A CRL that cannot be used: unreadable, badly signed, for another issuer, or out of date. */
export class CrlError extends Error {
  override name = 'CrlError';
}

/** The http(s) URLs of a certificate's CRL distribution points (at most MAX_CRL_URLS). */
export function crlUrls(cert: X509Certificate): string[] {
  let parsed: Certificate;
  try {
    parsed = AsnConvert.parse(cert.raw, Certificate);
  } catch {
    return [];
  }
  const extension = parsed.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_cRLDistributionPoints);
  if (!extension) return [];
  let points: CRLDistributionPoints;
  try {
    points = AsnConvert.parse(extension.extnValue, CRLDistributionPoints);
  } catch {
    return [];
  }
  const urls: string[] = [];
  for (const point of points) {
    for (const name of point.distributionPoint?.fullName ?? []) {
      const uri = name.uniformResourceIdentifier;
      if (uri && uri.length <= MAX_URL_LENGTH && /^https?:\/\//i.test(uri) && !urls.includes(uri)) urls.push(uri);
    }
  }
  return urls.slice(0, MAX_CRL_URLS);
}

/** What a verified CRL says. */
export interface Crl {
  thisUpdate: Date;
  /** When the next CRL is due; a CRL past it is stale. Null when the CRL does not say. */
  nextUpdate: Date | null;
  /** Revoked serial numbers (upper-case hex, no leading zeros) and when and why. */
  revoked: Map<string, { at: Date; reason: string | null }>;
}

/** RFC 5280 CRLReason codes, by value. */
const REASONS: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

/** Signature algorithms a CRL may be signed with, by OID: the hash given to crypto.verify. */
const SIGNATURE_HASHES: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
  '1.3.101.113': null, // Ed448
};

/** A serial number as the CRL and Node both can say it: upper-case hex without leading zeros. */
export function serialKey(bytes: ArrayBuffer | Uint8Array | string): string {
  const hex = typeof bytes === 'string' ? bytes : Buffer.from(bytes as ArrayBuffer).toString('hex');
  return hex.toUpperCase().replace(/^0+(?=.)/, '');
}

/**
 * Reads a DER CRL (or PEM), checks that `issuer` issued it (its name, and its signature with the
 * issuer's key) and that it is current at `now`, and returns what it says. Throws CrlError.
 */
export function readCrl(body: Buffer, issuer: X509Certificate, now: Date): Crl {
  const der = pemOrDer(body);
  let list: CertificateList;
  try {
    list = AsnConvert.parse(der, CertificateList);
  } catch {
    throw new CrlError('the CRL cannot be parsed');
  }
  const tbs = list.tbsCertList;
  const subject = AsnConvert.parse(issuer.raw, Certificate).tbsCertificate.subject;
  const sameBytes = Buffer.from(AsnConvert.serialize(tbs.issuer)).equals(Buffer.from(AsnConvert.serialize(subject)));
  if (!sameBytes && nameKey(tbs.issuer) !== nameKey(subject)) {
    throw new CrlError('the CRL was issued by another CA than the certificate');
  }
  const oid = list.signatureAlgorithm.algorithm;
  if (!(oid in SIGNATURE_HASHES))
    throw new CrlError(`the CRL is signed with an algorithm certvigil does not verify (${oid.slice(0, 64)})`);
  // The signature covers the TBS bytes as sent: re-encoding them could differ (RFC 5280 §5.1).
  const signed = firstElement(der);
  let valid = false;
  try {
    valid = verify(SIGNATURE_HASHES[oid] ?? null, signed, issuer.publicKey, Buffer.from(list.signature));
  } catch {
    valid = false;
  }
  if (!valid) throw new CrlError("the CRL's signature does not verify with the issuer's key");
  const thisUpdate = tbs.thisUpdate.getTime();
  const nextUpdate = tbs.nextUpdate ? tbs.nextUpdate.getTime() : null;
  if (thisUpdate.getTime() > now.getTime() + 5 * 60_000) throw new CrlError('the CRL is dated in the future');
  if (nextUpdate && nextUpdate.getTime() < now.getTime()) {
    throw new CrlError(`the CRL is out of date (next update was due ${nextUpdate.toISOString()})`);
  }
  const revoked = new Map<string, { at: Date; reason: string | null }>();
  for (const entry of tbs.revokedCertificates ?? []) {
    const reasonExtension = entry.crlEntryExtensions?.find((e) => e.extnID === id_ce_cRLReasons);
    let reason: string | null = null;
    if (reasonExtension) {
      try {
        const code = AsnConvert.parse(reasonExtension.extnValue, CRLReason).reason;
        reason = REASONS[code] ?? `reason ${code}`;
      } catch {
        reason = null;
      }
    }
    revoked.set(serialKey(entry.userCertificate), { at: entry.revocationDate.getTime(), reason });
  }
  return { thisUpdate, nextUpdate, revoked };
}

/** A name compared as RFC 5280 §7.1 asks, roughly: attribute by attribute, case and spaces folded. */
function nameKey(name: Name): string {
  return name
    .map((rdn) =>
      rdn
        .map((a) => `${a.type}=${a.value.toString().trim().toLowerCase().replace(/\s+/g, ' ')}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

/** The bytes of the first element inside a DER SEQUENCE (a signed structure's TBS part). */
function firstElement(der: Buffer): Buffer {
  const outer = header(der, 0);
  const first = header(der, outer.contentStart);
  return der.subarray(outer.contentStart, first.end);
}

function header(der: Buffer, offset: number): { contentStart: number; end: number } {
  let length = der[offset + 1];
  let p = offset + 2;
  if (length === undefined) throw new CrlError('the CRL is truncated');
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new CrlError('the CRL cannot be parsed');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[p++] ?? 0);
  }
  if (p + length > der.length) throw new CrlError('the CRL is truncated');
  return { contentStart: p, end: p + length };
}

function pemOrDer(body: Buffer): Buffer {
  const text = body.subarray(0, 64).toString('latin1');
  if (!text.includes('-----BEGIN')) return body;
  const match = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(body.toString('latin1'));
  if (!match?.[1]) throw new CrlError('the CRL is PEM without an X509 CRL block');
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}
