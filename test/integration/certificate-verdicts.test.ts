// Issue 32: the certificate view judges trust and names as the targets do. One certificate served
// at two targets (right for one name, wrong for the other) and a self-signed one, through DynamoDB
// Local and real TLS servers on loopback: the inventory says which locations refuse a certificate
// and why, follows when that changes (a CA trusted later, the location moves on), and the events
// say why their target is not ok.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { handleAdminRequest } from '../../lib/admin/admin-api.ts';
import type { TargetView } from '../../lib/admin/admin-types.ts';
import type { CertificateView } from '../../lib/admin/certificate-views.ts';
import type { OpenEventView } from '../../lib/admin/open-events.ts';
import type { ProbeConfig } from '../../lib/config.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { problemOf } from '../../lib/policy/problem.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { CertificateStore } from '../../lib/store/certificate-store.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { createSelfSigned, daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { sharedPortServers } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let store: TargetStore;
let certificates: CertificateStore;
let dir: string;
let shared: Minted;
let other: Minted;
let self: Minted;
let own: Minted;
const servers = sharedPortServers();
let clock = new Date();
const targets: Record<'right' | 'wrong' | 'self' | 'third', Target> = {} as never;

async function check(target: Target, overrides: Partial<ProbeConfig> = {}): Promise<void> {
  await probeTarget({ ...testMonitor(tables, ALL_READERS, overrides), now: () => clock }, target);
}

async function admin<T>(path: string, query = ''): Promise<T> {
  const answer = await handleAdminRequest(
    { method: 'GET', path, query: new URLSearchParams(query), headers: {}, body: undefined },
    { targets: store, probe: async () => undefined as never, guard: undefined, certificates, now: () => clock },
  );
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as T;
}

