// Certificate Transparency search providers: one file each (certspotter.ts, crtsh.ts) behind this
// interface. A provider answers one page of the issuances logged for a domain and its subdomains
// after a position; reading pages, waiting out rate limits and de-duplicating is done once, here.
import { ProbeError } from '../../net/probe-error.ts';
import { retryAfterMs } from '../../net/retry-after.ts';
import { boundText } from '../../text-bounds.ts';

/** One issuance: a certificate, its precertificate counted with it. */
export interface CtIssuance {
  /** What makes precertificate and certificate one issuance (the TBS digest, or issuer and serial). */
  key: string;
  /** Lower-case DNS names, wildcards as logged (`*.example.com`), at most MAX_NAMES. */
  dnsNames: string[];
  /** The issuer's distinguished name as the provider gives it (bounded). */
  issuer: string;
  /** The issuer's organisation (O=), what `ctIssuers` is compared with. */
  issuerOrganization: string | null;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the certificate, colon hex, when the provider has it. */
  fingerprint256: string | null;
}

export interface CtPage {
  issuances: CtIssuance[];
  /** Where the next page starts; the position to keep once every page is read. */
  position: string | null;
  /** Whether another page follows now. */
  more: boolean;
  /** The provider's answer was larger than certvigil reads: what was left unread, said in the summary. */
  cut?: string | undefined;
}

export interface CtProvider {
  readonly name: string;
  /**
   * One page of the issuances for `domain` and its subdomains logged after `position` (null: the
   * first page). Throws ProbeError (`http` with status and Retry-After, `timeout`, `parse`…).
   */
  page(domain: string, position: string | null, signal: AbortSignal): Promise<CtPage>;
}

/** Most names kept of one issuance (a certificate may carry hundreds). */
export const MAX_NAMES = 100;
/** Most pages read for one domain in one run; the next run goes on from where this one stopped. */
export const MAX_PAGES = 50;
/**
 * Most new issuances read for one domain in one run (each is then looked up and recorded, a few
 * DynamoDB requests apiece, within the run's 4 minutes); the next run goes on from there.
 */
export const MAX_ISSUANCES_PER_RUN = 20_000;
/** Longest wait for a rate limit within one run; a longer Retry-After ends the run's reading. */
export const MAX_RATE_LIMIT_WAIT_MS = 60_000;

/** The provider could not be read: reported as it is, and nothing is inferred from it. */
export class CtProviderError extends Error {
  override name = 'CtProviderError';
}

export interface NewIssuances {
  issuances: CtIssuance[];
  /** The position to keep (unchanged when nothing new was read). */
  position: string | null;
  /** Why reading stopped before the end (rate limited past the wait, the page bound), if it did. */
  stoppedEarly: string | null;
}

/**
 * Every issuance logged for `domain` after `position`, page by page, each issuance once (a
 * precertificate and its certificate share a key). A 429 or 503 is waited out when its Retry-After
 * fits the wait and the deadline; otherwise reading stops there and the position reached is kept,
 * so nothing is skipped. Any other failure throws CtProviderError (the position is not advanced).
 */
export async function readNewIssuances(
  provider: CtProvider,
  domain: string,
  position: string | null,
  options: { signal: AbortSignal; sleep?: (ms: number) => Promise<void>; maxPages?: number },
): Promise<NewIssuances> {
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, options.signal));
  const byKey = new Map<string, CtIssuance>();
  const result = (stoppedEarly: string | null): NewIssuances => ({
    issuances: [...byKey.values()],
    position: current,
    stoppedEarly,
  });
  let current = position;
  for (let pages = 0; pages < (options.maxPages ?? MAX_PAGES); ) {
    if (options.signal.aborted) return result('the run ran out of time');
    let page: CtPage;
    try {
      page = await provider.page(domain, current, options.signal);
    } catch (error) {
      if (options.signal.aborted) return result('the run ran out of time');
      const wait = rateLimitWait(error);
      if (wait === undefined) {
        throw new CtProviderError(
          boundText(`${provider.name} for ${domain}: ${(error as Error).message ?? String(error)}`, 400),
          { cause: error },
        );
      }
      if (wait > MAX_RATE_LIMIT_WAIT_MS) return result(`${provider.name} is rate limiting`);
      await sleep(wait);
      if (options.signal.aborted) return result(`${provider.name} is rate limiting, and the run ran out of time`);
      continue;
    }
    pages++;
    for (const issuance of page.issuances) if (!byKey.has(issuance.key)) byKey.set(issuance.key, issuance);
    current = page.position ?? current;
    if (!page.more) return result(page.cut ?? null);
    if (byKey.size >= MAX_ISSUANCES_PER_RUN) {
      return result(
        `more than ${MAX_ISSUANCES_PER_RUN.toLocaleString('en-US')} new issuances: the rest in the next runs`,
      );
    }
  }
  return result(`more than ${options.maxPages ?? MAX_PAGES} pages`);
}

/** Waits `ms`, or less when `signal` aborts (then it resolves: the caller looks at the signal). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** How long a rate-limited answer asks to wait (a 429, or a 503 with Retry-After); undefined otherwise. */
function rateLimitWait(error: unknown): number | undefined {
  if (!(error instanceof ProbeError) || error.kind !== 'http') return undefined;
  if (error.status === 429) return retryAfterMs(error.retryAfter ?? null) ?? 5_000;
  if (error.status === 503 && error.retryAfter) return retryAfterMs(error.retryAfter);
  return undefined;
}

/** The organisation (O=) of a distinguished name written `C=US, O=Let's Encrypt, CN=R3`. */
export function organizationOf(dn: string): string | null {
  const match = /(?:^|[,/]\s*)O\s*=\s*("(?:[^"\\]|\\.)*"|(?:[^,\\]|\\.)*)/.exec(dn);
  if (!match?.[1]) return null;
  const value = match[1].startsWith('"') ? match[1].slice(1, -1) : match[1];
  return boundText(value.replace(/\\(.)/g, '$1').trim(), 128) || null;
}

/** DNS names as kept: lower-case, without a trailing dot, only name characters, at most MAX_NAMES. */
export function cleanNames(names: readonly unknown[]): string[] {
  const kept = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string') continue;
    const clean = name.trim().toLowerCase().replace(/\.$/, '');
    if (/^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(clean) && clean.length <= 253) kept.add(clean);
    if (kept.size >= MAX_NAMES) break;
  }
  return [...kept];
}
