// Weak certificates through real TLS servers and a real document server on loopback: a 1024-bit
// RSA key, a SHA-1 signature under an intermediate, an over-long lifetime under a public root;
// noted by default, `invalid` (announced once) when the target says findings count.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultTrustStore, TrustStore } from '../../lib/certificate/trust-store.ts';
import { noteFor } from '../../lib/cli/render-table.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { DEFAULT_TIMEOUTS } from '../../lib/net/timeouts.ts';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { ALL_READERS, checkSource } from '../../lib/sources/registry.ts';
import { checkTarget } from '../../lib/sources/tls/check-target.ts';
import { TLS_READERS } from '../../lib/sources/tls/readers.ts';
import { parseTarget } from '../../lib/targets/parse-target.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { createSelfSigned, daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { type DocumentServer, startDocumentServer } from '../fixtures/document-server.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { testServers } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
const servers = testServers();
let root: Minted;
let docs: DocumentServer;
let tables: TestTables;

/** A server for a leaf; weak keys need a server that agrees to use them. */
const serve = (leaf: Minted) => servers.serve(leaf, { ciphers: 'DEFAULT:@SECLEVEL=0' });

beforeAll(async () => {
  const { certPem, keyPem } = inject('testCa');
  root = await importCa(certPem, keyPem);
  docs = await startDocumentServer();
  tables = await createTestTables();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});
afterAll(async () => {
  await servers.close();
  await docs.close();
  await tables.drop();
});

describe('findings over real TLS', () => {
  it('a 1024-bit RSA leaf: noted, the status unchanged', async () => {
    const server = await serve(await issueCertificate(root, { key: 'rsa-1024' }));
    const result = await checkTarget(parseTarget(`127.0.0.1:${server.port}`));
    expect(result.status).toBe('ok');
    expect(result.findings.map((f) => f.code)).toEqual(['weak-rsa-key']);
    expect(result.findings[0]?.detail).toBe('the certificate has a 1024-bit RSA key (at least 2048 is required)');
    expect(noteFor(result)).toContain('weak: weak-rsa-key');
  });

  it("a leaf an intermediate signed with SHA-1; the root's own signature is not judged", async () => {
    const intermediate = await issueCertificate(root, { ca: true, key: 'rsa-sha1' });
    const server = await serve(await issueCertificate(intermediate, {}));
    const result = await checkTarget(parseTarget(`127.0.0.1:${server.port}`));
    expect(result.findings.map((f) => [f.code, f.subject])).toEqual([['sha1-signature', 'CN=localhost']]);
    expect(result.findings[0]?.detail).toMatch(/^the certificate is signed with SHA-1 \(sha1WithRSAEncryption\)$/);
  });

  it('a lifetime longer than public CAs may issue: only under a public root', async () => {
    const leaf = await issueCertificate(root, { notBefore: daysFromNow(-30), notAfter: daysFromNow(300) });
    const server = await serve(leaf);
    const target = parseTarget(`127.0.0.1:${server.port}`);
    // The test CA is an internal one by default: long lifetimes are its owner's choice.
    expect((await checkTarget(target)).findings).toEqual([]);
    const asPublic = new TrustStore([], { publicCaPems: [root.certPem] });
    const result = await checkTarget(target, { trust: asPublic });
    expect(result.findings.map((f) => f.code)).toEqual(['lifetime-over-limit']);
    expect(result.findings[0]?.detail).toMatch(
      /^lives 330 days; public CAs may issue at most 200 days on \d{4}-\d\d-\d\d$/,
    );
  });

  it('with findingsInvalid the target is invalid, announced once with the finding, and weak keys in the event key', async () => {
    const server = await serve(await issueCertificate(root, { key: 'rsa-1024' }));
    const target = normalizeTarget({ host: `127.0.0.1:${server.port}`, findingsInvalid: true });
    expect(target.findingsInvalid).toBe(true);
    const monitor = testMonitor(tables, TLS_READERS);
    await monitor.targets.putTarget(target, new Date());
    const first = await probeTarget(monitor, target);
    expect(first.result.status).toBe('invalid');
    expect(first.published.map((e) => [e.event, e.key.split(':').at(-1)])).toEqual([['invalid', 'weak-weak-rsa-key']]);
    const text = renderNotification(first.published[0] as never).text;
    expect(renderNotification(first.published[0] as never).subject).toContain(
      'certificate is not accepted: it is weak (weak-rsa-key)',
    );
    expect(text).toContain('Finding weak-rsa-key: CN=localhost: the certificate has a 1024-bit RSA key');
    const again = await probeTarget(monitor, target);
    expect(again.published).toEqual([]);
    // Without the setting, the same certificate is only noted.
    const noted = normalizeTarget({ host: `localhost:${server.port}` });
    await monitor.targets.putTarget(noted, new Date());
    expect((await probeTarget(monitor, noted)).result).toMatchObject({
      status: 'ok',
      findings: [{ code: 'weak-rsa-key' }],
    });
  });
});

describe('findings of a document source', () => {
  it('a PEM bundle: a short self-signed key is weak, a self-signed SHA-1 signature is not', async () => {
    const short = await createSelfSigned({ subject: 'CN=old signing key', key: 'rsa-1024' });
    const sha1 = await createSelfSigned({ subject: 'CN=self-signed sha1', key: 'rsa-sha1' });
    docs.serve('/weak.pem', short.certPem + sha1.certPem, 'application/x-pem-file');
    const context = {
      trust: defaultTrustStore(),
      timeouts: DEFAULT_TIMEOUTS,
      thresholds: {},
      allowFiles: false,
      now: () => new Date(),
    };
    const result = await checkSource(normalizeTarget({ host: `pem:${docs.origin}/weak.pem` }), context, ALL_READERS);
    expect(result.status).toBe('ok');
    expect(result.findings.map((f) => [f.code, f.subject])).toEqual([['weak-rsa-key', 'CN=old signing key']]);
    const strict = await checkSource(
      normalizeTarget({ host: `pem:${docs.origin}/weak.pem`, findingsInvalid: true }),
      context,
      ALL_READERS,
    );
    expect(strict.status).toBe('invalid');
    expect(strict.certificates.find((c) => c.subject === 'CN=old signing key')).toMatchObject({
      status: 'invalid',
      problem: 'weak: weak-rsa-key',
    });
    expect(strict.certificates.find((c) => c.subject === 'CN=self-signed sha1')?.status).toBe('ok');
  });
});
