// ACME Renewal Information (RFC 9773): a CA that publishes it tells every client when to renew a
// certificate, and asks for early renewal ahead of a mass revocation. For a certificate whose
// issuer maps to an ACME directory, the ARI certificate identifier (authority key identifier and
// serial) is looked up at the directory's `renewalInfo`; the answer is kept per certificate as
// long as its Retry-After says. Everything in the answer is bounded before it is kept.

import type { X509Certificate } from 'node:crypto';
import { perCertificate } from '../../../certificate/certificate-cache.ts';
import { certificateExtensions, children, element, serialBytes } from '../../../certificate/der.ts';
import { retryAfterMs } from '../../../net/retry-after.ts';
import type { RenewalInfo } from '../../../policy/check-result.ts';
import { boundText } from '../../../text-bounds.ts';

/** The ARI certificate identifier: base64url(AKI keyIdentifier) "." base64url(serial DER value). */
export function ariCertId(cert: X509Certificate): string | null {
  try {
    const value = certificateExtensions(cert.raw).get('2.5.29.35');
    if (!value) return null;
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, … }
    const keyId = children(element(value).content).find((e) => e.tag === 0x80);
    if (!keyId) return null;
    return `${keyId.content.toString('base64url')}.${serialBytes(cert.raw).toString('base64url')}`;
  } catch {
    return null;
  }
}

/** The directory of the CA that issued `cert`, by the organization in its issuer name. */
export function directoryFor(cert: X509Certificate, directories: Readonly<Record<string, string>>): string | null {
  for (const organization of issuerOrganizations(cert)) {
    const url = directories[organization];
    if (url) return url;
  }
  return null;
}

const issuerOrganizations = perCertificate((cert: X509Certificate) =>
  cert.issuer
    .split('\n')
    .filter((line) => line.startsWith('O='))
    .map((line) => line.slice(2)),
);

export interface AriOptions {
  directories: Readonly<Record<string, string>>;
  /** GETs JSON over https (the probe's trust, guard and limits): status, headers, parsed body. */
  getJson: (url: string) => Promise<{ status: number; retryAfter: string | null; body: unknown }>;
  now: () => Date;
  cache?: AriCache;
}

const HOUR = 3_600_000;
const MIN_RETRY_MS = HOUR;
const MAX_RETRY_MS = 24 * HOUR;

type Entry = { until: number; info: Promise<Omit<RenewalInfo, 'early'> | null> };

/** Answers per certificate and directories' renewalInfo URLs, for the whole container. */
export class AriCache {
  readonly answers = new Map<string, Entry>();
  readonly endpoints = new Map<string, { until: number; url: Promise<string | null> }>();
  clear(): void {
    this.answers.clear();
    this.endpoints.clear();
  }
}
const shared = new AriCache();
export function sharedAriCache(): AriCache {
  return shared;
}

/**
 * The renewal information of a leaf, and whether it asks for renewal before `warningStart`
 * (when certvigil's own warning window opens). Null when the issuer publishes no ARI, the CA does
 * not know the certificate (404), or the answer cannot be used.
 */
export async function renewalInfo(
  leaf: X509Certificate,
  warningStart: Date,
  options: AriOptions,
): Promise<RenewalInfo | null> {
  const directory = directoryFor(leaf, options.directories);
  const certId = directory ? ariCertId(leaf) : null;
  if (!directory || !certId) return null;
  const cache = options.cache ?? shared;
  const now = options.now().getTime();
  let entry = cache.answers.get(certId);
  if (!entry || entry.until <= now) {
    const fresh: Entry = { until: now + MIN_RETRY_MS, info: Promise.resolve(null) };
    fresh.info = fetchInfo(directory, certId, options, cache, now).then(
      (answer) => {
        fresh.until = answer ? Date.parse(answer.nextFetchAt) : now + MIN_RETRY_MS;
        return answer;
      },
      () => null,
    );
    cache.answers.set(certId, fresh);
    if (cache.answers.size > 10_000) cache.answers.delete(cache.answers.keys().next().value as string);
    entry = fresh;
  }
  const info = await entry.info;
  if (!info) return null;
  const start = Date.parse(info.suggestedStart);
  const early =
    start < warningStart.getTime() ? (start <= options.now().getTime() + 24 * HOUR ? 'critical' : 'warning') : null;
  return { ...info, early };
}

async function fetchInfo(
  directory: string,
  certId: string,
  options: AriOptions,
  cache: AriCache,
  now: number,
): Promise<Omit<RenewalInfo, 'early'> | null> {
  let endpoint = cache.endpoints.get(directory);
  if (!endpoint || endpoint.until <= now) {
    endpoint = {
      until: now + MAX_RETRY_MS,
      url: options.getJson(directory).then(
        ({ status, body }) => {
          const url = (body as { renewalInfo?: unknown } | null)?.renewalInfo;
          return status === 200 && typeof url === 'string' && /^https:\/\/\S{1,500}$/.test(url) ? url : null;
        },
        () => null,
      ),
    };
    cache.endpoints.set(directory, endpoint);
  }
  const base = await endpoint.url;
  if (!base) {
    endpoint.until = Math.min(endpoint.until, now + MIN_RETRY_MS);
    return null;
  }
  const answer = await options.getJson(`${base.replace(/\/+$/, '')}/${certId}`);
  if (answer.status !== 200) return null;
  const body = answer.body as { suggestedWindow?: { start?: unknown; end?: unknown }; explanationURL?: unknown };
  const start = typeof body?.suggestedWindow?.start === 'string' ? Date.parse(body.suggestedWindow.start) : Number.NaN;
  const end = typeof body?.suggestedWindow?.end === 'string' ? Date.parse(body.suggestedWindow.end) : Number.NaN;
  // RFC 9773 §4.2: a window whose end is not after its start is invalid.
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return null;
  const explanation =
    typeof body.explanationURL === 'string' && /^https:\/\/[^\s"<>]{1,500}$/.test(body.explanationURL)
      ? boundText(body.explanationURL, 512)
      : null;
  return {
    suggestedStart: new Date(start).toISOString(),
    suggestedEnd: new Date(end).toISOString(),
    explanationURL: explanation,
    nextFetchAt: new Date(now + retryAfter(answer.retryAfter, now)).toISOString(),
  };
}

/** Retry-After (seconds or a date), held between 1 hour and 1 day; 6 hours when absent. */
function retryAfter(header: string | null, now: number): number {
  return Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, retryAfterMs(header, now) ?? 6 * HOUR));
}
