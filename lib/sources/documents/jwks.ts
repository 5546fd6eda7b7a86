// `jwks:URL`: a JSON Web Key Set, or an OIDC issuer whose discovery document names `jwks_uri`.
// Every key's x5c chain is read (standard base64 DER, leaf first); a key without x5c is listed
// with no certificate; an x5t#S256 that does not match the certificate makes that key invalid.
import { createHash, X509Certificate } from 'node:crypto';
import { type FetchOptions, fetchDocument } from '../../net/fetch-document.ts';
import { ProbeError } from '../../net/probe-error.ts';
import type { CheckResult } from '../../policy/check-result.ts';
import type { SourceCertificate } from '../../policy/judge-certificates.ts';
import { documentDeadline, documentResult, readOrFail } from '../document-result.ts';
import type { SourceContext, SourceRequest } from '../source-context.ts';

export const MAX_JWKS_BYTES = 1024 * 1024;
/** Most keys read from one set. */
export const MAX_KEYS = 1_000;

export function readJwks(request: SourceRequest, context: SourceContext): Promise<CheckResult> {
  return readOrFail(request, context, async () => {
    const signal = documentDeadline(context);
    const options: FetchOptions = {
      trust: context.trust,
      timeouts: context.timeouts,
      maxBytes: MAX_JWKS_BYTES,
      accept: 'application/jwk-set+json, application/json',
      guard: context.guard,
      resolver: context.resolver,
      pinned: request.addresses?.length ? { host: request.host, addresses: request.addresses } : undefined,
      signal,
    };
    const url = request.source as string;
    const keys = await findKeys(url, options);
    return documentResult(
      request,
      context,
      keys.slice(0, MAX_KEYS).map(keyCertificate),
      (item) => `${item.use ?? ''}\n${item.alg ?? ''}`,
      'the JWKS',
    );
  });
}

/** The keys of the set at `url`, following an OIDC discovery document to its jwks_uri. */
async function findKeys(url: string, options: FetchOptions): Promise<Record<string, unknown>[]> {
  let firstError: ProbeError | undefined;
  const first = await fetchJson(url, options).catch((error: unknown) => {
    // An issuer URL often answers with a web page, or not at all: try its discovery document.
    if (error instanceof ProbeError && (error.kind === 'parse' || error.kind === 'http')) {
      firstError = error;
      return undefined;
    }
    throw error;
  });
  const keysOf = (doc: unknown) => (doc as { keys?: unknown })?.keys;
  if (Array.isArray(keysOf(first))) return keysOf(first) as Record<string, unknown>[];
  const discovery =
    typeof (first as { jwks_uri?: unknown })?.jwks_uri === 'string'
      ? first
      : await fetchJson(`${url.replace(/\/+$/, '')}/.well-known/openid-configuration`, options).catch(() => {
          throw (
            firstError ??
            new ProbeError('parse', 'neither a JWKS (no "keys" array) nor an OIDC issuer (no discovery document)')
          );
        });
  const jwksUri = (discovery as { jwks_uri?: unknown })?.jwks_uri;
  if (typeof jwksUri !== 'string') throw new ProbeError('parse', 'the OIDC discovery document names no jwks_uri');
  let next: URL;
  try {
    next = new URL(jwksUri, url);
  } catch {
    throw new ProbeError('parse', 'the OIDC discovery document names an invalid jwks_uri');
  }
  if (next.protocol !== 'https:') throw new ProbeError('parse', 'the jwks_uri is not https');
  const keys = keysOf(await fetchJson(next.href, options));
  if (!Array.isArray(keys)) throw new ProbeError('parse', 'the jwks_uri does not hold a JWKS (no "keys" array)');
  return keys as Record<string, unknown>[];
}

async function fetchJson(url: string, options: FetchOptions): Promise<unknown> {
  const { body } = await fetchDocument(url, options);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ProbeError('parse', 'the document is not JSON');
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** One key of the set as a source certificate: its x5c leaf, checked against x5t#S256. */
function keyCertificate(key: Record<string, unknown>): SourceCertificate {
  const meta = {
    kid: text(key.kid),
    use: text(key.use),
    alg: text(key.alg),
    // A replacement is published under the same kid and use.
    placeKey: `jwks\n${text(key.kid) ?? ''}\n${text(key.use) ?? ''}`,
  };
  const x5c = key?.x5c;
  if (x5c === undefined) return { cert: null, ...meta };
  const leaf = Array.isArray(x5c) ? x5c[0] : undefined;
  if (typeof leaf !== 'string') return { cert: null, ...meta, problem: 'x5c is not an array of certificates' };
  if (!BASE64.test(leaf)) {
    return { cert: null, ...meta, problem: 'x5c is not standard base64 (RFC 7517 forbids base64url here)' };
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(leaf, 'base64'));
  } catch {
    return { cert: null, ...meta, problem: 'x5c[0] is not a valid X.509 certificate' };
  }
  const thumbprint = text(key['x5t#S256']);
  if (thumbprint !== undefined) {
    const actual = createHash('sha256').update(cert.raw).digest('base64url');
    if (thumbprint.replace(/=+$/, '') !== actual) {
      return { cert, ...meta, problem: 'x5t#S256 does not match the certificate in x5c' };
    }
  }
  return { cert, ...meta };
}
