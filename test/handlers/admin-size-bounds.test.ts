// Issue 30: no admin answer over the function URL's 6 MB cap, at any inventory size. Every GET route
// is listed here with its bound (a new route fails this test until it declares one): pages are
// measured with targets whose settings are as large as the schema allows and extrapolated to a full
// page; the whole-inventory forms, with the summary saying a million targets, answer a problem
// pointing to the pages instead of reading.

import { createHash } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../../lib/admin/admin-api.ts';
import { LOCATIONS_IN_PAGE, PAGE_BYTES } from '../../lib/admin/certificate-query.ts';
import { DIGEST_SECTION_ROWS } from '../../lib/admin/digest.ts';
import { MAX_PAGE_SIZE } from '../../lib/admin/list-query.ts';
import { MAX_ADDRESSES, MAX_OWNER_NAME, OwnerDirectory } from '../../lib/admin/owner-directory.ts';
import { MAX_METRICS_BYTES, MAX_METRICS_TARGETS } from '../../lib/admin/routes/metrics.ts';
import { MAX_OWNERS_PAGE } from '../../lib/admin/routes/owners.ts';
import { MAX_TIMELINE_ROWS } from '../../lib/admin/routes/targets.ts';
import { colonHex } from '../../lib/certificate/fingerprint.ts';
import { ACK_BY_MAX, ACK_NOTE_MAX } from '../../lib/policy/acknowledgements.ts';
import { MAINTENANCE_NOTE_MAX, MAX_WINDOWS } from '../../lib/policy/maintenance.ts';
import type { CertificateStore } from '../../lib/store/certificate-store.ts';
import { DirectoryStore, type OwnerEntry } from '../../lib/store/directory-store.ts';
import { MaintenanceStore } from '../../lib/store/maintenance-store.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { LIMITS } from '../../lib/text-bounds.ts';
import { adminHandlerOver } from '../fixtures/admin.ts';
import { bumpCounter, createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';

const CAP = 6 * 1000 * 1000;
const sns = mockClient(SNSClient);
let tables: TestTables;
let scripted: ScriptedMonitor;
let directory: DirectoryStore;
let windows: MaintenanceStore;
const targets: Target[] = [];

/** Bytes of an answer, plain (the larger of its forms: a client without gzip). */
async function size(path: string): Promise<{ status: number; bytes: number; items: number; json: unknown }> {
  const answer = await scripted.get(path);
  const bytes = Buffer.byteLength(JSON.stringify(answer.json));
  const items = Array.isArray(answer.json) ? answer.json.length : (answer.json.items?.length ?? 1);
  return { status: answer.status, bytes, items, json: answer.json };
}

beforeAll(async () => {
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  tables = await createTestTables();
  directory = new DirectoryStore(tables.doc, tables.names.directory as string);
  windows = new MaintenanceStore(tables.doc, tables.names.directory as string);
  scripted = scriptedMonitor(tables, { admin: { owners: new OwnerDirectory(directory, undefined), windows } });
  // Settings as large as the schema allows: 200-character owner, 50 tags of 64, 2,000-character notes.
  for (let k = 0; k < 12; k++) {
    const target = normalizeTarget({
      host: `${'h'.repeat(50)}-${k}.${'d'.repeat(60)}.example`,
      owner: `o${k % 3}`.padEnd(200, 'x'),
      tags: Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(64, 't')),
      notes: 'n'.repeat(2000),
    });
    await scripted.monitor.targets.putTarget(target, new Date());
    await scripted.check(target, k % 2 ? 'critical' : 'warning', 3 + k);
    targets.push(target);
  }
}, 60_000);

afterAll(async () => {
  await tables.drop();
});

function largestOwner(k: number): OwnerEntry {
  const address = (i: number, route: string) => `${route}${i}`.padEnd(64, 'a') + `@${'d'.repeat(185)}.example`;
  const emails = Array.from({ length: MAX_ADDRESSES }, (_, i) => address(i, 'e'));
  const escalationEmails = Array.from({ length: MAX_ADDRESSES }, (_, i) => address(i, 'x'));
  return {
    name: `${k}`.padEnd(MAX_OWNER_NAME, 'o'),
    emails,
    escalationEmails,
    updatedAt: new Date().toISOString(),
    updatedBy: 'u'.repeat(ACK_BY_MAX),
    version: 1,
    pending: [...emails, ...escalationEmails.map((e) => e.replace('@', '@p'))],
  };
}

