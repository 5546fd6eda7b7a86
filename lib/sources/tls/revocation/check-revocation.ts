// Is a served certificate revoked? Each certificate of the chain that names CRL distribution
// points (the leaf and the intermediates) is looked up in its issuer's CRL, fetched through the
// address guard, bounded in size and time, verified, and kept per URL until its nextUpdate (a day
// at most) for every target this container checks. A CRL that cannot be had makes the revocation
// status `unknown`, never a red target.

import type { X509Certificate } from 'node:crypto';
import type { Revocation } from '../../../policy/check-result.ts';
import { boundText, LIMITS } from '../../../text-bounds.ts';
import { type Crl, CrlError, crlUrls, readCrl } from './crl.ts';

/** Largest CRL read (bytes); a larger one makes the status unknown. */
export const MAX_CRL_BYTES = 4 * 1024 * 1024;
/** A CRL is kept at most this long even when its nextUpdate is later; failures 5 minutes. */
const KEEP_MS = 24 * 3_600_000;
const KEEP_FAILURE_MS = 5 * 60_000;
/** Revoked entries kept in the cache across CRLs (a 128 MB function must not fill up with them). */
const MAX_CACHED_ENTRIES = 200_000;

export interface RevocationOptions {
  /** Fetches a CRL's bytes (through the address guard, bounded); rejects when it cannot. */
  fetch: (url: string) => Promise<Buffer>;
  now: () => Date;
  cache?: CrlCache;
}

type Cached = { until: number; crl: Promise<Crl> };

/** CRLs by URL and issuer, shared by every check of the container. */
export class CrlCache {
  private readonly entries = new Map<string, Cached & { size: number }>();

  get(key: string, now: number): Promise<Crl> | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.crl;
  }

  set(key: string, crl: Promise<Crl>, now: number): void {
    const entry = { until: now + KEEP_FAILURE_MS, crl, size: 0 };
    this.entries.set(key, entry);
    crl.then(
      (read) => {
        const next = read.nextUpdate?.getTime() ?? Number.POSITIVE_INFINITY;
        entry.until = Math.min(next, now + KEEP_MS);
        entry.size = read.size;
        this.trim();
      },
      () => undefined,
    );
  }

  /** Drops the oldest CRLs while the kept entries are too many. */
  private trim(): void {
    let total = 0;
    for (const e of this.entries.values()) total += e.size;
    for (const [key, e] of this.entries) {
      if (total <= MAX_CACHED_ENTRIES) break;
      total -= e.size;
      this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

const shared = new CrlCache();

/** The container-wide CRL cache. */
export function sharedCrlCache(): CrlCache {
  return shared;
}

/**
 * The revocation status of a chain, leaf first, each certificate with the one that issued it
 * (the last, a root, has none and is not looked up). Null when no certificate names a CRL.
 */
export async function checkRevocation(
  chain: readonly { cert: X509Certificate; issuer: X509Certificate | undefined }[],
  options: RevocationOptions,
): Promise<Revocation | null> {
  const cache = options.cache ?? shared;
  let unknown: Revocation | null = null;
  let checked = false;
  for (const { cert, issuer } of chain) {
    if (!issuer) continue;
    const urls = crlUrls(cert);
    if (urls.length === 0) continue;
    const about = { subject: boundText(cert.subject.split('\n').join(', '), 200), fingerprint256: cert.fingerprint256 };
    let verdict: Revocation | undefined;
    const problems: string[] = [];
    for (const url of urls) {
      const now = options.now();
      const key = `${issuer.fingerprint256}\n${url}`;
      let pending = cache.get(key, now.getTime());
      if (!pending) {
        pending = options.fetch(url).then((body) => readCrl(body, issuer, now));
        cache.set(key, pending, now.getTime());
      }
      let crl: Crl;
      try {
        crl = await pending;
        // A kept CRL may have passed its nextUpdate since it was read.
        if (crl.nextUpdate && crl.nextUpdate.getTime() < now.getTime()) throw new CrlError('the CRL is out of date');
      } catch (error) {
        problems.push(`${clip(url)}: ${reason(error)}`);
        continue;
      }
      const entry = crl.lookup(cert.serialNumber);
      verdict = entry
        ? { status: 'revoked', ...about, revokedAt: entry.at.toISOString(), reason: entry.reason, detail: null }
        : { status: 'good', ...about, revokedAt: null, reason: null, detail: null };
      break;
    }
    if (verdict?.status === 'revoked') return verdict;
    if (verdict) {
      checked = true;
      continue;
    }
    unknown ??= {
      status: 'unknown',
      ...about,
      revokedAt: null,
      reason: null,
      detail: boundText(`no usable CRL: ${problems.join('; ')}`, LIMITS.message),
    };
  }
  if (unknown) return unknown;
  return checked
    ? { status: 'good', subject: null, fingerprint256: null, revokedAt: null, reason: null, detail: null }
    : null;
}

function reason(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return boundText(e.message ?? 'failed', 200);
}

function clip(url: string): string {
  return url.length > 120 ? `${url.slice(0, 117)}...` : url;
}
