// Fetches a document (SAML metadata, a JWKS, a PEM bundle) over HTTPS with the probe's trust,
// the same address guard and pinned addresses, per-phase timeouts and one deadline, at most five
// redirects (each hop guarded), and a size cap that holds after decompression too. Headers the
// caller adds (an API token) go to the first URL's origin only: a redirect to another origin drops
// them, as browsers and curl do, or is refused outright for APIs that must answer themselves.

import type { IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { LookupFunction } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { ipFamily } from '../ip-family.ts';
import { http, https, zlib } from '../node-builtins.ts';
import { canonicalHost } from '../targets/target-id.ts';
import { classifyError, ProbeError } from './probe-error.ts';
import { DEFAULT_MAX_ADDRESSES, type Resolver, resolveAddresses, systemResolver } from './resolve-addresses.ts';
import type { ProbeTimeouts } from './timeouts.ts';

export const MAX_REDIRECTS = 5;

export interface FetchOptions {
  /** The CAs to verify against (a certificate/trust-store.ts TrustStore). */
  trust: { readonly secureContext: SecureContext };
  timeouts: ProbeTimeouts;
  /** Largest document accepted, in bytes after decompression. */
  maxBytes: number;
  accept: string;
  /**
   * More request headers (an API token): sent, never put in a message, and only to the origin
   * (scheme, host, port) of the URL asked for; a redirect to another origin goes on without them.
   */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Refuse a redirect to another origin (an API whose answers count only from its own origin). */
  sameOriginOnly?: boolean | undefined;
  /** Why an address must not be fetched from (see address-guard.ts). */
  guard?: ((address: string) => string | undefined) | undefined;
  resolver?: Resolver | undefined;
  /** Addresses to use for `pinnedHost` instead of resolving it (`--resolve`, a target's `addresses`). */
  pinned?: { host: string; addresses: string[] } | undefined;
  /** The whole fetch, redirects and body included, ends by this deadline. */
  signal: AbortSignal;
  /**
   * Plain http too (CRLs: they are signed, and RFC 5280 publishes them over http); documents
   * are https only.
   */
  allowHttp?: boolean | undefined;
}

/** How a fetch reaches a server: the probe's trust, time limits, address guard and resolver. */
export type ReachOptions = Pick<FetchOptions, 'trust' | 'timeouts' | 'guard' | 'resolver'> & {
  /** The deadline of the check the fetch is part of (net/timeouts.ts checkDeadline). */
  within?: AbortSignal | undefined;
};

export interface OpenedDocument {
  /** The decoded body, bytes counted against maxBytes. */
  body: Readable;
  url: string;
  /** The body's length as declared (Content-Length, not compressed), when it was; Node holds the server to it. */
  declaredBytes: number | null;
  contentType: string;
  /** The answer's Retry-After header (ACME renewal information), when it has one. */
  retryAfter: string | null;
}

/**
 * Opens a document for streaming. Rejects with a ProbeError (`dns`, `refused`, `timeout`,
 * `handshake`, `http`…) for anything but a 2xx answer; the body stream errors with a ProbeError
 * when it grows past maxBytes or the deadline passes.
 */
export async function openDocument(url: string, options: FetchOptions): Promise<OpenedDocument> {
  let current = new URL(url);
  let headers = options.headers;
  for (let hop = 0; ; hop++) {
    const response = await request(current, options, headers);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= MAX_REDIRECTS) {
        throw new ProbeError('http', `more than ${MAX_REDIRECTS} redirects (last to ${clipUrl(current)})`);
      }
      let next: URL;
      try {
        next = new URL(response.headers.location, current);
      } catch {
        throw new ProbeError('http', `a redirect to an invalid URL from ${clipUrl(current)}`);
      }
      if (next.protocol !== 'https:' && !(options.allowHttp && next.protocol === 'http:')) {
        throw new ProbeError(
          'http',
          `a redirect leaves https (to ${clipUrl(next)}); documents are fetched over https only`,
        );
      }
      if (next.origin !== current.origin) {
        if (options.sameOriginOnly) {
          throw new ProbeError(
            'http',
            `${clipUrl(current)} redirects to another origin (${clipUrl(next)}); this API is read from its own origin only`,
          );
        }
        headers = undefined;
      }
      current = next;
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      const retryAfter = response.headers['retry-after'];
      throw new ProbeError('http', `the server answered ${status} for ${clipUrl(current)}`, {
        status,
        retryAfter: typeof retryAfter === 'string' ? retryAfter.slice(0, 64) : undefined,
      });
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      response.destroy();
      throw tooLarge(options.maxBytes);
    }
    const encoding = String(response.headers['content-encoding'] ?? 'identity').toLowerCase();
    return {
      body: bounded(response, options),
      url: current.href,
      declaredBytes: Number.isFinite(declared) && encoding === 'identity' ? declared : null,
      contentType: String(response.headers['content-type'] ?? ''),
      retryAfter:
        typeof response.headers['retry-after'] === 'string' ? response.headers['retry-after'].slice(0, 64) : null,
    };
  }
}

