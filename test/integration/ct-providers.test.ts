// The Certificate Transparency search providers against stand-ins of their APIs on loopback
// (HTTPS, the shapes their documentation gives): pages after a position, a precertificate and its
// certificate counted once, wildcards kept as logged, rate limits waited out or stopped at, and a
// provider that fails reported without moving the position.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultTrustStore } from '../../lib/certificate/trust-store.ts';
import { certSpotterProvider } from '../../lib/discovery/ct/certspotter.ts';
import { crtShProvider } from '../../lib/discovery/ct/crtsh.ts';
import {
  CtProviderError,
  MAX_ISSUANCES_PER_RUN,
  organizationOf,
  readNewIssuances,
} from '../../lib/discovery/ct/ct-provider.ts';
import { ProbeError } from '../../lib/net/probe-error.ts';
import { DEFAULT_TIMEOUTS } from '../../lib/net/timeouts.ts';
import { crtShEntry } from '../fixtures/ct-api.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';

const reach = { trust: defaultTrustStore(), timeouts: DEFAULT_TIMEOUTS };
const signal = () => AbortSignal.timeout(10_000);
const hex = (n: number) => n.toString(16).padStart(64, '0');
const LE = { name: "C=US, O=Let's Encrypt, CN=R11", friendly_name: "Let's Encrypt" };

/** A Cert Spotter issuance as its API documents it (v1, expand=dns_names&expand=issuer). */
function issuance(id: number, names: string[], overrides: Record<string, unknown> = {}) {
  return {
    id: String(id),
    tbs_sha256: hex(id),
    cert_sha256: hex(id + 1000),
    pubkey_sha256: hex(id + 2000),
    dns_names: names,
    issuer: { ...LE, pubkey_sha256: hex(9), caa_domains: ['letsencrypt.org'] },
    not_before: '2026-11-20T10:00:00Z',
    not_after: '2027-02-18T10:00:00Z',
    revoked: false,
    problem_reporting: 'Send email to cert-prob-reports@letsencrypt.org',
    ...overrides,
  };
}

let server: DocumentServer;
let requests: URL[];
let authorizations: (string | undefined)[];
/** Answers for /v1/issuances: by `after` (absent: ''), or a status with headers. */
let certspotterPages: Record<string, unknown[] | { status: number; headers?: Record<string, string> }[]>;
let crtsh: Record<string, unknown[]>;
/** Statuses crt.sh answers first, in order (it is often overloaded). */
let crtshStatus: { code: number; headers?: Record<string, string> }[];
/** An answer sent as it is by both stand-ins, in place of the JSON of the scripted ones. */
let raw: Buffer | null;

beforeAll(async () => {
  server = await startDocumentServer();
  server.route('/v1/issuances', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://x');
    requests.push(url);
    authorizations.push(req.headers.authorization);
    if (raw) return res.writeHead(200, { 'content-type': 'application/json' }).end(raw);
    const answers = certspotterPages[url.searchParams.get('after') ?? ''] ?? [];
    const first = answers[0] as { status?: number; headers?: Record<string, string> } | undefined;
    if (first && typeof first.status === 'number') {
      answers.shift();
      return res.writeHead(first.status, { 'content-type': 'application/json', ...first.headers }).end('{"code":"x"}');
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers));
  });
  server.route('/', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://x');
    requests.push(url);
    if (raw) return res.writeHead(200, { 'content-type': 'application/json' }).end(raw);
    const status = crtshStatus.shift();
    if (status) return res.writeHead(status.code, status.headers).end('<html>busy</html>');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(crtsh[url.searchParams.get('q') ?? ''] ?? []));
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  requests = [];
  authorizations = [];
  certspotterPages = {};
  crtsh = {};
  crtshStatus = [];
  raw = null;
});

