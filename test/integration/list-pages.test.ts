// Issue 30: the lists a person reads come in pages from the lists index, never a scan. Through the
// admin handler over DynamoDB Local: every target once, soonest expiry first, filters on the
// server, short pages when a filter skips entries, and no item lost or repeated while checks,
// additions and deletions happen between pages.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeDependencies } from '../../lib/monitor/probe-target.ts';
import type { Status } from '../../lib/policy/status.ts';
import { LIST_STATUSES } from '../../lib/store/list-keys.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { allPages } from '../fixtures/pages.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let monitor: ProbeDependencies;
let get: ScriptedMonitor['get'];
let check: ScriptedMonitor['check'];

const STATUS_CYCLE: Status[] = ['ok', 'ok', 'ok', 'warning', 'critical', 'expired', 'invalid', 'error', 'revoked'];

/** Adds a target and checks it once, finding `status` with `days` left (`null`: never checked). */
async function seed(k: number, status: Status | null, days: number, extra: Partial<Target> = {}): Promise<Target> {
  const target = normalizeTarget({ host: `host-${String(k).padStart(3, '0')}.example.com`, ...extra });
  await monitor.targets.putTarget(target, new Date());
  if (status !== null) await check(target, status, days);
  return target;
}

const expiryOf = (t: { lastCheck: { notAfter: string | null } | null }) =>
  t.lastCheck?.notAfter ? Date.parse(t.lastCheck.notAfter) : Number.POSITIVE_INFINITY;

beforeAll(async () => {
  tables = await createTestTables();
  ({ monitor, get, check } = scriptedMonitor(tables));
});

afterAll(async () => {
  await tables.drop();
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('the lists index', () => {
  const seeded: Target[] = [];

  beforeAll(async () => {
    for (let k = 0; k < 120; k++) {
      const status = k % 13 === 0 ? null : (STATUS_CYCLE[k % STATUS_CYCLE.length] as Status);
      const days = status === 'expired' ? -(k % 5) - 1 : ((k * 37) % 200) + 0.5;
      seeded.push(
        await seed(k, status, days, {
          owner: k % 4 === 0 ? undefined : `team-${k % 3}`,
          tags: k % 5 === 0 ? ['prod', 'edge'] : ['staging'],
        }),
      );
    }
  }, 120_000);

  it('pages every target once, soonest expiry first, never-checked last', async () => {
    const { items, pages } = await allPages<{ id: string; lastCheck: { notAfter: string | null } | null }>(
      get,
      '/targets?limit=17',
    );
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(seeded.length / 17));
    expect(items.map((t) => t.id).sort()).toEqual(seeded.map((t) => t.id).sort());
    const expiries = items.map(expiryOf);
    expect(expiries).toEqual([...expiries].sort((a, b) => a - b));
    expect(items.at(-1)?.lastCheck).toBeNull();
  });

  it('serves a status from its partitions, and `ok` includes targets with an open condition', async () => {
    for (const status of ['ok', 'critical', 'error', 'unchecked'] as const) {
      const { items } = await allPages<{ id: string; lastCheck: { status: string } | null }>(
        get,
        `/targets?limit=7&status=${status}`,
      );
      const expected = seeded.filter((_, k) =>
        status === 'unchecked' ? k % 13 === 0 : k % 13 !== 0 && STATUS_CYCLE[k % STATUS_CYCLE.length] === status,
      );
      expect(items.map((t) => t.id).sort(), status).toEqual(expected.map((t) => t.id).sort());
      for (const t of items) expect(t.lastCheck?.status ?? 'unchecked').toBe(status);
    }
  });

  it('filters by owner, no owner, kind, tag and a piece of the id on the server, completely', async () => {
    const cases: [string, (t: Target) => boolean][] = [
      ['owner=team-1', (t) => t.owner === 'team-1'],
      ['unowned=true', (t) => t.owner === undefined],
      ['tag=edge', (t) => t.tags.includes('edge')],
      ['kind=tls&q=host-01', (t) => t.id.includes('host-01')],
      ['owner=team-2&status=ok', (t) => t.owner === 'team-2' && ['ok'].includes(statusOf(t))],
    ];
    for (const [query, keep] of cases) {
      const { items } = await allPages<{ id: string }>(get, `/targets?limit=5&${query}`);
      const ids = items.map((t) => t.id);
      expect(new Set(ids).size, query).toBe(ids.length);
      expect(ids.sort(), query).toEqual(
        seeded
          .filter(keep)
          .map((t) => t.id)
          .sort(),
      );
    }
  });

  it('reads no more of the index than its budget for a rare filter: a short page and a cursor to go on', async () => {
    const page = await monitor.targets.lists.page({
      partitions: LIST_STATUSES,
      limit: 50,
      filter: { owner: 'nobody-has-this' },
      budget: 10,
    });
    expect(page.entries).toEqual([]);
    expect(page.after).toBeDefined();
    expect(page.read).toBeLessThanOrEqual(10);
  });

  it('answers a cursor it did not issue, and bad filters, with a problem naming the field', async () => {
    for (const [query, field] of [
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from(JSON.stringify({ p: 9, a: 'x' })).toString('base64url')}`, 'cursor'],
      [`cursor=${'A'.repeat(5000)}`, 'cursor'],
      ['status=fine', 'status'],
      ['kind=ftp', 'kind'],
      ['limit=501', 'limit'],
      [`owner=${'o'.repeat(201)}`, 'owner'],
      ['owner=a&unowned=true', 'unowned'],
    ]) {
      const answer = await get(`/targets?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.json.errors?.[0]?.field, query).toBe(field);
    }
  });

  function statusOf(t: Target): string {
    const k = seeded.indexOf(t);
    return k % 13 === 0 ? 'unchecked' : (STATUS_CYCLE[k % STATUS_CYCLE.length] as string);
  }
});

