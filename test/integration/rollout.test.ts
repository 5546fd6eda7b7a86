// Where a certificate is, and whether its replacement is everywhere yet: one certificate on eight
// addresses (127.0.0.1–8, one port) across three targets, through DynamoDB Local and real TLS
// servers, on a fixed clock for the stall time.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { handleAdminRequest } from '../../lib/admin/admin-api.ts';
import type { CertificateView } from '../../lib/admin/certificate-views.ts';
import { monitorDependencies } from '../../lib/monitor/monitor-dependencies.ts';
import { type ProbeDependencies, probeTarget } from '../../lib/monitor/probe-target.ts';
import { SnsPublisher } from '../../lib/notify/sns-publisher.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { CertificateStore, rolloutOf } from '../../lib/store/certificate-store.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables, testProbeConfig } from '../fixtures/dynamo.ts';
import { sharedPortServers } from '../fixtures/servers.ts';
import { publishedNotifications } from '../fixtures/sns.ts';

const sns = mockClient(SNSClient);
const NAMES = ['a.rollout.test', 'b.rollout.test', 'c.rollout.test'];
let tables: TestTables;
let store: TargetStore;
let certificates: CertificateStore;
let old: Minted;
let renewed: Minted;
const servers = sharedPortServers();
let clock = new Date('2026-11-28T10:00:00Z');
let targets: Target[] = [];

function deps(): ProbeDependencies {
  const config = testProbeConfig(tables, { rolloutStallMinutes: 120 });
  return {
    ...monitorDependencies(
      config,
      tables.client,
      new SnsPublisher(new SNSClient({ region: 'eu-west-1' }), config.topicArn),
      ALL_READERS,
    ),
    now: () => clock,
  };
}

const published = () => publishedNotifications(sns);

