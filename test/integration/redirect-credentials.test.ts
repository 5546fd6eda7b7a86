// Credentials never follow a redirect to another origin. Every outgoing request that can be
// redirected is tried against a loopback stand-in that redirects to another loopback origin (the
// same host on another port): a caller's headers go to their own origin only, the CT APIs refuse
// to be redirected elsewhere, and the documents, CRLs and ACME answers send no credentials at all.
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultTrustStore } from '../../lib/certificate/trust-store.ts';
import { certSpotterProvider } from '../../lib/discovery/ct/certspotter.ts';
import { crtShProvider } from '../../lib/discovery/ct/crtsh.ts';
import { fetchDocument } from '../../lib/net/fetch-document.ts';
import { ProbeError } from '../../lib/net/probe-error.ts';
import { DEFAULT_TIMEOUTS } from '../../lib/net/timeouts.ts';
import { getJson } from '../../lib/sources/tls/renewal-info/get-json.ts';
import { fetchCrl } from '../../lib/sources/tls/revocation/fetch-crl.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';

const reach = { trust: defaultTrustStore(), timeouts: DEFAULT_TIMEOUTS };
const TOKEN = 'ct-api-token-never-elsewhere';
let first: DocumentServer;
let other: DocumentServer;
/** The headers each server received, in order. */
const received: { first: IncomingHttpHeaders[]; other: IncomingHttpHeaders[] } = { first: [], other: [] };

beforeAll(async () => {
  first = await startDocumentServer();
  other = await startDocumentServer();
  for (const [server, log] of [
    [first, received.first],
    [other, received.other],
  ] as const) {
    for (const path of ['/doc', '/v1/issuances', '/']) {
      server.route(path, (req, res) => {
        log.push(req.headers);
        res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      });
    }
    server.route('/to-other', (req, res) => {
      log.push(req.headers);
      res.writeHead(302, { location: `${other.origin}/doc` }).end();
    });
    server.route('/to-self', (req, res) => {
      log.push(req.headers);
      res.writeHead(302, { location: '/doc' }).end();
    });
  }
  // The CT APIs' own paths redirect to the other origin on the first server.
  first.route('/v1/issuances', (req, res) => {
    received.first.push(req.headers);
    res.writeHead(302, { location: `${other.origin}/v1/issuances` }).end();
  });
  first.route('/', (req, res) => {
    received.first.push(req.headers);
    res.writeHead(302, { location: `${other.origin}/` }).end();
  });
});

afterAll(async () => {
  await Promise.all([first?.close(), other?.close()]);
});

beforeEach(() => {
  received.first.length = 0;
  received.other.length = 0;
});

const fetchOptions = (headers?: Record<string, string>) => ({
  ...reach,
  maxBytes: 1024,
  accept: 'application/json',
  headers,
  signal: AbortSignal.timeout(10_000),
});

describe('a caller’s headers on redirects', () => {
  it('are sent again after a redirect within the same origin', async () => {
    await fetchDocument(`${first.origin}/to-self`, fetchOptions({ authorization: `Bearer ${TOKEN}` }));
    expect(received.first.map((h) => h.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('are dropped when a redirect leads to another origin, and the document is still read there', async () => {
    const { body, url } = await fetchDocument(
      `${first.origin}/to-other`,
      fetchOptions({ authorization: `Bearer ${TOKEN}`, 'x-api-key': TOKEN }),
    );
    expect(url).toBe(`${other.origin}/doc`);
    expect(body.toString()).toBe('[]');
    expect(received.first[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(received.other).toHaveLength(1);
    expect(JSON.stringify(received.other)).not.toContain(TOKEN);
  });
});

describe('the CT search APIs', () => {
  it('Cert Spotter refuses a redirect to another origin: the token stays home and nothing there counts', async () => {
    const provider = certSpotterProvider({ reach, baseUrl: first.origin, token: TOKEN });
    const failure = await provider.page('example.com', null, AbortSignal.timeout(10_000)).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(ProbeError);
    expect((failure as Error).message).toMatch(/redirects to another origin .* read from its own origin only$/);
    expect(received.first[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(received.other).toHaveLength(0);
  });

  it('crt.sh refuses a redirect to another origin', async () => {
    const provider = crtShProvider({ reach, baseUrl: first.origin });
    const failure = await provider.page('example.com', null, AbortSignal.timeout(10_000)).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(ProbeError);
    expect(received.other).toHaveLength(0);
  });
});

describe('requests that carry no credentials', () => {
  /** What a request of certvigil's may carry: nothing that identifies or authorises anyone. */
  const ALLOWED = ['accept', 'accept-encoding', 'user-agent', 'host', 'connection'];

  it.each([
    ['a document (SAML, JWKS, PEM)', (url: string) => fetchDocument(url, fetchOptions())],
    ['a CRL', (url: string) => fetchCrl(url, reach)],
    ['an ACME renewal-information answer', (url: string) => getJson(url, reach)],
  ])('%s: only plain headers, before and after a redirect to another origin', async (_what, fetchIt) => {
    await fetchIt(`${first.origin}/to-other`);
    expect(received.first).toHaveLength(1);
    expect(received.other).toHaveLength(1);
    for (const headers of [...received.first, ...received.other]) {
      expect(Object.keys(headers).filter((name) => !ALLOWED.includes(name))).toEqual([]);
    }
  });
});