/**
 * The deadline of one fetch: DNS plus the per-address total (redirects and body included), and
 * no later than `within`, the deadline of the check it is part of.
 */
export function fetchDeadline(timeouts: ProbeTimeouts, within?: AbortSignal): AbortSignal {
  const own = AbortSignal.timeout(timeouts.dnsMs + timeouts.endpointMs);
  return within ? AbortSignal.any([own, within]) : own;
}

/** Fetches a whole (small) document into memory. */
export async function fetchDocument(url: string, options: FetchOptions): Promise<{ body: Buffer; url: string }> {
  const opened = await openDocument(url, options);
  // Written into one buffer of the declared size where there is one: a large document (a CT
  // answer of 32 MiB) is then held once, not as its chunks and their copy.
  if (opened.declaredBytes !== null) {
    const body = Buffer.allocUnsafe(opened.declaredBytes);
    let at = 0;
    for await (const chunk of opened.body) at += (chunk as Buffer).copy(body, at);
    return { body: body.subarray(0, at), url: opened.url };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of opened.body) chunks.push(chunk as Buffer);
  return { body: Buffer.concat(chunks), url: opened.url };
}

function request(url: URL, options: FetchOptions, headers: FetchOptions['headers']): Promise<IncomingMessage> {
  const host = canonicalHost(url.hostname);
  const literal = ipFamily(host) !== 0;
  if (literal) refuseIfGuarded(host, options, url);
  return new Promise<IncomingMessage>((resolve, reject) => {
    const requestOptions: RequestOptions & { secureContext: SecureContext } = {
      method: 'GET',
      headers: { ...headers, accept: options.accept, 'accept-encoding': 'gzip', 'user-agent': 'certvigil' },
      secureContext: options.trust.secureContext,
      ...(literal ? {} : { servername: host }),
      lookup: guardedLookup(host, url, options),
      signal: options.signal,
      agent: false,
      // Idle time on the socket (connect, TLS, waiting for the answer); the deadline covers the rest.
      timeout: options.timeouts.connectMs + options.timeouts.handshakeMs,
    };
    const req =
      url.protocol === 'http:' && options.allowHttp
        ? http().request(url, {
            method: requestOptions.method,
            headers: requestOptions.headers,
            lookup: requestOptions.lookup,
            signal: requestOptions.signal,
            agent: false,
            timeout: requestOptions.timeout,
          })
        : https().request(url, requestOptions);
    req.once('timeout', () =>
      req.destroy(
        new ProbeError(
          'timeout',
          `no answer from ${url.host} in ${options.timeouts.connectMs + options.timeouts.handshakeMs} ms`,
        ),
      ),
    );
    req.once('response', resolve);
    req.once('error', (error) => reject(fetchError(error, url, options)));
    req.end();
  });
}

