// Issue 30: the certificate inventory in pages from its lists index, never a scan. Through the admin
// handler over DynamoDB Local: every certificate once, in the whole list's order (served soonest
// expiry first, then those served nowhere), filters on the server equal to the whole list's,
// locations bounded per certificate, the report by certificate in pages, nothing lost while
// probes add and remove locations between pages, and the recount listing again what lacks keys.
import { createHash } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createDispatcher } from '../../lambdas/dispatcher-handler.ts';
import type { CertificateView } from '../../lib/admin/certificate-views.ts';
import { colonHex } from '../../lib/certificate/fingerprint.ts';
import { dispatcherConfig } from '../../lib/config.ts';
import type { ProbeDependencies } from '../../lib/monitor/probe-target.ts';
import type { CertificateStore } from '../../lib/store/certificate-store.ts';
import { DAY } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { allPages } from '../fixtures/pages.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';

let tables: TestTables;
let monitor: ProbeDependencies;
let get: ScriptedMonitor['get'];
let store: CertificateStore;
const base = Date.now();

function fingerprintOf(k: number | string): string {
  return colonHex(createHash('sha256').update(`certificate ${k}`).digest('hex').toUpperCase());
}

/** Records a certificate expiring `days` from now (null: no date read) served at `locations`. */
async function certificate(k: number | string, days: number | null, locations: string[]): Promise<string> {
  const fingerprint256 = fingerprintOf(k);
  for (const location of locations) {
    await store.addLocation(
      {
        fingerprint256,
        subject: `CN=cert-${k}.example.com`,
        issuer: 'CN=Test CA',
        notBefore: new Date(base - 30 * DAY).toISOString(),
        notAfter: days === null ? null : new Date(base + days * DAY + DAY / 2).toISOString(),
        lifetimeDays: 90,
        namesKey: `cert-${k}.example.com`,
      },
      location,
      new Date(),
    );
  }
  return fingerprint256;
}

const fingerprints = (views: readonly { fingerprint256: string }[]) => views.map((v) => v.fingerprint256);

beforeAll(async () => {
  tables = await createTestTables();
  ({ monitor, get } = scriptedMonitor(tables));
  store = monitor.certificates as CertificateStore;
  // 130 certificates: expired, critical, warning, ok and without a date, served at one to three
  // locations; every seventh served nowhere any more; one at 60 locations.
  for (let k = 0; k < 130; k++) {
    const days = k % 17 === 0 ? null : (k % 9) * 11 - 20 + (k % 5);
    const fp = await certificate(
      k,
      days,
      Array.from({ length: 1 + (k % 3) }, (_, i) => `host-${k}.example.com:443\t192.0.2.${i + 1}`),
    );
    if (k % 7 === 0) {
      for (let i = 0; i < 1 + (k % 3); i++) {
        await store.removeLocation(fp, `host-${k}.example.com:443\t192.0.2.${i + 1}`, new Date());
      }
    }
  }
  await certificate(
    'wide',
    40,
    Array.from({ length: 60 }, (_, i) => `wide-${String(i).padStart(2, '0')}.example.com:443\t198.51.100.${i}`),
  );
  // CT discovery keeps its items in the same table: never a certificate of the lists.
  await tables.doc.send(
    new PutCommand({ TableName: tables.names.certificates, Item: { fingerprint256: 'ct:position:example.com', n: 1 } }),
  );
}, 120_000);

afterAll(async () => {
  await tables.drop();
});

