// ACME Renewal Information (RFC 9773) against a local ACME stub on loopback (https, the test CA):
// the certificate identifier (checked against the RFC's own example), a suggested window in the
// past, before or after certvigil's warning window, Retry-After, a CA without ARI (404), malformed
// answers; the early-renewal request announced once through DynamoDB Local.
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import * as x509 from '@peculiar/x509';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { defaultTrustStore } from '../../lib/certificate/trust-store.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { DEFAULT_TIMEOUTS } from '../../lib/net/timeouts.ts';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { checkSource } from '../../lib/sources/registry.ts';
import { checkTarget } from '../../lib/sources/tls/check-target.ts';
import { TLS_READERS } from '../../lib/sources/tls/readers.ts';
import { AriCache, ariCertId, sharedAriCache } from '../../lib/sources/tls/renewal-info/ari.ts';
import { getJson } from '../../lib/sources/tls/renewal-info/get-json.ts';
import { parseTarget } from '../../lib/targets/parse-target.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { createRootCa, daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
const DAY = 86_400_000;
let acme: DocumentServer;
let ca: Minted;
let tables: TestTables;
const servers: RunningServer[] = [];
let directories: Record<string, string>;

/**
 * A 90-day leaf with 60 days left: certvigil's warning window opens a quarter of the lifetime
 * (22.5 days) before expiry, 37.5 days from now.
 */
async function leafWithWindow(window: unknown, headers: Record<string, string> = {}) {
  const leaf = await issueCertificate(ca, { notBefore: daysFromNow(-30), notAfter: daysFromNow(60) });
  const id = ariCertId(new X509Certificate(leaf.certPem)) as string;
  if (window !== undefined) acme.serve(`/ari/${id}`, JSON.stringify(window), 'application/json', headers);
  const server = await startTlsServer(credentials(leaf));
  servers.push(server);
  return { leaf, id, server };
}

function check(port: number, cache = new AriCache()) {
  return checkTarget(parseTarget(`127.0.0.1:${port}`), { renewalInfo: { directories, cache } });
}

const at = (days: number) => new Date(Date.now() + days * DAY).toISOString();

beforeAll(async () => {
  acme = await startDocumentServer();
  const { certPem, keyPem } = inject('testCa');
  ca = await issueCertificate(await importCa(certPem, keyPem), {
    ca: true,
    subject: 'CN=ARI test CA, O=certvigil ARI tests',
  });
  directories = { 'certvigil ARI tests': `${acme.origin}/directory` };
  acme.serve(
    '/directory',
    JSON.stringify({ renewalInfo: `${acme.origin}/ari`, newNonce: `${acme.origin}/nonce` }),
    'application/json',
  );
  tables = await createTestTables();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await acme.close();
  await tables.drop();
});
beforeEach(() => {
  acme.hits.length = 0;
  sharedAriCache().clear();
});

describe('the ARI certificate identifier', () => {
  it('is the RFC 9773 example: AKI 69:88:5B… and serial 00:87:65:43:21 give aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE', async () => {
    const root = await createRootCa();
    const keys = root.keys;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: '0087654321',
      subject: 'CN=example.com',
      issuer: root.cert.subject,
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(89),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      extensions: [new x509.AuthorityKeyIdentifierExtension('69885b6b87464041e1b37b847ba0ae2cde01c8d4')],
    });
    expect(ariCertId(new X509Certificate(cert.toString('pem')))).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  });
});