describe('Cert Spotter', () => {
  const provider = (token?: string) =>
    certSpotterProvider({ reach, baseUrl: server.origin, ...(token ? { token } : {}) });

  it('reads every page after the position it is given, each issuance once, wildcards as logged', async () => {
    certspotterPages = {
      '41': [issuance(42, ['shop.example.com', 'WWW.Example.com.']), issuance(43, ['*.example.com', 'example.com'])],
      '43': [
        issuance(43, ['*.example.com', 'example.com']),
        issuance(44, ['old.example.com'], { not_after: '2026-01-01T00:00:00Z' }),
      ],
      '44': [],
    };
    const read = await readNewIssuances(provider('tok-secret'), 'example.com', '41', { signal: signal() });
    expect(read.position).toBe('44');
    expect(read.stoppedEarly).toBeNull();
    expect(read.issuances.map((i) => [i.key.slice(0, 8), i.dnsNames])).toEqual([
      ['tbs:0000', ['shop.example.com', 'www.example.com']],
      ['tbs:0000', ['*.example.com', 'example.com']],
      ['tbs:0000', ['old.example.com']],
    ]);
    expect(read.issuances[0]).toMatchObject({
      issuer: "C=US, O=Let's Encrypt, CN=R11",
      issuerOrganization: "Let's Encrypt",
      notAfter: '2027-02-18T10:00:00.000Z',
      fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });
    // The documented query: subdomains and wildcards included, names and issuer expanded.
    expect(requests.map((u) => u.searchParams.get('after'))).toEqual(['41', '43', '44']);
    expect(requests[0]?.searchParams.getAll('expand')).toEqual(['dns_names', 'issuer']);
    expect(requests[0]?.searchParams.get('include_subdomains')).toBe('true');
    expect(authorizations[0]).toBe('Bearer tok-secret');
  });

  it('waits out a 429 with Retry-After, and stops at one too long to wait, keeping the position reached', async () => {
    certspotterPages = {
      '': [{ status: 429, headers: { 'retry-after': '1' } }, issuance(1, ['a.example.com'])] as never,
      '1': [{ status: 429, headers: { 'retry-after': '3600' } }] as never,
    };
    const waits: number[] = [];
    const read = await readNewIssuances(provider(), 'example.com', null, {
      signal: signal(),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(waits).toEqual([1000]);
    expect(read).toMatchObject({ position: '1', stoppedEarly: 'Cert Spotter is rate limiting' });
    expect(read.issuances.map((i) => i.dnsNames)).toEqual([['a.example.com']]);
    expect(authorizations[0]).toBeUndefined();
  });

  it('reports a provider that fails, without a position and without its token', async () => {
    certspotterPages = { '7': [{ status: 502 }] as never };
    const failed = readNewIssuances(provider('tok-secret'), 'example.com', '7', { signal: signal() });
    await expect(failed).rejects.toBeInstanceOf(CtProviderError);
    await expect(failed).rejects.toThrow(
      /^Cert Spotter for example.com: the server answered 502 for https:\/\/127\.0\.0\.1:\d+\/v1\/issuances$/,
    );
    await expect(failed).rejects.not.toThrow(/tok-secret/);
  });

  it('skips a malformed issuance and bounds what it keeps of hostile ones', async () => {
    certspotterPages = {
      '': [
        { id: '1', tbs_sha256: 'not hex' },
        issuance(
          2,
          [
            '<script>.example.com',
            `${'a'.repeat(300)}.example.com`,
            ...Array.from({ length: 500 }, (_, i) => `n${i}.example.com`),
          ],
          {
            issuer: { name: `O=${'x'.repeat(5000)}` },
          },
        ),
      ],
      '2': [],
    };
    const read = await readNewIssuances(provider(), 'example.com', null, { signal: signal() });
    expect(read.position).toBe('2');
    const [only] = read.issuances;
    expect(read.issuances).toHaveLength(1);
    expect(only?.dnsNames).toHaveLength(100);
    expect(only?.dnsNames.some((n) => n.includes('<'))).toBe(false);
    expect(only?.issuer.length).toBeLessThanOrEqual(512);
    expect(only?.issuerOrganization?.length).toBeLessThanOrEqual(128);
  });
});

describe('crt.sh', () => {
  const provider = () => crtShProvider({ reach, baseUrl: server.origin });
  const entry = (id: number, serial: string, names: string, issuer?: string) =>
    crtShEntry(id, serial, names, issuer ? { issuer } : {});
  it('counts a precertificate and its certificate once, reads the apex and the subdomains, and keeps the highest id', async () => {
    crtsh = {
      'example.com': [entry(100, '04aa', 'example.com\nwww.example.com')],
      '%.example.com': [
        entry(101, '04aa', 'example.com\nwww.example.com'), // the final certificate of 100's precertificate
        entry(102, '04bb', '*.example.com', 'C=US, O=Google Trust Services, CN=WR1'),
        entry(90, '04cc', 'seen-before.example.com'),
      ],
    };
    const read = await readNewIssuances(provider(), 'example.com', '95', { signal: signal() });
    expect(read.position).toBe('102');
    expect(read.issuances.map((i) => [i.dnsNames, i.issuerOrganization, i.notAfter])).toEqual([
      [['example.com', 'www.example.com'], "Let's Encrypt", '2027-02-18T08:59:59.000Z'],
      [['*.example.com'], 'Google Trust Services', '2027-02-18T08:59:59.000Z'],
    ]);
    expect(requests.map((u) => [u.searchParams.get('q'), u.searchParams.get('exclude')])).toEqual([
      ['example.com', 'expired'],
      ['%.example.com', 'expired'],
    ]);
  });

  it('waits out a 503 with Retry-After, and reports a 502 without moving the position', async () => {
    crtsh = { 'example.com': [entry(100, '04aa', 'example.com')] };
    crtshStatus = [{ code: 503, headers: { 'retry-after': '2' } }];
    const waits: number[] = [];
    const read = await readNewIssuances(provider(), 'example.com', null, {
      signal: signal(),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(waits).toEqual([2000]);
    expect(read.position).toBe('100');
    crtshStatus = [{ code: 502 }];
    await expect(readNewIssuances(provider(), 'example.com', '100', { signal: signal() })).rejects.toThrow(
      /^crt\.sh for example\.com: the server answered 502/,
    );
  });

  it('keeps its position when nothing new is logged', async () => {
    crtsh = { 'example.com': [entry(100, '04aa', 'example.com')] };
    expect(await readNewIssuances(provider(), 'example.com', '100', { signal: signal() })).toEqual({
      issuances: [],
      position: '100',
      stoppedEarly: null,
    });
  });
});

describe('issuer organisation', () => {
  it.each([
    ["C=US, O=Let's Encrypt, CN=R11", "Let's Encrypt"],
    ['CN=WR1,O=Google Trust Services,C=US', 'Google Trust Services'],
    ['C=US, O="DigiCert, Inc.", CN=DigiCert TLS RSA SHA256 2020 CA1', 'DigiCert, Inc.'],
    ['C=GB, O=Sectigo Limited\\, UK, CN=x', 'Sectigo Limited, UK'],
    ['CN=No Organisation CA', null],
  ])('reads O= of %s', (dn, organization) => {
    expect(organizationOf(dn)).toBe(organization);
  });
});

describe('hostile and very large answers', () => {
  const certSpotter = () => certSpotterProvider({ reach, baseUrl: server.origin });
  const crtSh = () => crtShProvider({ reach, baseUrl: server.origin });

  it('refuses 10 MiB of nested lists at the nesting cap, without building them', async () => {
    raw = Buffer.from(`${'['.repeat(5 * 1024 * 1024)}${']'.repeat(5 * 1024 * 1024)}`);
    const failure = await certSpotter()
      .page('example.com', '7', signal())
      .catch((e: Error) => e);
    expect(failure).toBeInstanceOf(ProbeError);
    expect((failure as Error).message).toBe(
      'Cert Spotter did not answer a list of issuances: the answer nests deeper than 6 levels',
    );
  });

  it('reads a Cert Spotter page of more issuances than it takes at once as two pages', async () => {
    raw = Buffer.from(JSON.stringify(Array.from({ length: 10_001 }, (_, i) => issuance(i + 1, [`h${i}.example.com`]))));
    const page = await certSpotter().page('example.com', null, signal());
    expect(page.issuances).toHaveLength(10_000);
    expect(page).toMatchObject({ position: '10000', more: true });
  });

  it('reads crt.sh backlogs beyond a run’s share lowest ids first, the rest from the position it keeps', async () => {
    const entries = Array.from({ length: MAX_ISSUANCES_PER_RUN + 500 }, (_, i) =>
      crtShEntry(5_000_000 - i, hex(i).slice(-16), `h${i}.example.com`),
    );
    raw = Buffer.from(JSON.stringify(entries));
    const first = await readNewIssuances(crtSh(), 'example.com', '4000000', { signal: signal() });
    // Both queries answer the same entries: each is one issuance.
    expect(first.issuances).toHaveLength(MAX_ISSUANCES_PER_RUN);
    const lowest = 5_000_000 - (MAX_ISSUANCES_PER_RUN + 500) + 1;
    expect(first.position).toBe(String(lowest + MAX_ISSUANCES_PER_RUN - 1));
    expect(first.stoppedEarly).toMatch(/the ones with the lowest ids are read now, the rest in the next runs$/);
    const next = await readNewIssuances(crtSh(), 'example.com', first.position, { signal: signal() });
    expect(next).toMatchObject({ position: '5000000', stoppedEarly: null });
    expect(next.issuances).toHaveLength(500);
  });

  it('looks at no more than its cap of crt.sh entries, skips ones too small to be entries, and keeps the position', async () => {
    raw = Buffer.from(`[${Array.from({ length: 300_000 }, () => '{}').join(',')}]`);
    const read = await readNewIssuances(crtSh(), 'example.com', '12', { signal: signal() });
    expect(read).toMatchObject({ issuances: [], position: '12' });
    expect(read.stoppedEarly).toMatch(/^crt.sh answered more than 250,000 entries for one query/);
  });
});
