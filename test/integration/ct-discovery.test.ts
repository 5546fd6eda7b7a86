// Certificate Transparency discovery end to end: a Cert Spotter stand-in on loopback (HTTPS, the
// documented issuance shape), the real targets and CT state in DynamoDB Local, events through the
// real outbox to a mocked SNS. Watched names are matched, unwatched ones enrolled (tag ct) with one
// unlisted-certificate event per certificate, a CA outside the allowed issuers is one critical
// event, and two runs at once change nothing about that.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { colonHex } from '../../lib/certificate/fingerprint.ts';
import { defaultTrustStore } from '../../lib/certificate/trust-store.ts';
import { describeDiscovery, discoveryIncomplete } from '../../lib/cli/remote-commands.ts';
import { certSpotterProvider } from '../../lib/discovery/ct/certspotter.ts';
import { crtShProvider } from '../../lib/discovery/ct/crtsh.ts';
import { type CtSettings, watchCertificateTransparency } from '../../lib/discovery/ct/ct-watch.ts';
import { runDiscovery } from '../../lib/discovery/run-discovery.ts';
import { DEFAULT_TIMEOUTS } from '../../lib/net/timeouts.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { CertificateStore } from '../../lib/store/certificate-store.ts';
import { CtStateStore } from '../../lib/store/ct-state-store.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { crtShEntry } from '../fixtures/ct-api.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { publishedNotifications } from '../fixtures/sns.ts';

const sns = mockClient(SNSClient);
const hex = (n: number) => n.toString(16).padStart(64, '0');
const LE = { name: "C=US, O=Let's Encrypt, CN=R11", friendly_name: "Let's Encrypt" };
const EVIL = { name: 'C=XX, O=Quick Certs Ltd, CN=Quick DV CA', friendly_name: 'Quick Certs' };
const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** An issuance as Cert Spotter's API v1 gives it (expand=dns_names&expand=issuer). */
function issuance(id: number, names: string[], issuer = LE, notAfter = later(80)) {
  return {
    id: String(id),
    tbs_sha256: hex(id),
    cert_sha256: hex(id + 1000),
    dns_names: names,
    issuer,
    not_before: later(-10),
    not_after: notAfter,
    revoked: false,
  };
}

let server: DocumentServer;
let pages: Record<string, unknown[]>;
let failWith: number | null;
/** crt.sh's answers by query (q). */
let crtsh: Record<string, unknown[]>;
let afters: (string | null)[];
let tables: TestTables;
let store: TargetStore;

function deps() {
  return {
    ...testMonitor(tables, ALL_READERS),
    ctState: new CtStateStore(tables.doc, tables.names.certificates),
    certificates: new CertificateStore(tables.doc, tables.names.certificates),
  };
}
const provider = () =>
  certSpotterProvider({ reach: { trust: defaultTrustStore(), timeouts: DEFAULT_TIMEOUTS }, baseUrl: server.origin });
/** What two concurrent runs over shop (unwatched) and api (a foreign CA) announce: one each. */
const ONE_OF_EACH = [
  ['unexpected-issuer', 'api.example.com:443'],
  ['unlisted-certificate', 'shop.example.com:443'],
];
const SETTINGS: CtSettings = { domains: ['example.com'], issuers: ["Let's Encrypt", 'Google Trust Services'] };
const watch = (settings = SETTINGS) =>
  watchCertificateTransparency(deps(), provider(), settings, { signal: AbortSignal.timeout(20_000) });

const published = () => publishedNotifications(sns);

/** Two runs at once: the names enrolled (once in all) and the events announced, sorted. */
async function twoRunsAtOnce(run: () => ReturnType<typeof watch>) {
  const [a, b] = await Promise.all([run(), run()]);
  return {
    first: a?.[0],
    enrolled: [...(a?.[0]?.enrolled ?? []), ...(b?.[0]?.enrolled ?? [])],
    events: published()
      .map((n) => [n.event, n.target])
      .sort(),
  };
}

/** The stand-in's issuances: the page after `after`, or the failure set. */
function issuancesRoute(req: IncomingMessage, res: ServerResponse) {
  const after = new URL(req.url ?? '/', 'https://x').searchParams.get('after');
  afters.push(after);
  if (failWith) return res.writeHead(failWith).end();
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pages[after ?? ''] ?? []));
}

