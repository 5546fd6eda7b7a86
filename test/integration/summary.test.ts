// Issue 30: the summary's counters are kept on every write of a target (checks, settings changes,
// deletions, discovery), stay exact under concurrent transitions, and the recount reports and
// repairs drift, lists items stored before the index, and leaves alone a counter that changes
// while it reads. DynamoDB Local; the check itself is replaced (these tests are about the store).
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ProbeDependencies, probeTarget } from '../../lib/monitor/probe-target.ts';
import type { Status } from '../../lib/policy/status.ts';
import { expandItem } from '../../lib/store/compact-result.ts';
import type { StoredTarget } from '../../lib/store/stored-target.ts';
import { recountSummary } from '../../lib/store/summary-recount.ts';
import { countsOf, factsOf, type SummaryStore, UNOWNED } from '../../lib/store/summary-store.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { DAY } from '../fixtures/check-results.ts';
import { bumpCounter, createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let monitor: ProbeDependencies;
let summary: SummaryStore;
let get: ScriptedMonitor['get'];
let check: ScriptedMonitor['check'];
/** The expiry dates the scripted checks give count from about now. */
const BASE = Date.now();

async function add(name: string, extra: Record<string, unknown> = {}): Promise<Target> {
  const target = normalizeTarget({ host: `${name}.summary.example`, ...extra });
  await monitor.targets.putTarget(target, new Date());
  return target;
}

/** The counts the items say, from a scan: what the counters must hold. */
async function truth(): Promise<Map<string, number>> {
  const items = (await tables.doc.send(new ScanCommand({ TableName: tables.names.targets }))).Items ?? [];
  const sums = new Map<string, number>();
  for (const item of items) {
    for (const [key, n] of countsOf(factsOf(expandItem(item as StoredTarget)))) sums.set(key, (sums.get(key) ?? 0) + n);
  }
  return sums;
}

/** The counters, without those at zero. */
async function counters(): Promise<Map<string, number>> {
  return new Map([...(await summary.allCounters())].filter(([, n]) => n !== 0));
}

beforeAll(async () => {
  tables = await createTestTables();
  ({ monitor, get, check } = scriptedMonitor(tables));
  summary = monitor.targets.summary as SummaryStore;
});

afterAll(async () => {
  await tables.drop();
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('counters kept on write', () => {
  it('counts additions, checks, settings changes, deletions and discovered targets as they happen', async () => {
    const a = await add('a', { owner: 'payments' });
    const b = await add('b');
    expect((await counters()).get('status\tunchecked')).toBe(2);
    await check(a, 'warning', 20);
    await check(b, 'ok', 200);
    expect(await counters()).toEqual(await truth());
    expect((await counters()).get(`owner\t${UNOWNED}`)).toBe(1);
    expect((await counters()).get('events\twarning')).toBe(1);
    // The owner changes: the target moves from one owner's count to the other's.
    await monitor.targets.putTarget({ ...a, owner: 'identity' }, new Date());
    const moved = await counters();
    expect(moved.get('owner\tpayments')).toBeUndefined();
    expect(moved.get('owner\tidentity')).toBe(1);
    await monitor.targets.createDiscovered(
      normalizeTarget({ host: 'c.summary.example' }),
      {
        service: 'acm',
        resource: 'arn:aws:acm:eu-west-1:123456789012:certificate/x',
        account: '123456789012',
        region: 'eu-west-1',
        firstSeenAt: new Date().toISOString(),
      },
      new Date(),
    );
    await monitor.targets.deleteTarget(b.id);
    expect(await counters()).toEqual(await truth());
    const day = new Date(BASE + 20 * DAY).toISOString().slice(0, 10);
    expect((await counters()).get(`day\t${day} warning`)).toBe(1);
  });

  it('stays exact under concurrent transitions, and two checks racing on one target count once', async () => {
    const targets = await Promise.all(
      Array.from({ length: 24 }, (_, k) => add(`race-${k}`, { owner: `team-${k % 3}` })),
    );
    const statuses: Status[] = ['ok', 'warning', 'critical', 'expired', 'invalid'];
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        targets.flatMap((t, k) => {
          const status = statuses[(k + round) % statuses.length] as Status;
          const days = status === 'expired' ? -2 : 5 + ((k * 7 + round) % 60);
          // Every third target is checked twice at once: the version condition lets one write.
          return k % 3 === 0 ? [check(t, status, days), probeTarget(monitor, t)] : [check(t, status, days)];
        }),
      );
    }
    expect(await counters()).toEqual(await truth());
    const record = await recountSummary(monitor.targets, summary);
    expect(record).toMatchObject({ drift: 0, countersRepaired: 0, busy: 0 });
  }, 60_000);
});

describe('the recount', () => {
  it('reports drift and repairs it, and lists an item stored before the index and the summary', async () => {
    const t = await add('drifted', { owner: 'payments' });
    await check(t, 'critical', 3);
    // Drift: a repeated addition, a lost one, and an item as an older release left it.
    await bumpCounter(tables, 'status', 'ok', 5);

    await summary.repair('kind\ttls', (await summary.allCounters()).get('kind\ttls') ?? 0, 0);
    await tables.doc.send(
      new UpdateCommand({
        TableName: tables.names.targets,
        Key: { id: t.id },
        UpdateExpression: 'REMOVE counted, listStatus, listExpiry, openSeverity',
      }),
    );
    expect(await counters()).not.toEqual(await truth());
    const listed = async () =>
      ((await get(`/targets?status=critical&limit=500`)).json.items as { id: string }[]).some((i) => i.id === t.id);
    expect(await listed()).toBe(false);

    const record = await recountSummary(monitor.targets, summary);
    expect(record.itemsRepaired).toBe(1);
    expect(record.countersRepaired).toBeGreaterThanOrEqual(2);
    expect(record.drift).toBeGreaterThanOrEqual(5);
    expect(await counters()).toEqual(await truth());
    expect(await listed()).toBe(true);
    // Reported where people look: the summary says when the last recount ran and what it found.
    expect((await get('/summary')).json.recount).toMatchObject({ drift: record.drift, itemsRepaired: 1 });
    // A second recount finds nothing.
    expect(await recountSummary(monitor.targets, summary)).toMatchObject({ drift: 0, itemsRepaired: 0, busy: 0 });
  }, 30_000);

  it('leaves a counter that changes while it reads for the next recount, rather than repair it wrongly', async () => {
    const t = await add('busy');
    await check(t, 'ok', 100);
    await bumpCounter(tables, 'status', 'warning', 3);

    // A check moves the target to warning after the recount has read it.
    const targets = monitor.targets;
    const scans = Object.create(targets.scans) as typeof targets.scans;
    scans.eachPage = async (fields, visit, segments) => {
      await targets.scans.eachPage(fields, visit, segments);
      await check(t, 'warning', 100);
    };
    const racing = Object.create(targets, { scans: { value: scans } }) as typeof targets;
    const record = await recountSummary(racing, summary);
    expect(record.busy).toBeGreaterThanOrEqual(1);
    // The warning count was not "repaired" to what the read saw; the next recount makes it exact.
    expect(await recountSummary(monitor.targets, summary)).toMatchObject({ busy: 0 });
    expect(await counters()).toEqual(await truth());
  }, 30_000);
});

describe('GET /summary', () => {
  it('answers the counts, the owners, the open conditions and the expiries ahead by day and status', async () => {
    const answer = await get('/summary');
    expect(answer.status).toBe(200);
    const s = answer.json;
    const sums = await truth();
    expect(s.targets).toBe([...sums].filter(([k]) => k.startsWith('status\t')).reduce((a, [, n]) => a + n, 0));
    expect(s.byStatus.warning).toBe(sums.get('status\twarning'));
    expect(s.owners.unowned).toBe(sums.get(`owner\t${UNOWNED}`));
    expect(s.owners.top[0]).toEqual({ owner: expect.any(String), targets: expect.any(Number) });
    expect(s.events.critical).toBe(sums.get('events\tcritical') ?? 0);
    const day = new Date(BASE + 20 * DAY).toISOString().slice(0, 10);
    expect(s.expiring.days.find((d: { day: string }) => d.day === day)).toMatchObject({
      warning: sums.get(`day\t${day} warning`),
    });
    // Days outside the window are not listed.
    expect(s.expiring.days.every((d: { day: string }) => d.day >= s.expiring.from && d.day <= s.expiring.to)).toBe(
      true,
    );
    expect((await get('/summary?days=0')).status).toBe(400);
  });
});
