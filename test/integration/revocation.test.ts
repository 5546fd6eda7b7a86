// Revocation through CRLs, against real TLS servers and a real HTTP CRL server on loopback, with
// certificates and CRLs the fixtures mint: revoked, not revoked, a revoked intermediate, a CRL
// signed by the wrong key, an out-of-date CRL, a huge CRL, a CRL server that is down; each CRL is
// fetched once per nextUpdate; a revocation is announced once through DynamoDB Local.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { exitCodeFor } from '../../lib/policy/status.ts';
import { checkTarget } from '../../lib/sources/tls/check-target.ts';
import { TLS_READERS } from '../../lib/sources/tls/readers.ts';
import { sharedCrlCache } from '../../lib/sources/tls/revocation/check-revocation.ts';
import { parseTarget } from '../../lib/targets/parse-target.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import {
  createCrl,
  createRootCa,
  crlDistributionPoints,
  daysFromNow,
  importCa,
  issueCertificate,
  type Minted,
  X509CrlReason,
} from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
let root: Minted;
let intermediate: Minted;
let crlServer: http.Server;
let base: string;
/** What the CRL server answers, by path; and how often each path was asked for. */
const crls = new Map<string, Buffer>();
const hits = new Map<string, number>();
const servers: RunningServer[] = [];
let tables: TestTables;

async function leafServer(crlPath: string, issuer = intermediate): Promise<{ leaf: Minted; server: RunningServer }> {
  const leaf = await issueCertificate(issuer, { extensions: [crlDistributionPoints(`${base}${crlPath}`)] });
  const server = await startTlsServer(credentials(leaf));
  servers.push(server);
  return { leaf, server };
}