describe('every GET route has a bound under the cap', () => {
  const id = () => encodeURIComponent(targets[0]?.id as string);
  /** Each GET route: how to call it, and the most bytes its answer can hold. */
  const bounds: Record<string, () => Promise<void>> = {
    '/targets': async () => {
      const page = await size(`/targets?limit=${MAX_PAGE_SIZE}`);
      expect((page.bytes / page.items) * MAX_PAGE_SIZE).toBeLessThan(CAP);
    },
    '/targets/{id}': async () => expect((await size(`/targets/${id()}`)).bytes).toBeLessThan(CAP / 100),
    '/targets/{id}/timeline': async () => {
      const page = await size(`/targets/${id()}/timeline?limit=${MAX_TIMELINE_ROWS}`);
      expect(page.bytes * MAX_TIMELINE_ROWS).toBeLessThan(CAP);
    },
    '/events': async () => {
      const page = await size(`/events?limit=${MAX_PAGE_SIZE}`);
      expect(page.items).toBeGreaterThan(0);
      // A page holds whole targets' events: a few more than the limit at most.
      expect((page.bytes / page.items) * (MAX_PAGE_SIZE + 50)).toBeLessThan(CAP);
    },
    // Five sections of at most DIGEST_SECTION_ROWS rows; a row's fields are each bounded (a
    // 2 KiB target id, a bounded subject, acknowledgement note and name, a few event types).
    '/digest': async () => {
      const digest = await size(`/digest?owner=${encodeURIComponent(targets[0]?.owner as string)}`);
      expect(digest.status).toBe(200);
      const rows = ['trouble', 'expiring', 'acknowledged', 'stuck', 'rollouts'].flatMap(
        (k) => (digest.json as Record<string, { rows: unknown[] }>)[k]?.rows ?? [],
      );
      expect(rows.length).toBeGreaterThan(0);
      const worstRow = 2_100 + 2 * (LIMITS.name + ACK_NOTE_MAX + ACK_BY_MAX) + 600;
      for (const row of rows) expect(Buffer.byteLength(JSON.stringify(row))).toBeLessThan(worstRow);
      expect(5 * DIGEST_SECTION_ROWS * worstRow).toBeLessThan(CAP);
    },
    '/summary': async () => expect((await size('/summary?days=400')).bytes).toBeLessThan(CAP / 10),
    '/report': async () => {
      const page = await size(`/report?limit=${MAX_PAGE_SIZE}`);
      expect((page.bytes / page.items) * MAX_PAGE_SIZE).toBeLessThan(CAP);
    },
    // Certificates served at many locations of the longest ids: a page of them ends early, under
    // its byte budget, with a cursor to the rest; the report by certificate likewise.
    '/certificates': async () => {
      const store = scripted.monitor.certificates as CertificateStore;
      const wide = Array.from({ length: 60 }, (_, k) =>
        colonHex(createHash('sha256').update(`wide ${k}`).digest('hex').toUpperCase()),
      );
      await Promise.all(
        wide.map(async (fingerprint256, k) => {
          for (let i = 0; i < LOCATIONS_IN_PAGE + 5; i++) {
            await store.addLocation(
              {
                fingerprint256,
                subject: `CN=wide-${k}`,
                issuer: 'CN=CA',
                notBefore: null,
                notAfter: new Date(Date.now() + (k + 1) * 86_400_000).toISOString(),
                lifetimeDays: 90,
                namesKey: null,
              },
              `https://${'w'.repeat(2000)}.example/${k}/${i}\t192.0.2.${i}`,
              new Date(),
            );
          }
        }),
      );
      for (const path of [`/certificates?limit=${MAX_PAGE_SIZE}`, `/report?view=certificates&limit=${MAX_PAGE_SIZE}`]) {
        const first = await size(path);
        expect(first.status, path).toBe(200);
        expect(first.bytes, path).toBeLessThan(PAGE_BYTES + 200_000);
        expect(first.items, path).toBeLessThan(wide.length);
        expect((first.json as { nextCursor: string | null }).nextCursor, path).not.toBeNull();
        const rest = await size(`${path}&cursor=${(first.json as { nextCursor: string }).nextCursor}`);
        expect(first.items + rest.items, path).toBeGreaterThanOrEqual(wide.length);
      }
    },
    // Owners as large as the directory allows: a 200-character name, 20 addresses of 254
    // characters in each route, as many pending, a bounded caller.
    '/owners': async () => {
      for (let k = 0; k < 3; k++) await directory.putOwner(largestOwner(k), undefined);
      const page = await size(`/owners?limit=${MAX_OWNERS_PAGE}`);
      expect(page.status).toBe(200);
      const owners = (page.json as { owners: unknown[] }).owners;
      expect(owners).toHaveLength(3);
      expect((page.bytes / owners.length) * MAX_OWNERS_PAGE).toBeLessThan(CAP);
    },
    '/owners/{name}': async () => {
      await directory.putOwner(largestOwner(9), undefined);
      const one = await size(`/owners/${encodeURIComponent(largestOwner(9).name)}`);
      expect(one.status).toBe(200);
      expect(one.bytes).toBeLessThan(CAP / 100);
    },
    // Windows with the longest target id, note and caller: MAX_WINDOWS of them fit.
    '/maintenance': async () => {
      for (let k = 0; k < 3; k++) {
        await windows.put({
          id: `00000000000${k}`,
          target: `${k}`.padEnd(2_100, 'h'),
          from: new Date().toISOString(),
          until: new Date(Date.now() + 86_400_000).toISOString(),
          note: 'n'.repeat(MAINTENANCE_NOTE_MAX),
          by: 'u'.repeat(ACK_BY_MAX),
          at: new Date().toISOString(),
        });
      }
      const listed = await size('/maintenance');
      const count = (listed.json as { windows: unknown[] }).windows.length;
      expect(count).toBe(3);
      expect((listed.bytes / count) * MAX_WINDOWS).toBeLessThan(CAP);
    },
    // The exposition (issue 32): text, at most MAX_METRICS_TARGETS targets and MAX_METRICS_BYTES of
    // samples a scrape, whatever the targets' names; the largest targets here fill a page well under.
    '/metrics': async () => {
      const answer = (await adminHandlerOver(scripted.monitor)(functionUrlEvent('GET', '/metrics'))) as {
        statusCode: number;
        body: string;
      };
      expect(answer.statusCode).toBe(200);
      const bytes = Buffer.byteLength(answer.body);
      const perTarget =
        bytes / answer.body.split('\n').filter((l) => l.startsWith('certvigil_target_last_check')).length;
      expect(Math.min(perTarget * MAX_METRICS_TARGETS, MAX_METRICS_BYTES + 100_000)).toBeLessThan(CAP);
    },
    // A run's status: a few fields and a link (here, without a bucket, the problem saying so).
    '/exports/{id}': async () =>
      expect((await size('/exports/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0.csv')).bytes).toBeLessThan(CAP / 1000),
    '/certificates/{fingerprint256}': async () => {
      const fingerprint = (await scripted.get(`/targets/${id()}`)).json.lastCheck.fingerprint256 as string;
      const one = await size(`/certificates/${encodeURIComponent(fingerprint)}`);
      expect(one.bytes).toBeLessThan(CAP / 100);
    },
  };

  it('names a bound for every GET route of the admin API', () => {
    const gets = ADMIN_ROUTES.filter((r) => r.methods.GET).map((r) => r.path);
    expect(gets.sort()).toEqual(Object.keys(bounds).sort());
  });

  for (const [route, check] of Object.entries(bounds)) {
    it(`keeps ${route} under the cap`, check);
  }

  it('answers the whole-inventory forms with a problem pointing to the pages once the inventory is too large', async () => {
    // The summary says a million targets (counted, as the counters would be).
    await bumpCounter(tables, 'status', 'ok', 1_000_000);
    for (const path of ['/report', '/report?format=csv', '/report?view=certificates', '/certificates']) {
      const answer = await scripted.get(path);
      expect(answer.status, path).toBe(413);
      expect(answer.json.detail, path).toMatch(
        /GET \/(report|certificates)\?(view=\w+&)?limit=500.*certvigil report --out FILE/,
      );
    }
    // So does the whole list of open events, from the summary's count, before reading any.
    await bumpCounter(tables, 'events', 'critical', 100_000);
    const events = await scripted.get('/events');
    expect(events.status).toBe(413);
    expect(events.json.detail).toMatch(/GET \/events\?limit=500/);
    expect((await scripted.get('/events?limit=5')).status).toBe(200);
    // The pages still answer.
    expect((await scripted.get('/report?limit=5')).status).toBe(200);
    expect((await scripted.get('/targets?limit=5')).status).toBe(200);
  });
});