describe('paging while writes happen', () => {
  it('returns every target present throughout exactly once while others come, go and change status', async () => {
    const stable: Target[] = [];
    for (let k = 500; k < 560; k++) stable.push(await seed(k, 'ok', ((k * 13) % 90) + 1, { owner: 'paging' }));
    const doomed = stable.filter((_, i) => i % 6 === 0);
    const kept = stable.filter((t) => !doomed.includes(t));
    let added = 600;
    const { items } = await allPages<{ id: string }>(get, '/targets?limit=9&owner=paging', async (page) => {
      // A check changes a status (same certificate, so the same place in the order), a target
      // is deleted, and a new one is added, between every two pages.
      const moving = kept[page % kept.length] as Target;
      await check(moving, page % 2 ? 'warning' : 'ok', ((Number(moving.host.slice(5, 8)) * 13) % 90) + 1);
      const gone = doomed.pop();
      if (gone) await monitor.targets.deleteTarget(gone.id);
      await seed(added++, 'critical', 3, { owner: 'paging' });
    });
    const ids = items.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of kept) expect(ids).toContain(t.id);
  }, 60_000);
});

describe('GET /events in pages', () => {
  it('pages the open events most severe first, and the whole list (the old form) holds the same events', async () => {
    const { items } = await allPages<{ id: string; target: string; severity: string }>(get, '/events?limit=4');
    const whole = (await get('/events')).json as { id: string; severity: string }[];
    expect(Array.isArray(whole)).toBe(true);
    expect(items.map((e) => e.id).sort()).toEqual(whole.map((e) => e.id).sort());
    expect(new Set(items.map((e) => e.id)).size).toBe(items.length);
    expect(whole.length).toBeGreaterThan(20);
    // Pages come in the order of the targets' statuses (revoked, expired, invalid, critical...).
    const firstWarning = items.findIndex((e) => e.severity === 'warning');
    const lastCritical = items.map((e) => e.severity).lastIndexOf('critical');
    expect(firstWarning).toBeGreaterThan(0);
    expect(lastCritical).toBeGreaterThan(0);
    // What the pages read: never the healthy partition.
    const critical = (await allPages<{ severity: string }>(get, '/events?limit=50&severity=critical')).items;
    expect(critical.length).toBeGreaterThan(0);
    expect(critical.every((e) => e.severity === 'critical')).toBe(true);
  });

  it('lists no target from a scan: every target carries its list keys', async () => {
    const items = (await tables.doc.send(new ScanCommand({ TableName: tables.names.targets }))).Items ?? [];
    for (const item of items) {
      expect(LIST_STATUSES, item.id).toContain(item.listStatus);
      expect(item.listExpiry, item.id).toMatch(/^\d{15} /);
    }
  });
});
