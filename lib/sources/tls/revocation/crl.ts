// Certificate revocation lists (RFC 5280 §5): where a certificate says its CRL is, and what a CRL
// says about it, once its signature has been verified with the issuer's key. Everything read from
// a certificate or a CRL is hostile: URLs are bounded in number and length, sizes are capped by
// the caller, and nothing here throws past `readCrl`'s documented CrlError.

import { verify, type X509Certificate } from 'node:crypto';
import { perCertificate } from '../../../certificate/certificate-cache.ts';
import {
  certificateExtensions,
  children,
  DerError,
  type Element,
  element,
  oid,
  subjectBytes,
  TAG,
  time,
} from '../../../certificate/der.ts';
import { createPacer } from '../../../concurrency.ts';

const CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const CRL_REASON = '2.5.29.21';

/** Most distribution point URLs tried per certificate, and the longest one read. */
export const MAX_CRL_URLS = 3;
export const MAX_URL_LENGTH = 1024;

/** A CRL that cannot be used: unreadable, badly signed, for another issuer, or out of date. */
export class CrlError extends Error {
  override name = 'CrlError';
}

/** The http(s) URLs of a certificate's CRL distribution points (at most MAX_CRL_URLS). */
export const crlUrls = perCertificate(distributionPoints);

function distributionPoints(cert: X509Certificate): string[] {
  const urls: string[] = [];
  try {
    const value = certificateExtensions(cert.raw).get(CRL_DISTRIBUTION_POINTS);
    if (!value) return [];
    // CRLDistributionPoints ::= SEQUENCE OF DistributionPoint; distributionPoint [0] { fullName [0]
    // GeneralNames }; a URI is GeneralName [6] IA5String.
    for (const point of children(element(value).content)) {
      const name = children(point.content).find((e) => e.tag === 0xa0);
      const full = name ? children(name.content).find((e) => e.tag === 0xa0) : undefined;
      for (const general of full ? children(full.content) : []) {
        if (general.tag !== 0x86) continue;
        const uri = general.content.toString('latin1');
        if (uri.length <= MAX_URL_LENGTH && /^https?:\/\/[\x21-\x7e]+$/i.test(uri) && !urls.includes(uri))
          urls.push(uri);
      }
    }
  } catch {
    return urls.slice(0, MAX_CRL_URLS);
  }
  return urls.slice(0, MAX_CRL_URLS);
}

/** What a verified CRL says. */
export interface Crl {
  thisUpdate: Date;
  /** When the next CRL is due; a CRL past it is stale. Null when the CRL does not say. */
  nextUpdate: Date | null;
  /** How many certificates it revokes. */
  size: number;
  /** When and why the certificate with this serial (hex) was revoked; undefined when it was not. */
  lookup(serial: string): { at: Date; reason: string | null } | undefined;
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
export async function readCrl(body: Buffer, issuer: X509Certificate, now: Date): Promise<Crl> {
  const der = pemOrDer(body);
  try {
    return await parseCrl(der, issuer, now);
  } catch (error) {
    if (error instanceof DerError) throw new CrlError('the CRL cannot be parsed');
    throw error;
  }
}

async function parseCrl(der: Buffer, issuer: X509Certificate, now: Date): Promise<Crl> {
  const top = element(der);
  if (top.tag !== TAG.sequence) throw new DerError('not a CRL');
  const [tbs, algorithm, signature] = children(top.content);
  if (tbs?.tag !== TAG.sequence || algorithm?.tag !== TAG.sequence || signature?.tag !== TAG.bitString) {
    throw new DerError('not a CRL');
  }
  const fields = children(tbs.content);
  let i = fields[0]?.tag === TAG.integer ? 1 : 0; // version
  i++; // signature algorithm (repeated outside)
  const issuerName = fields[i++];
  const thisUpdateField = fields[i++];
  if (issuerName?.tag !== TAG.sequence || !thisUpdateField) throw new DerError('not a CRL');
  // The CA writes its own name as in its certificate: compared byte for byte (RFC 5280 §7.1).
  if (!issuerName.bytes.equals(subjectBytes(issuer.raw))) {
    throw new CrlError('the CRL was issued by another CA than the certificate');
  }
  const thisUpdate = time(thisUpdateField);
  let nextUpdate: Date | null = null;
  const maybeNext = fields[i];
  if (maybeNext && (maybeNext.tag === TAG.utcTime || maybeNext.tag === TAG.generalizedTime)) {
    nextUpdate = time(maybeNext);
    i++;
  }
  const algorithmId = children(algorithm.content)[0];
  const id = algorithmId?.tag === TAG.oid ? oid(algorithmId.content) : '';
  if (!(id in SIGNATURE_HASHES)) {
    throw new CrlError(`the CRL is signed with an algorithm certvigil does not verify (${id.slice(0, 64)})`);
  }
  let valid = false;
  try {
    // The signature covers the TBS bytes as sent; a BIT STRING's first byte counts unused bits.
    valid = verify(SIGNATURE_HASHES[id] ?? null, tbs.bytes, issuer.publicKey, signature.content.subarray(1));
  } catch {
    valid = false;
  }
  if (!valid) throw new CrlError("the CRL's signature does not verify with the issuer's key");
  if (thisUpdate.getTime() > now.getTime() + 5 * 60_000) throw new CrlError('the CRL is dated in the future');
  if (nextUpdate && nextUpdate.getTime() < now.getTime()) {
    throw new CrlError(`the CRL is out of date (next update was due ${nextUpdate.toISOString()})`);
  }
  // Only serial → where its entry is: a 100,000-entry CRL keeps a few MiB, not objects per entry.
  const index = new Map<string, number>();
  const list = fields[i]?.tag === TAG.sequence ? (fields[i] as Element) : undefined;
  // 100,000 entries take a few hundred ms: indexed in slices, so other checks' timers still fire.
  const pace = createPacer();
  for (let offset = 0; list && offset < list.content.length; ) {
    if ((index.size & 255) === 0 && pace.due()) await pace.yield();
    const entry = element(list.content, offset);
    const serial = element(entry.content, 0);
    if (serial.tag === TAG.integer) index.set(serialKey(serial.content), offset);
    offset = entry.end;
  }
  const content = list?.content ?? Buffer.alloc(0);
  return {
    thisUpdate,
    nextUpdate,
    size: index.size,
    lookup(serial) {
      const offset = index.get(serialKey(serial));
      return offset === undefined ? undefined : revokedEntry(element(content, offset).content);
    },
  };
}

/** The date and reason of one revokedCertificates entry. */
function revokedEntry(content: Buffer): { at: Date; reason: string | null } {
  const [, date, extensions] = children(content);
  if (!date) throw new CrlError('a CRL entry has no revocation date');
  let reason: string | null = null;
  for (const extension of extensions?.tag === TAG.sequence ? children(extensions.content) : []) {
    const parts = children(extension.content);
    if (parts[0]?.tag !== TAG.oid || oid(parts[0].content) !== CRL_REASON) continue;
    const value = parts.at(-1);
    const enumerated = value?.tag === TAG.octetString ? element(value.content) : undefined;
    const code = enumerated?.tag === TAG.enumerated ? enumerated.content.at(-1) : undefined;
    if (code !== undefined) reason = REASONS[code] ?? `reason ${code}`;
  }
  return { at: time(date), reason };
}

function pemOrDer(body: Buffer): Buffer {
  const text = body.subarray(0, 64).toString('latin1');
  if (!text.includes('-----BEGIN')) return body;
  const match = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(body.toString('latin1'));
  if (!match?.[1]) throw new CrlError('the CRL is PEM without an X509 CRL block');
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}