/** Resolves like the probe does (pinned addresses first) and refuses guarded addresses. */
function guardedLookup(host: string, url: URL, options: FetchOptions): LookupFunction {
  return (_hostname, lookupOptions, callback) => {
    const pinned = options.pinned && options.pinned.host === host ? options.pinned.addresses : undefined;
    const addresses = pinned?.length
      ? Promise.resolve(pinned)
      : resolveAddresses(host, {
          resolver: options.resolver ?? systemResolver,
          timeoutMs: options.timeouts.dnsMs,
          maxAddresses: DEFAULT_MAX_ADDRESSES,
        });
    addresses.then(
      (list) => {
        try {
          for (const address of list) refuseIfGuarded(address, options, url);
        } catch (error) {
          callback(error as Error, '', 0);
          return;
        }
        const first = list[0] as string;
        const family = ipFamily(first);
        if ((lookupOptions as { all?: boolean }).all) callback(null, [{ address: first, family }]);
        else callback(null, first, family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}

function refuseIfGuarded(address: string, options: FetchOptions, url: URL): void {
  const reason = options.guard?.(address);
  if (reason) {
    throw new ProbeError(
      'refused',
      `not fetched: ${url.host} is ${address}, ${reason}; private targets are not allowed in this deployment`,
    );
  }
}

/** The body, decompressed when gzip was used, cut off with an error past maxBytes. */
function bounded(response: IncomingMessage, options: FetchOptions): Readable {
  const encoding = String(response.headers['content-encoding'] ?? '').toLowerCase();
  const out = new PassThrough();
  let decoded = 0;
  let raw = 0;
  let failed = false;
  // The first failure is the reason; destroying the response then causes others, which are not.
  const fail = (error: Error) => {
    if (failed) return;
    failed = true;
    out.destroy(error);
    response.destroy();
  };
  const count = (chunk: Buffer) => {
    decoded += chunk.length;
    if (decoded > options.maxBytes) {
      fail(tooLarge(options.maxBytes));
      return false;
    }
    return true;
  };
  response.on('data', (chunk: Buffer) => {
    raw += chunk.length;
    // A compressed body is also capped as sent, so a decompression bomb never gets far.
    if (raw > options.maxBytes) fail(tooLarge(options.maxBytes));
  });
  response.once('aborted', () => fail(new ProbeError('reset', 'the server closed the connection mid-document')));
  response.once('error', (error) => fail(fetchError(error, new URL('https://document'), options)));
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    const gunzip = zlib().createGunzip();
    gunzip.on('data', (chunk: Buffer) => {
      if (count(chunk)) out.write(chunk);
    });
    gunzip.once('end', () => out.end());
    gunzip.once('error', () => fail(new ProbeError('parse', 'the document is not valid gzip')));
    response.pipe(gunzip);
  } else if (encoding === '' || encoding === 'identity') {
    response.on('data', (chunk: Buffer) => {
      if (count(chunk)) out.write(chunk);
    });
    response.once('end', () => out.end());
  } else {
    fail(
      new ProbeError('http', `the server used a content encoding certvigil does not read (${encoding.slice(0, 32)})`),
    );
  }
  options.signal.addEventListener(
    'abort',
    () => fail(new ProbeError('timeout', 'the document did not arrive in time')),
    {
      once: true,
    },
  );
  return out;
}

function tooLarge(maxBytes: number): ProbeError {
  return new ProbeError(
    'http',
    `the document is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; certvigil reads documents up to that size`,
  );
}

function fetchError(error: unknown, url: URL, options: FetchOptions): ProbeError {
  if (error instanceof ProbeError) return error;
  const e = error as NodeJS.ErrnoException;
  if (e?.name === 'AbortError' || options.signal.aborted) {
    return new ProbeError('timeout', `fetching ${url.host} did not finish in time`);
  }
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') {
    return new ProbeError('dns', `${url.hostname} does not resolve`);
  }
  const authorizationCodes = /^(?:CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS_CERT)/;
  if (e?.code && authorizationCodes.test(e.code)) {
    return new ProbeError('handshake', `the document server's certificate is not accepted (${e.code}): ${e.message}`);
  }
  return classifyError(error, e?.code?.startsWith('ERR_SSL') ? 'handshake' : 'connect');
}

function clipUrl(url: URL): string {
  const text = `${url.origin}${url.pathname}`;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