async function checkAll(): Promise<void> {
  for (const target of targets) await probeTarget(deps(), target);
}

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  certificates = new CertificateStore(tables.doc, tables.names.certificates);
  const { certPem, keyPem } = inject('testCa');
  const ca = await importCa(certPem, keyPem);
  old = await issueCertificate(ca, { sans: NAMES, notBefore: daysFromNow(-60), notAfter: daysFromNow(30) });
  renewed = await issueCertificate(ca, { sans: NAMES, notBefore: daysFromNow(-1), notAfter: daysFromNow(89) });
  for (let i = 1; i <= 8; i++) await servers.serveOn(`127.0.0.${i}`, old);
  const addresses = [
    ['127.0.0.1', '127.0.0.2', '127.0.0.3'],
    ['127.0.0.4', '127.0.0.5', '127.0.0.6'],
    ['127.0.0.7', '127.0.0.8'],
  ];
  targets = NAMES.map((name, i) => normalizeTarget({ host: `${name}:${servers.port}`, addresses: addresses[i] }));
  for (const t of targets) await store.putTarget(t, new Date());
});
afterAll(async () => {
  await servers.close();
  await tables.drop();
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('certificate inventory and rollouts', () => {
  it('knows every location of a certificate after the first checks, quietly', async () => {
    await checkAll();
    const fingerprint = (await store.getTarget(targets[0]?.id ?? ''))?.state?.result.fingerprint256 as string;
    const stored = await certificates.get(fingerprint);
    expect([...(stored?.locs ?? [])].sort()).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `${targets[i <= 3 ? 0 : i <= 6 ? 1 : 2]?.id}\t127.0.0.${i}`).sort(),
    );
    expect(stored?.subject).toBe(`CN=${NAMES[0]}`);
    expect(stored?.replacedBy).toBeUndefined();
    expect(published()).toEqual([]);
  });

  it('says "new certificate on 3 of 8 locations" when one target is renewed, once', async () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) servers.serve(a, renewed);
    await checkAll();
    await checkAll();
    const news = published();
    expect(news.map((n) => [n.event, n.target])).toEqual([['renewed', targets[0]?.id]]);
    expect(news[0]?.text).toMatch(
      /certificate renewed, valid until \d{4}-\d\d-\d\d; new certificate on 3 of 8 locations/,
    );
    const oldFingerprint = news[0]?.previous?.fingerprint256 as string;
    const item = await certificates.get(oldFingerprint);
    expect(item?.replacedBy).toBe(news[0]?.fingerprint256);
    expect(rolloutOf(item as never)).toMatchObject({ done: 3, total: 8 });
  });

  it('announces a stalled rollout once, past the stall time, listing where the old certificate still is', async () => {
    clock = new Date(clock.getTime() + 119 * 60_000);
    await checkAll();
    expect(published()).toEqual([]);
    clock = new Date(clock.getTime() + 2 * 60_000);
    // Every target twice, all at once: still one announcement.
    await Promise.all([...targets, ...targets].map((t) => probeTarget(deps(), t)));
    await checkAll();
    const stalled = published();
    expect(stalled.map((n) => n.event)).toEqual(['rollout-stalled']);
    expect(stalled[0]?.severity).toBe('warning');
    expect(stalled[0]?.text).toMatch(/still served at 5 of 8 locations, 2(\.\d)? h after its replacement appeared/);
    expect(stalled[0]?.text).toMatch(/b\.rollout\.test:\d+ 127\.0\.0\.4/);
  });

  it('does not repeat rollout events when a load balancer flips between the two certificates', async () => {
    for (let round = 0; round < 3; round++) {
      servers.serve('127.0.0.4', round % 2 ? old : renewed);
      await checkAll();
    }
    servers.serve('127.0.0.4', old);
    await checkAll();
    const events = published().map((n) => n.event);
    expect(events.filter((e) => e.startsWith('rollout'))).toEqual([]);
    expect(events.filter((e) => e === 'renewed')).toHaveLength(1);
  });

  it('announces the completed rollout once when the last location moves', async () => {
    for (let i = 4; i <= 8; i++) servers.serve(`127.0.0.${i}`, renewed);
    clock = new Date(clock.getTime() + 60 * 60_000);
    await checkAll();
    await checkAll();
    const events = published();
    expect(events.filter((n) => n.event === 'rollout-complete')).toHaveLength(1);
    const complete = events.find((n) => n.event === 'rollout-complete');
    expect(complete?.text).toMatch(
      /rollout complete: the replaced certificate is no longer served at any of its 8 locations \(3(\.\d)? h\)/,
    );
  });

  it('serves the certificate view: list with filters, one certificate, and the CSV view', async () => {
    const admin = (path: string, query = '') =>
      handleAdminRequest(
        { method: 'GET', path, query: new URLSearchParams(query), headers: {}, body: undefined },
        { targets: store, probe: async () => undefined as never, guard: undefined, certificates, now: () => clock },
      );
    const list = JSON.parse((await admin('/certificates')).body) as CertificateView[];
    const oldView = list.find((v) => v.replacedBy !== null);
    const newView = list.find((v) => v.replaces.length > 0);
    expect(oldView).toMatchObject({ locations: [], rollout: { done: 8, total: 8 } });
    expect(newView?.locations).toHaveLength(8);
    expect(newView?.replaces).toEqual([oldView?.fingerprint256]);
    const soon = JSON.parse((await admin('/certificates', 'expiringWithin=40')).body) as CertificateView[];
    expect(soon.map((v) => v.fingerprint256)).toEqual([oldView?.fingerprint256]);
    const one = await admin(
      `/certificates/${encodeURIComponent((newView?.fingerprint256 ?? '').replace(/:/g, '').toLowerCase())}`,
    );
    expect(JSON.parse(one.body)).toMatchObject({ fingerprint256: newView?.fingerprint256, status: 'ok' });
    expect((await admin('/certificates/nothex')).status).toBe(404);
    expect((await admin('/certificates', 'status=fine')).status).toBe(400);
    const csv = (await admin('/report', 'view=certificates&format=csv')).body.split('\r\n');
    expect(csv[0]).toBe(
      'fingerprint256,status,daysLeft,notAfter,subject,issuer,problem,locationCount,locations,replacedBy,rollout',
    );
    expect(csv.some((line) => line.includes('8/8 since'))).toBe(true);
  });

  it('does not take a certificate for other names as a replacement', async () => {
    const { certPem, keyPem } = inject('testCa');
    const other = await issueCertificate(await importCa(certPem, keyPem), {
      sans: ['a.rollout.test', 'elsewhere.test'],
      notAfter: daysFromNow(200),
    });
    servers.serve('127.0.0.1', other);
    await probeTarget(deps(), targets[0] as Target);
    const current = (await store.getTarget(targets[0]?.id ?? ''))?.state;
    const renewedItem = await certificates.get(current?.locations?.['127.0.0.2']?.[0]?.fingerprint256 as string);
    expect(renewedItem?.replacedBy).toBeUndefined();
    expect(published().some((n) => n.event.startsWith('rollout'))).toBe(false);
  });
});