beforeAll(async () => {
  crlServer = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/huge.crl') {
      res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': String(6 * 1024 * 1024) });
      res.end(Buffer.alloc(6 * 1024 * 1024));
      return;
    }
    const body = crls.get(path);
    if (!body) return res.writeHead(404).end('no such CRL');
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(body);
  });
  await new Promise<void>((resolve) => crlServer.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(crlServer.address() as AddressInfo).port}`;
  const { certPem, keyPem } = inject('testCa');
  root = await importCa(certPem, keyPem);
  intermediate = await issueCertificate(root, { ca: true, extensions: [crlDistributionPoints(`${base}/root.crl`)] });
  crls.set('/root.crl', await createCrl(root, []));
  tables = await createTestTables();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  crlServer.closeAllConnections();
  await new Promise((resolve) => crlServer.close(resolve));
  await tables.drop();
});
beforeEach(() => {
  sharedCrlCache().clear();
  hits.clear();
});

describe('revocation by CRL', () => {
  it('a certificate its CA did not revoke: good, and the status stays ok', async () => {
    const { server } = await leafServer('/good.crl');
    const other = await issueCertificate(intermediate, {});
    crls.set('/good.crl', await createCrl(intermediate, [{ cert: other }]));
    const result = await checkTarget(parseTarget(`127.0.0.1:${server.port}`));
    expect(result.status).toBe('ok');
    expect(result.revocation, JSON.stringify(result.revocation)).toMatchObject({ status: 'good' });
  });

  it('a revoked leaf: status revoked (exit code 2), with the date and reason from the CRL', async () => {
    const { leaf, server } = await leafServer('/revoked.crl');
    const at = new Date(Date.now() - 3_600_000);
    crls.set('/revoked.crl', await createCrl(intermediate, [{ cert: leaf, at, reason: X509CrlReason.keyCompromise }]));
    const result = await checkTarget(parseTarget(`127.0.0.1:${server.port}`));
    expect(result.status).toBe('revoked');
    expect(exitCodeFor(result.status)).toBe(2);
    expect(result.revocation).toMatchObject({
      status: 'revoked',
      fingerprint256: result.fingerprint256,
      reason: 'keyCompromise',
      revokedAt: new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString(),
    });
    expect(result.endpoints[0]?.status).toBe('revoked');
  });

  it('a revoked intermediate revokes what it issued, and says which certificate', async () => {
    const revokedCa = await issueCertificate(root, {
      ca: true,
      extensions: [crlDistributionPoints(`${base}/root-2.crl`)],
    });
    crls.set('/root-2.crl', await createCrl(root, [{ cert: revokedCa, reason: X509CrlReason.cACompromise }]));
    const { server } = await leafServer('/under-revoked.crl', revokedCa);
    crls.set('/under-revoked.crl', await createCrl(revokedCa, []));
    const result = await checkTarget(parseTarget(`127.0.0.1:${server.port}`));
    expect(result.status).toBe('revoked');
    expect(result.revocation?.subject).toMatch(/certvigil test intermediate/);
    expect(result.revocation?.reason).toBe('cACompromise');
  });

  it.each<[string, string, () => Promise<Buffer | undefined>, RegExp]>([
    [
      'signed by the wrong key',
      '/forged.crl',
      async () => createCrl(intermediate, [], { signer: await createRootCa() }),
      /signature does not verify with the issuer's key/,
    ],
    [
      'out of date',
      '/stale.crl',
      () => createCrl(intermediate, [], { thisUpdate: daysFromNow(-10), nextUpdate: daysFromNow(-3) }),
      /out of date/,
    ],
    ['larger than the limit', '/huge.crl', async () => undefined, /larger than/],
    ['not a CRL', '/junk.crl', async () => Buffer.from('<html>maintenance</html>'), /cannot be parsed/],
    ['missing (404)', '/missing.crl', async () => undefined, /answered 404/],
  ])('a CRL %s: revocation unknown, the target not red', async (_name, path, make, detail) => {
    const body = await make();
    if (body) crls.set(path, body);
    const { server } = await leafServer(path);
    const result = await checkTarget(parseTarget(`127.0.0.1:${server.port}`));
    expect(result.status).toBe('ok');
    expect(result.revocation?.status).toBe('unknown');
    expect(result.revocation?.detail).toMatch(detail);
  });

  it('a CRL server that is down: unknown, within the time limit', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const leaf = await issueCertificate(intermediate, {
      extensions: [crlDistributionPoints(`http://127.0.0.1:${port}/gone.crl`)],
    });
    const server = await startTlsServer(credentials(leaf));
    servers.push(server);
    const started = Date.now();
    const result = await checkTarget(parseTarget(`127.0.0.1:${server.port}`));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ status: 'ok', revocation: { status: 'unknown' } });
    expect(result.revocation?.detail).toMatch(/refused/);
  });

  it('reads each CRL once until its next update, for every target and address', async () => {
    const big = await issueCertificate(intermediate, {});
    crls.set('/shared.crl', await createCrl(intermediate, [{ cert: big }], { padding: 2_000 }));
    const a = await leafServer('/shared.crl');
    const b = await leafServer('/shared.crl');
    const started = Date.now();
    const results = await Promise.all([
      checkTarget(parseTarget(`127.0.0.1:${a.server.port}`)),
      checkTarget(parseTarget(`127.0.0.1:${b.server.port}`)),
      checkTarget(parseTarget(`localhost:${a.server.port}`)),
    ]);
    const firstMs = Date.now() - started;
    expect(results.map((r) => r.revocation?.status)).toEqual(['good', 'good', 'good']);
    await checkTarget(parseTarget(`127.0.0.1:${b.server.port}`));
    expect(hits.get('/shared.crl')).toBe(1);
    expect(hits.get('/root.crl')).toBe(1);
    expect(firstMs).toBeLessThan(10_000);
  });

  it('a revocation is announced once, critical, with date and reason; the probe retried or run twice sends nothing more', async () => {
    const { leaf, server } = await leafServer('/event.crl');
    crls.set('/event.crl', await createCrl(intermediate, [{ cert: leaf, reason: X509CrlReason.superseded }]));
    const target = normalizeTarget({ host: `127.0.0.1:${server.port}` });
    const monitor = testMonitor(tables, TLS_READERS);
    await monitor.targets.putTarget(target, new Date());
    const runs = await Promise.all([probeTarget(monitor, target), probeTarget(monitor, target)]);
    const again = await probeTarget(monitor, target);
    const published = [...runs, again].flatMap((r) => r.published);
    expect(published.map((e) => [e.event, e.severity])).toEqual([['revoked', 'critical']]);
    const message = renderNotification(published[0] as never);
    expect(message.subject).toMatch(
      /CRITICAL 127\.0\.0\.1:\d+: certificate was revoked by its CA on \d{4}-\d\d-\d\d \(superseded\)/,
    );
    expect(message.text).toContain('Revoked: CN=localhost');
    expect(
      sns
        .commandCalls(PublishCommand)
        .filter((c) => c.args[0].input.MessageAttributes?.event?.StringValue === 'revoked'),
    ).toHaveLength(1);
  });

  it('certvigil check says revoked (exit 2), and with --offline asks no CA at all', async () => {
    const { leaf, server } = await leafServer('/cli.crl');
    crls.set('/cli.crl', await createCrl(intermediate, [{ cert: leaf, reason: X509CrlReason.keyCompromise }]));
    const online = await runCli(['check', `127.0.0.1:${server.port}`]);
    expect(online.code).toBe(2);
    expect(online.stdout).toMatch(/^revoked\s+\d+\s+.*revoked \d{4}-\d\d-\d\d \(keyCompromise\)/m);
    hits.clear();
    const offline = await runCli(['check', '--offline', '--json', `127.0.0.1:${server.port}`]);
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout)[0]).toMatchObject({ status: 'ok', revocation: null, renewalInfo: null });
    expect([...hits.keys()]).toEqual([]);
  });
});