const fp = (minted: Minted) => new X509Certificate(minted.certPem).fingerprint256;
const view = (minted: Minted) => admin<CertificateView>(`/certificates/${encodeURIComponent(fp(minted))}`);

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  certificates = new CertificateStore(tables.doc, tables.names.certificates);
  dir = mkdtempSync(join(tmpdir(), 'certvigil-verdicts-'));
  const { certPem, keyPem } = inject('testCa');
  const ca = await importCa(certPem, keyPem);
  shared = await issueCertificate(ca, { sans: ['right.verdict.test'], notAfter: daysFromNow(80) });
  other = await issueCertificate(ca, { sans: ['wrong.verdict.test'], notAfter: daysFromNow(85) });
  own = await issueCertificate(ca, { sans: ['third.verdict.test'], notAfter: daysFromNow(60) });
  self = await createSelfSigned({ sans: ['self.verdict.test'], notAfter: daysFromNow(70) });
  await servers.serveOn('127.0.0.1', shared);
  await servers.serveOn('127.0.0.2', shared);
  await servers.serveOn('127.0.0.3', self);
  await servers.serveOn('127.0.0.4', own);
  targets.right = normalizeTarget({ host: `right.verdict.test:${servers.port}`, addresses: ['127.0.0.1'] });
  targets.wrong = normalizeTarget({ host: `wrong.verdict.test:${servers.port}`, addresses: ['127.0.0.2'] });
  targets.self = normalizeTarget({ host: `self.verdict.test:${servers.port}`, addresses: ['127.0.0.3'] });
  targets.third = normalizeTarget({ host: `third.verdict.test:${servers.port}`, addresses: ['127.0.0.4'] });
  for (const t of Object.values(targets)) await store.putTarget(t, new Date());
});
afterAll(async () => {
  await servers.close();
  await tables.drop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('the certificate view judges trust and names as the targets do', () => {
  it('shows a certificate refused where it serves the wrong name, and why, at 1 of 2 locations', async () => {
    for (const t of [targets.right, targets.wrong, targets.self]) await check(t);
    expect((await store.getTarget(targets.wrong.id))?.state?.result.status).toBe('invalid');
    const c = await view(shared);
    expect(c).toMatchObject({
      status: 'invalid',
      problem: 'the certificate names right.verdict.test, not wrong.verdict.test',
      locationCount: 2,
      refusedCount: 1,
    });
    // Those refusing it first.
    expect(c.locations).toEqual([
      { target: targets.wrong.id, where: '127.0.0.2', refused: true },
      { target: targets.right.id, where: '127.0.0.1', refused: false },
    ]);
    expect(await view(self)).toMatchObject({
      status: 'invalid',
      problem: 'not trusted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
      refusedCount: 1,
    });
  });

  it('filters on invalid, and no longer lists a refused certificate as ok', async () => {
    const page = (status: string) =>
      admin<{ items: CertificateView[] }>('/certificates', `limit=50&status=${status}`).then((p) =>
        p.items.map((i) => i.fingerprint256).sort(),
      );
    expect(await page('invalid')).toEqual([fp(shared), fp(self)].sort());
    expect(await page('ok')).toEqual([]);
    const whole = await admin<CertificateView[]>('/certificates', 'status=invalid');
    expect(whole.map((i) => i.fingerprint256).sort()).toEqual([fp(shared), fp(self)].sort());
  });

  it('says why in the events and the inventory, from the stored check', async () => {
    const events = await admin<OpenEventView[]>('/events');
    const problemFor = (t: Target) => events.find((e) => e.target === t.id)?.problem;
    expect(problemFor(targets.wrong)).toBe('the certificate names right.verdict.test, not wrong.verdict.test');
    expect(problemFor(targets.self)).toBe('not trusted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(events.find((e) => e.target === targets.right.id)).toBeUndefined();
    // The inventory's list reads the stored (compact) check: the names it keeps are enough.
    const list = await admin<{ items: TargetView[] }>('/targets', 'limit=50');
    const wrong = list.items.find((t) => t.id === targets.wrong.id);
    expect(problemOf(wrong?.lastCheck)).toBe('the certificate names right.verdict.test, not wrong.verdict.test');
  });

  it('writes nothing on a quiet check: the refusal keeps the time it was recorded', async () => {
    const before = await certificates.get(fp(shared));
    clock = new Date(clock.getTime() + 3_600_000);
    await check(targets.wrong);
    await check(targets.right);
    const after = await certificates.get(fp(shared));
    expect(after?.refusal).toEqual(before?.refusal);
    expect([...(after?.refusedLocs ?? [])]).toEqual([`${targets.wrong.id}\t127.0.0.2`]);
  });

  it('follows a verdict that changes where the certificate stays: a CA trusted later', async () => {
    const file = join(dir, 'self.pem');
    writeFileSync(file, self.certPem);
    await check(targets.self, { caFiles: [file] });
    expect((await store.getTarget(targets.self.id))?.state?.result.status).toBe('ok');
    expect(await view(self)).toMatchObject({ status: 'ok', problem: null, refusedCount: 0 });
    // And back: refused again once the CA is no longer trusted.
    await check(targets.self);
    expect(await view(self)).toMatchObject({ status: 'invalid', refusedCount: 1 });
  });

  it('does not keep the words of a location that no longer refuses it while others still do', async () => {
    // A third target refuses the shared certificate for its own name: its words are the latest.
    servers.serve('127.0.0.4', shared);
    await check(targets.third);
    expect(await view(shared)).toMatchObject({
      problem: 'the certificate names right.verdict.test, not third.verdict.test',
      refusedCount: 2,
    });
    // It moves on; the wrong-name target still refuses: its reason is not the third's.
    servers.serve('127.0.0.4', own);
    await check(targets.third);
    expect(await view(shared)).toMatchObject({
      status: 'invalid',
      problem: 'see the targets that refuse it',
      refusedCount: 1,
      locationCount: 2,
    });
  });

  it('forgets a refusal when the location moves on to another certificate', async () => {
    servers.serve('127.0.0.2', other);
    await check(targets.wrong);
    expect(await view(shared)).toMatchObject({ status: 'ok', problem: null, locationCount: 1, refusedCount: 0 });
    expect(await view(other)).toMatchObject({ status: 'ok', refusedCount: 0 });
    const events = await admin<OpenEventView[]>('/events');
    expect(events.find((e) => e.target === targets.wrong.id)).toBeUndefined();
  });
});