describe('renewal information', () => {
  it('a window that has opened: early, critical, with the explanation', async () => {
    const { server } = await leafWithWindow({
      suggestedWindow: { start: at(-2), end: at(-1) },
      explanationURL: 'https://ca.example/incidents/42',
    });
    const result = await check(server.port);
    expect(result.status).toBe('ok');
    expect(result.renewalInfo).toMatchObject({ early: 'critical', explanationURL: 'https://ca.example/incidents/42' });
  });

  it("a window before certvigil's warning window: early, warning; one after it: not early", async () => {
    const soon = await leafWithWindow({ suggestedWindow: { start: at(10), end: at(12) } });
    expect((await check(soon.server.port)).renewalInfo?.early).toBe('warning');
    const usual = await leafWithWindow({ suggestedWindow: { start: at(40), end: at(45) } });
    expect((await check(usual.server.port)).renewalInfo).toMatchObject({ early: null });
  });

  it('asks again only after Retry-After (held between 1 hour and 1 day)', async () => {
    const { id, server } = await leafWithWindow(
      { suggestedWindow: { start: at(35), end: at(40) } },
      { 'retry-after': '21600' },
    );
    const cache = new AriCache();
    const first = await check(server.port, cache);
    await check(server.port, cache);
    await check(server.port, cache);
    expect(acme.hits.filter((h) => h === `/ari/${id}`)).toHaveLength(1);
    expect(acme.hits.filter((h) => h === '/directory')).toHaveLength(1);
    const next = Date.parse(first.renewalInfo?.nextFetchAt ?? '') - Date.now();
    expect(next).toBeGreaterThan(5.9 * 3_600_000);
    expect(next).toBeLessThanOrEqual(6 * 3_600_000);
    // Past that time, it asks again.
    const later = await checkTarget(parseTarget(`127.0.0.1:${server.port}`), {
      renewalInfo: { directories, cache },
      now: () => new Date(Date.now() + 7 * 3_600_000),
    });
    expect(later.renewalInfo).not.toBeNull();
    expect(acme.hits.filter((h) => h === `/ari/${id}`)).toHaveLength(2);
  });

  it.each<[string, unknown]>([
    ['a CA that does not know the certificate (404)', undefined],
    ['a window without dates', { suggestedWindow: { start: 'soon' } }],
    ['a window that ends before it starts', { suggestedWindow: { start: at(10), end: at(5) } }],
    ['not an object', ['nope']],
  ])('%s: no renewal information, nothing else changes', async (_name, window) => {
    const { server } = await leafWithWindow(window);
    const result = await check(server.port);
    expect(result).toMatchObject({ status: 'ok', renewalInfo: null });
  });

  it('drops an explanation that is not an https URL', async () => {
    const { server } = await leafWithWindow({
      suggestedWindow: { start: at(-1), end: at(1) },
      explanationURL: 'javascript:alert(1)',
    });
    expect((await check(server.port)).renewalInfo).toMatchObject({ early: 'critical', explanationURL: null });
  });

  it('asks nobody for a certificate of a CA without a directory', async () => {
    const { server } = await leafWithWindow({ suggestedWindow: { start: at(-1), end: at(1) } });
    const result = await checkTarget(parseTarget(`127.0.0.1:${server.port}`), { renewalInfo: { directories: {} } });
    expect(result.renewalInfo).toBeNull();
    expect(acme.hits).toEqual([]);
  });

  it("an early-renewal request is announced once, with the window and the CA's reason", async () => {
    const { server } = await leafWithWindow({
      suggestedWindow: { start: at(-1), end: at(2) },
      explanationURL: 'https://ca.example/incidents/7',
    });
    const target = normalizeTarget({ host: `127.0.0.1:${server.port}` });
    const base = testMonitor(tables, TLS_READERS);
    const monitor = {
      ...base,
      check: (t: typeof target) =>
        checkSource(
          t,
          {
            trust: defaultTrustStore(),
            timeouts: DEFAULT_TIMEOUTS,
            thresholds: {},
            allowFiles: false,
            now: () => new Date(),
            ariDirectories: directories,
          },
          TLS_READERS,
        ),
    };
    await monitor.targets.putTarget(target, new Date());
    const runs = [await probeTarget(monitor, target), await probeTarget(monitor, target)];
    const published = runs.flatMap((r) => r.published);
    expect(published.map((e) => [e.event, e.severity])).toEqual([['renewal-requested', 'critical']]);
    const message = renderNotification(published[0] as never);
    expect(message.subject).toMatch(/CRITICAL 127\.0\.0\.1:\d+: the CA asks for renewal now/);
    expect(message.text).toContain('(why: https://ca.example/incidents/7)');
  });

  it('getJson refuses a private address when the guard says so', async () => {
    await expect(
      getJson(`${acme.origin}/directory`, {
        trust: defaultTrustStore(),
        timeouts: DEFAULT_TIMEOUTS,
        guard: () => 'loopback',
      }),
    ).rejects.toThrow(/loopback/);
  });
});