beforeAll(async () => {
  server = await startDocumentServer();
  server.route('/v1/issuances', issuancesRoute);
  server.route('/', (req: IncomingMessage, res: ServerResponse) => {
    const q = new URL(req.url ?? '/', 'https://x').searchParams.get('q') ?? '';
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(crtsh[q] ?? []));
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  pages = {};
  failWith = null;
  crtsh = {};
  afters = [];
  for (const host of ['www.example.com', 'api.example.com'])
    await store.putTarget(normalizeTarget({ host, owner: 'web' }), new Date());
});

describe('Certificate Transparency discovery', () => {
  it('matches watched names, enrols the others once with one event per certificate, and flags a foreign CA', async () => {
    pages = {
      '': [
        issuance(1, ['www.example.com']),
        issuance(2, ['*.example.com', 'example.com']), // the wildcard covers www; the apex is not watched
        issuance(3, ['shop.example.com', 'pay.example.com', 'www.example.org']),
        issuance(4, ['old.example.com'], LE, later(-1)), // already expired: passed over
        issuance(5, ['api.example.com'], EVIL),
      ],
      '5': [],
    };
    const [summary] = await watch();
    expect(summary).toMatchObject({
      read: 5,
      expired: 1,
      matched: 1,
      unlisted: 2,
      unexpectedIssuer: 1,
      position: '5',
      problem: null,
    });
    expect([...(summary?.enrolled ?? [])].sort()).toEqual([
      'example.com:443',
      'pay.example.com:443',
      'shop.example.com:443',
    ]);
    // Names outside the watched domain are neither enrolled nor counted.
    expect(await store.getTarget('www.example.org:443')).toBeUndefined();
    expect(await store.getTarget('shop.example.com:443')).toMatchObject({
      kind: 'tls',
      tags: ['discovered', 'ct'],
      discovery: { service: 'ct', resource: `tbs:${hex(3)}` },
    });
    const sent = published();
    expect(sent.map((n) => [n.event, n.severity, n.target]).sort()).toEqual([
      ['unexpected-issuer', 'critical', 'api.example.com:443'],
      ['unlisted-certificate', 'warning', 'example.com:443'],
      ['unlisted-certificate', 'warning', 'shop.example.com:443'],
    ]);
    const unlisted = sent.find((n) => n.target === 'shop.example.com:443');
    expect(unlisted?.text).toContain('Logged certificate (Cert Spotter): shop.example.com, pay.example.com');
    expect(unlisted?.text).toContain("Issuer: C=US, O=Let's Encrypt, CN=R11");
    expect(unlisted?.text).toMatch(/Valid: \d{4}-\d\d-\d\dT.* to \d{4}-\d\d-\d\dT/);
    expect(sent.find((n) => n.event === 'unexpected-issuer')?.text).toContain('Quick Certs Ltd');
    // The message's fields are the logged certificate's, for subscribers that read them.
    expect(unlisted).toMatchObject({
      issuer: "C=US, O=Let's Encrypt, CN=R11",
      notAfter: expect.stringMatching(/^\d{4}-/),
      daysLeft: 79,
      fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });

    // The next run reads only what was logged after the position, and each issuance once.
    sns.resetHistory();
    afters = [];
    // (The provider repeats the issuance at a page's edge: it still counts once.)
    pages = {
      '5': [issuance(6, ['new.example.com'])],
      '6': [issuance(6, ['new.example.com']), issuance(7, ['www.example.com'])],
      '7': [],
    };
    const [next] = await watch();
    expect(afters).toEqual(['5', '6', '7']);
    expect(next).toMatchObject({ read: 2, matched: 1, unlisted: 1, enrolled: ['new.example.com:443'], position: '7' });
    expect(published().map((n) => [n.event, n.target])).toEqual([['unlisted-certificate', 'new.example.com:443']]);
    // The certificate inventory does not show CT's own items.
    expect(await new CertificateStore(tables.doc, tables.names.certificates).all()).toEqual([]);
  });

  it('enrols and announces once when two runs read the same issuances at the same time', async () => {
    pages = { '': [issuance(10, ['shop.example.com']), issuance(11, ['api.example.com'], EVIL)], '11': [] };
    const both = await twoRunsAtOnce(() => watch());
    expect(both.enrolled).toEqual(['shop.example.com:443']);
    expect(both.events).toEqual(ONE_OF_EACH);
    // And a third run, from the start again (position lost), announces nothing twice.
    sns.resetHistory();
    await new CtStateStore(tables.doc, tables.names.certificates).setPosition(
      'Cert Spotter',
      'example.com',
      '0',
      new Date(),
    );
    pages['0'] = pages[''] ?? [];
    await watch();
    expect(published()).toEqual([]);
  });

  it('reports a provider that fails, keeps its position and infers nothing', async () => {
    await new CtStateStore(tables.doc, tables.names.certificates).setPosition(
      'Cert Spotter',
      'example.com',
      '41',
      new Date(),
    );
    failWith = 503;
    const [summary] = await watch();
    expect(summary).toMatchObject({ read: 0, enrolled: [], position: '41' });
    expect(summary?.problem).toMatch(/^Cert Spotter for example.com: the server answered 503/);
    expect(await new CtStateStore(tables.doc, tables.names.certificates).position('Cert Spotter', 'example.com')).toBe(
      '41',
    );
    expect(published()).toEqual([]);
    expect((await store.scans.all(['id'])).length).toBe(2);
  });

  it('accepts any CA when no issuers are set', async () => {
    pages = { '': [issuance(20, ['api.example.com'], EVIL)], '20': [] };
    const [summary] = await watch({ domains: ['example.com'] });
    expect(summary).toMatchObject({ matched: 1, unexpectedIssuer: 0 });
    expect(published()).toEqual([]);
  });

  it('runs after the account discovery, and the summary says what it saw or that it could not read', async () => {
    pages = { '': [issuance(30, ['shop.example.com'])], '30': [] };
    const run = () =>
      runDiscovery(testMonitor(tables, ALL_READERS), {
        regions: ['eu-west-1'],
        homeAccount: '111111111111',
        sourceTag: 'certvigil',
        finders: [],
        ct: {
          settings: SETTINGS,
          provider: provider(),
          state: new CtStateStore(tables.doc, tables.names.certificates),
        },
      });
    const summary = await run();
    expect(describeDiscovery(summary)).toContain(
      'Certificate Transparency:\n  example.com: 1 new, 0 already watched, 1 unlisted (1 enrolled), 0 from an unexpected CA',
    );
    expect(discoveryIncomplete(summary)).toBe(false);
    failWith = 500;
    const failed = await run();
    expect(describeDiscovery(failed)).toMatch(
      /example\.com: Cert Spotter could not be read \(.*500.*\); nothing inferred/,
    );
    expect(discoveryIncomplete(failed)).toBe(true);
  });

  it('records unwatched names as disabled targets in report mode, and still announces the certificate once', async () => {
    pages = { '': [issuance(40, ['beta.example.com'])], '40': [] };
    const [summary] = await watch({ ...SETTINGS, enrol: 'report' });
    expect(summary).toMatchObject({ unlisted: 1, enrolled: ['beta.example.com:443'] });
    expect(await store.getTarget('beta.example.com:443')).toMatchObject({ enabled: false, tags: ['discovered', 'ct'] });
    expect(published().map((n) => [n.event, n.target])).toEqual([['unlisted-certificate', 'beta.example.com:443']]);
  });

  it('reads crt.sh the same way: a precertificate and its certificate once, two runs at once announce once', async () => {
    const entry = (id: number, serial: string, names: string, issuer?: string) =>
      crtShEntry(id, serial, names, {
        notBefore: later(-3).slice(0, 19),
        notAfter: later(60).slice(0, 19),
        ...(issuer ? { issuer } : {}),
      });
    crtsh = {
      'example.com': [],
      '%.example.com': [
        entry(500, '0a1b', 'shop.example.com'), // precertificate
        entry(501, '0a1b', 'shop.example.com'), // its certificate
        entry(502, '0c2d', 'api.example.com', 'C=XX, O=Quick Certs Ltd, CN=Quick DV CA'),
      ],
    };
    const crt = crtShProvider({
      reach: { trust: defaultTrustStore(), timeouts: DEFAULT_TIMEOUTS },
      baseUrl: server.origin,
    });
    const run = () => watchCertificateTransparency(deps(), crt, SETTINGS, { signal: AbortSignal.timeout(20_000) });
    const both = await twoRunsAtOnce(run);
    expect(both.first).toMatchObject({ read: 2, position: '502', problem: null });
    expect(both.enrolled).toEqual(['shop.example.com:443']);
    expect(both.events).toEqual(ONE_OF_EACH);
    // The next run drops what it has seen (ids up to 502): nothing new, nothing said.
    sns.resetHistory();
    const [again] = await run();
    expect(again).toMatchObject({ read: 0, position: '502' });
    expect(published()).toEqual([]);
  });

  it('takes a certificate already served where certvigil checks (the certificate inventory) as watched', async () => {
    // legacy-lb.example.com is no target's host, but its certificate is served by a watched load balancer.
    const logged = issuance(60, ['legacy-lb.example.com']);
    await new CertificateStore(tables.doc, tables.names.certificates).addLocation(
      {
        fingerprint256: colonHex(logged.cert_sha256),
        subject: 'CN=legacy-lb.example.com',
        issuer: LE.name,
        notBefore: logged.not_before,
        notAfter: logged.not_after,
        lifetimeDays: 90,
        namesKey: 'k',
      },
      'lb.example.net:443|203.0.113.7',
      new Date(),
    );
    pages = { '': [logged], '60': [] };
    const [summary] = await watch();
    expect(summary).toMatchObject({ matched: 1, unlisted: 0, enrolled: [] });
    expect(published()).toEqual([]);
  });

  it('announces a certificate for a lone wildcard nobody watches on the domain itself, recorded disabled', async () => {
    pages = { '': [issuance(70, ['*.internal.example.com'])], '70': [] };
    const [summary] = await watch();
    expect(summary).toMatchObject({ unlisted: 1, enrolled: ['example.com:443'] });
    expect(await store.getTarget('example.com:443')).toMatchObject({ enabled: false, tags: ['discovered', 'ct'] });
    expect(published().map((n) => [n.event, n.target, n.text.includes('*.internal.example.com')])).toEqual([
      ['unlisted-certificate', 'example.com:443', true],
    ]);
  });

  it('announces a certificate both unlisted and from a foreign CA once, as the graver news naming both', async () => {
    pages = { '': [issuance(80, ['rogue.example.com'], EVIL)], '80': [] };
    const [summary] = await watch();
    expect(summary).toMatchObject({ unlisted: 1, unexpectedIssuer: 1, enrolled: ['rogue.example.com:443'] });
    const sent = published();
    expect(sent.map((n) => [n.event, n.severity, n.target])).toEqual([
      ['unexpected-issuer', 'critical', 'rogue.example.com:443'],
    ]);
    expect(sent[0]?.text).toContain('outside the allowed issuers, for 1 name(s) nobody watches');
  });

  it('enrols and announces at most maxPerRun per domain and run, and the next runs take the rest', async () => {
    pages = {
      '': Array.from({ length: 7 }, (_, i) => issuance(100 + i, [`flood-${i}.example.com`])),
      '106': [],
    };
    const settings = { ...SETTINGS, maxPerRun: 3 };
    const [first] = await watch(settings);
    expect(first?.enrolled).toHaveLength(3);
    expect(first?.stoppedEarly).toMatch(/^the cap of 3 enrolments and announcements per domain and run was reached/);
    expect(published()).toHaveLength(3);
    // The position stays, so the next run reads the same issuances and skips the ones handled.
    expect(await new CtStateStore(tables.doc, tables.names.certificates).position('Cert Spotter', 'example.com')).toBe(
      null,
    );
    const [second] = await watch(settings);
    const [third] = await watch(settings);
    expect([...(second?.enrolled ?? []), ...(third?.enrolled ?? [])]).toHaveLength(4);
    expect(third).toMatchObject({ stoppedEarly: null, position: '106' });
    expect(
      published()
        .map((n) => n.target)
        .sort(),
    ).toEqual(Array.from({ length: 7 }, (_, i) => `flood-${i}.example.com:443`).sort());
  });

  it('stops when the run is out of time, keeping the position, and waits out no rate limit past it', async () => {
    pages = { '': [issuance(200, ['late.example.com'])], '200': [] };
    const [aborted] = await watchCertificateTransparency(deps(), provider(), SETTINGS, {
      signal: AbortSignal.abort(),
    });
    expect(aborted).toMatchObject({ enrolled: [], position: null });
    expect(aborted?.stoppedEarly).toMatch(/ran out of time/);
    expect(published()).toEqual([]);

    // A 429 asking for 30 s, in a run with 1 s left: the wait ends with the run.
    server.route('/v1/issuances', (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(429, { 'retry-after': '30' }).end();
    });
    try {
      const started = performance.now();
      const [limited] = await watchCertificateTransparency(deps(), provider(), SETTINGS, {
        signal: AbortSignal.timeout(1_000),
      });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(limited?.stoppedEarly).toMatch(/rate limiting, and the run ran out of time/);
    } finally {
      server.route('/v1/issuances', issuancesRoute);
    }
  });
});