describe('the certificate lists index', () => {
  it('pages every certificate once, in the order of the whole list', async () => {
    const whole = (await get('/certificates')).json as CertificateView[];
    expect(whole).toHaveLength(131);
    const paged = await allPages<CertificateView>(get, '/certificates?limit=17');
    expect(paged.pages).toBeGreaterThanOrEqual(8);
    expect(fingerprints(paged.items)).toEqual(fingerprints(whole));
    // Served first (soonest expiry first), then those served nowhere.
    const firstGone = paged.items.findIndex((v) => v.locationCount === 0);
    expect(firstGone).toBeGreaterThan(0);
    expect(paged.items.slice(firstGone).every((v) => v.locationCount === 0)).toBe(true);
    const served = paged.items.slice(0, firstGone).map((v) => (v.notAfter ? Date.parse(v.notAfter) : Infinity));
    expect(served).toEqual([...served].sort((a, b) => a - b));
  });

  it('filters on the server exactly as the whole list does', async () => {
    for (const query of [
      'status=expired',
      'status=critical',
      'status=warning',
      'status=ok',
      'expiringWithin=30',
      'expiringWithin=0',
      'served=false',
      'served=true&status=warning',
      'expiringWithin=45&status=ok',
    ]) {
      const whole = (await get(`/certificates?${query}`)).json as CertificateView[];
      const paged = await allPages<CertificateView>(get, `/certificates?${query}&limit=7`);
      expect(fingerprints(paged.items), query).toEqual(fingerprints(whole));
    }
    // The filters select something each (the seed covers every status).
    for (const status of ['expired', 'critical', 'warning', 'ok']) {
      expect(((await get(`/certificates?status=${status}`)).json as unknown[]).length, status).toBeGreaterThan(0);
    }
  });

  it('shows at most 50 locations of a certificate in a page, and how many it has', async () => {
    const paged = await allPages<CertificateView>(get, '/certificates?limit=500');
    const wide = paged.items.find((v) => v.fingerprint256 === fingerprintOf('wide'));
    expect(wide?.locationCount).toBe(60);
    expect(wide?.locations).toHaveLength(50);
    const one = (await get(`/certificates/${encodeURIComponent(fingerprintOf('wide'))}`)).json as CertificateView;
    expect(one.locations).toHaveLength(60);
  });

  it('pages the report by certificate in the order and rows of the whole report', async () => {
    const whole = (await get('/report?view=certificates')).json as { fingerprint256: string }[];
    const paged = await allPages<{ fingerprint256: string; locationCount: number }>(
      get,
      '/report?view=certificates&limit=40',
    );
    expect(paged.items).toEqual(whole);
    expect((await get('/report?view=certificates&format=csv&limit=5')).status).toBe(400);
  });

  it('refuses a cursor it did not issue and a filter it does not know', async () => {
    expect((await get('/certificates?limit=5&cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
    const bad = await get('/certificates?limit=5&served=maybe');
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toMatch(/served must be true or false/);
    expect((await get('/certificates?limit=501')).status).toBe(400);
  });

  it('loses nothing while probes add and remove locations between pages', async () => {
    const before = fingerprints((await get('/certificates')).json as CertificateView[]);
    const moved = new Set<string>();
    const added: string[] = [];
    const paged = await allPages<CertificateView>(get, '/certificates?limit=10', async (page) => {
      // A certificate served now loses its locations (it moves to the served-nowhere list), and
      // a new certificate appears: they may show twice or not at all; all the others exactly once.
      const k = page * 9;
      if (k < 126 && k % 7 !== 0) {
        for (let i = 0; i < 1 + (k % 3); i++) {
          await store.removeLocation(fingerprintOf(k), `host-${k}.example.com:443\t192.0.2.${i + 1}`, new Date());
        }
        moved.add(fingerprintOf(k));
      }
      added.push(await certificate(`new-${page}`, page * 3, [`new-${page}.example.com:443\t203.0.113.1`]));
    });
    const seen = fingerprints(paged.items);
    const steady = before.filter((f) => !moved.has(f));
    for (const f of steady)
      expect(
        seen.filter((s) => s === f),
        f,
      ).toHaveLength(1);
    for (const f of moved) expect(seen).toContain(f);
    for (const f of seen) expect(before.includes(f) || added.includes(f), f).toBe(true);
    // Moved ones now list as served nowhere; a location coming back lists one as served again.
    const gone = fingerprints(
      await allPages<CertificateView>(get, '/certificates?served=false&limit=500').then((p) => p.items),
    );
    for (const f of moved) expect(gone).toContain(f);
    const back = [...moved][0] as string;
    const k = Number(/\d+/.exec(paged.items.find((v) => v.fingerprint256 === back)?.subject ?? '')?.[0]);
    await certificate(k, null, [`host-${k}.example.com:443\t192.0.2.9`]);
    const served = fingerprints((await allPages<CertificateView>(get, '/certificates?served=true&limit=500')).items);
    expect(served).toContain(back);
  });

  it('lists again, at the recount, certificates stored before the index or left with wrong keys', async () => {
    // Stored by an earlier release: no list keys.
    const old = fingerprintOf('from an earlier release');
    await tables.doc.send(
      new PutCommand({
        TableName: tables.names.certificates,
        Item: {
          fingerprint256: old,
          subject: 'CN=old.example.com',
          issuer: 'CN=Test CA',
          notBefore: new Date(base - 10 * DAY).toISOString(),
          notAfter: new Date(base + 3 * DAY).toISOString(),
          lifetimeDays: 90,
          namesKey: 'old.example.com',
          firstSeen: new Date(base - 10 * DAY).toISOString(),
          lastSeen: new Date(base).toISOString(),
          locs: new Set(['old.example.com:443\t192.0.2.77']),
        },
      }),
    );
    // Listed as served though nothing serves it (a write that stopped half way).
    const wrong = await certificate('wrong', 20, ['wrong.example.com:443\t192.0.2.8']);
    await tables.doc.send(
      new UpdateCommand({
        TableName: tables.names.certificates,
        Key: { fingerprint256: wrong },
        UpdateExpression: 'REMOVE locs',
      }),
    );
    const listed = async (query: string) =>
      fingerprints((await allPages<CertificateView>(get, `/certificates?${query}&limit=500`)).items);
    expect(await listed('served=true')).not.toContain(old);
    expect(await listed('served=true')).toContain(wrong);
    // The dispatcher's daily recount does it (deployed: its third schedule sends {scope: recount}).
    const dispatcher = createDispatcher({
      config: dispatcherConfig({
        TARGETS_TABLE: tables.names.targets,
        SUMMARY_TABLE: tables.names.summary,
        CERTIFICATES_TABLE: tables.names.certificates,
        PROBE_FUNCTION_NAME: 'certvigil-probe',
      }),
      targets: monitor.targets,
      certificates: store,
      lambda: new LambdaClient({ region: 'eu-west-1' }),
    });
    expect(await dispatcher({ scope: 'recount' }, {} as Context)).toMatchObject({
      recount: true,
      certificatesRelisted: 2,
    });
    expect(await listed('served=true')).toContain(old);
    expect(await listed('served=false')).toContain(wrong);
    expect(await listed('served=true')).not.toContain(wrong);
    // Nothing left to repair; CT's items stay out of the lists.
    expect(await store.lists.relist()).toBe(0);
    const ct = await tables.doc.send(
      new ScanCommand({
        TableName: tables.names.certificates,
        FilterExpression: 'begins_with(fingerprint256, :ct)',
        ExpressionAttributeValues: { ':ct': 'ct:' },
      }),
    );
    expect(ct.Items?.[0]?.certList).toBeUndefined();
  });
});
