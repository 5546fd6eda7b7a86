// Issue 31: maintenance windows, per target or per tag, hold `unreachable` and `inconsistent` and
// never expiry. Made through the admin API's Lambda handler, read by the real probe from the
// directory table (DynamoDB Local), with a fixed clock; SNS mocked (what would be published).
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ProbeDependencies, probeTarget } from '../../lib/monitor/probe-target.ts';
import type { CheckResult } from '../../lib/policy/check-result.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { MAINTENANCE_CACHE_MS } from '../../lib/store/maintenance-store.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { adminHandlerOver } from '../fixtures/admin.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { functionUrlEvent, serveOnLoopback } from '../fixtures/function-url.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { publishedNotifications } from '../fixtures/sns.ts';

const HOUR = 3_600_000;
const sns = mockClient(SNSClient);
let tables: TestTables;
let monitor: ProbeDependencies;
let handler: ReturnType<typeof adminHandlerOver>;
let server: Awaited<ReturnType<typeof serveOnLoopback>>['server'] | undefined;
const start = Date.parse('2026-12-07T08:00:00Z');
let clock = new Date(start);
const outcomes = new Map<string, CheckResult>();

/** `minutes` after the start (each check a little later than the one before). */
const at = (minutes: number) => {
  clock = new Date(start + minutes * 60_000);
};

async function call(method: string, path: string, body?: unknown) {
  const response = (await handler(
    functionUrlEvent(method, path, body === undefined ? {} : { body: JSON.stringify(body) }),
  )) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body) };
}

async function add(name: string, tags: string[] = []): Promise<Target> {
  const target = normalizeTarget({ host: `${name}.maintenance.example`, tags });
  await monitor.targets.putTarget(target, new Date(start));
  return target;
}

/** Checks `target` at `minutes`, finding it failing, healthy, or serving two certificates. */
async function check(target: Target, minutes: number, found: 'error' | 'ok' | 'critical' | 'split'): Promise<void> {
  at(minutes);
  const spec = { target: target.id, at: clock.toISOString(), fingerprint: 'AA:01' };
  outcomes.set(
    target.id,
    found === 'split'
      ? checkResult({
          ...spec,
          endpoints: [
            { address: '192.0.2.1', fingerprint: 'AA:01' },
            { address: '192.0.2.2', fingerprint: 'BB:02' },
          ],
        })
      : found === 'critical'
        ? checkResult({
            ...spec,
            status: 'critical',
            daysLeft: 3,
            notAfter: new Date(start + 3.5 * 24 * HOUR).toISOString(),
          })
        : checkResult({ ...spec, status: found }),
  );
  await probeTarget(monitor, target);
}

const events = (target: Target) =>
  publishedNotifications(sns)
    .filter((n) => n.target === target.id)
    .map((n) => n.event);

beforeAll(async () => {
  tables = await createTestTables();
  monitor = {
    ...testMonitor(tables, ALL_READERS, { directoryTable: tables.names.directory }),
    check: async (target) => outcomes.get(target.id) as CheckResult,
    now: () => clock,
    unreachableAfter: 2,
  };
  handler = adminHandlerOver(monitor, { windows: monitor.windows, now: () => clock });
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await tables.drop();
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  at(0);
});

describe('maintenance windows', () => {
  it('an outage that ends inside a window on the target is never news', async () => {
    const t = await add('quiet');
    await check(t, 0, 'ok');
    const made = await call('POST', '/maintenance', {
      target: t.id,
      until: new Date(start + 2 * HOUR).toISOString(),
      note: 'kernel upgrade',
    });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ target: t.id, note: 'kernel upgrade', from: clock.toISOString() });
    for (const minutes of [10, 20, 30, 40]) await check(t, minutes, 'error');
    await check(t, 50, 'ok');
    expect(events(t)).toEqual([]);
  });

  it('a window by tag: still failing when it ends, the outage is announced once at the next check', async () => {
    const t = await add('by-tag', ['db', 'eu']);
    const other = await add('other-tag', ['web']);
    await check(t, 0, 'ok');
    await check(other, 0, 'ok');
    const made = await call('POST', '/maintenance', { tag: 'db', until: new Date(start + HOUR).toISOString() });
    expect(made.status).toBe(201);
    for (const minutes of [10, 20, 30]) {
      await check(t, minutes, 'error');
      await check(other, minutes, 'error');
    }
    expect(events(t)).toEqual([]);
    // A target without the tag is not covered.
    expect(events(other)).toEqual(['unreachable']);
    await check(t, 61, 'error');
    await check(t, 75, 'error');
    expect(events(t)).toEqual(['unreachable']);
    // The failures were counted through the window: the outage started at its first failure.
    const [unreachable] = publishedNotifications(sns).filter((n) => n.target === t.id);
    expect(unreachable?.text).toContain('unreachable');
    await check(t, 90, 'ok');
    expect(events(t)).toEqual(['unreachable', 'recovered']);
  });

  it('holds a disagreement between addresses too, and announces it after the window if it persists', async () => {
    const t = await add('split');
    await check(t, 0, 'ok');
    await call('POST', '/maintenance', { target: t.id, until: new Date(start + HOUR).toISOString() });
    await check(t, 10, 'split');
    await check(t, 20, 'split');
    expect(events(t)).toEqual([]);
    await check(t, 70, 'split');
    expect(events(t)).toEqual(['inconsistent']);
  });

  it('never holds expiry, and an outage announced before the window stays open (its recovery is news)', async () => {
    const expiring = await add('expiring');
    await check(expiring, 0, 'ok');
    const down = await add('down-before');
    await check(down, 0, 'error');
    await check(down, 5, 'error');
    expect(events(down)).toEqual(['unreachable']);
    for (const t of [expiring, down]) {
      await call('POST', '/maintenance', { target: t.id, until: new Date(start + HOUR).toISOString() });
    }
    await check(expiring, 10, 'critical');
    expect(events(expiring)).toEqual(['entered-window']);
    await check(down, 15, 'error');
    await check(down, 20, 'ok');
    expect(events(down)).toEqual(['unreachable', 'recovered']);
  });

  it('holds the reminders and escalation of an outage announced before the window, until it ends', async () => {
    const t = await add('reminded');
    await check(t, 0, 'error');
    await check(t, 5, 'error');
    expect(events(t)).toEqual(['unreachable']);
    await call('POST', '/maintenance', { target: t.id, until: new Date(start + 60 * HOUR).toISOString() });
    // Critical, unacknowledged: a reminder after 24 h and an escalation after 48 h, but not in the window.
    for (const hours of [25, 49, 59]) await check(t, hours * 60, 'error');
    expect(events(t)).toEqual(['unreachable']);
    await check(t, 61 * 60, 'error');
    expect(events(t)).toEqual(['unreachable', 'reminder', 'escalation']);
  });

  it('lists current and upcoming windows, ends one early, and a new or ended window takes effect within a minute', async () => {
    const t = await add('ended-early');
    await check(t, 0, 'ok');
    const later = await call('POST', '/maintenance', {
      target: t.id,
      from: new Date(start + 24 * HOUR).toISOString(),
      until: new Date(start + 26 * HOUR).toISOString(),
    });
    const now = await call('POST', '/maintenance', { target: t.id, until: new Date(start + 5 * HOUR).toISOString() });
    const listed = (await call('GET', '/maintenance')).json.windows as { id: string }[];
    expect(listed.map((w) => w.id)).toEqual(expect.arrayContaining([now.json.id, later.json.id]));
    expect(listed.findIndex((w) => w.id === now.json.id)).toBeLessThan(listed.findIndex((w) => w.id === later.json.id));
    await check(t, 10, 'error');
    await check(t, 11, 'error');
    expect(events(t)).toEqual([]);
    expect((await call('DELETE', `/maintenance/${now.json.id}`)).status).toBe(200);
    expect((await call('DELETE', `/maintenance/${now.json.id}`)).status).toBe(404);
    // The probe trusts what it read for a minute.
    at(11 + MAINTENANCE_CACHE_MS / 60_000);
    await check(t, 12 + MAINTENANCE_CACHE_MS / 60_000, 'error');
    expect(events(t)).toEqual(['unreachable']);
    expect((await call('GET', '/maintenance')).json.windows.map((w: { id: string }) => w.id)).not.toContain(
      now.json.id,
    );
  });

  it('refuses what is not a window, with a message per field', async () => {
    const t = await add('refusals');
    const until = new Date(start + HOUR).toISOString();
    const cases: [unknown, number, RegExp][] = [
      [{ until }, 400, /give either target \(an id\) or tag/],
      [{ target: t.id, tag: 'db', until }, 400, /give either target/],
      [{ tag: 'db' }, 400, /until is required/],
      [{ tag: 'db', until: new Date(start - HOUR).toISOString() }, 400, /until is required: a date and time after now/],
      [{ tag: 'db', until: new Date(start + 31 * 24 * HOUR).toISOString() }, 400, /at most 30 days/],
      [{ tag: 'x'.repeat(65), until }, 400, /tag must be a tag of 1 to 64/],
      [{ tag: 'db\u001b[2J', until }, 400, /tag must be a tag/],
      [{ tag: 'db', until, note: 'n'.repeat(501) }, 400, /note must be text of at most 500/],
      [{ tag: 'db', until: 'tomorrow' }, 400, /until is required/],
      [{ target: 'nowhere.example.com', until }, 404, /no target nowhere\.example\.com:443/],
      [[], 400, /send \{"target"/],
    ];
    for (const [body, status, detail] of cases) {
      const answer = await call('POST', '/maintenance', body);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(answer.json.detail).toMatch(detail);
    }
  });
});

describe('certvigil maintenance', () => {
  it('adds a window by tag for a span, lists it and ends it', async () => {
    // The real clock here: the command counts spans from now.
    const served = await serveOnLoopback(adminHandlerOver(monitor, { windows: monitor.windows }));
    server = served.server;
    const cli = (...args: string[]) =>
      runCli(['maintenance', ...args, '--url', served.url, '--token', 'unused-by-this-stand-in'], {
        env: { PATH: process.env.PATH ?? '' },
        timeoutMs: 60_000,
      });
    const added = await cli('add', '--tag', 'cli-db', '--until', '2h', '--note', 'failover drill');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = /^window ([0-9a-f]{12}): tag cli-db from .* until .* UTC/.exec(added.stdout)?.[1];
    expect(id).toBeDefined();
    const listed = await cli('list');
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+COVERS\s+FROM \(UTC\)\s+UNTIL \(UTC\)\s+BY\s+NOTE$/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+tag cli-db\\s+.*failover drill`));
    const both = await cli('add', '--tag', 'x', '--target', 'y', '--until', '1h');
    expect(both.code).toBe(3);
    expect(both.stderr).toContain('--target ID or --tag TAG (one of them)');
    const tooLong = await cli('add', '--tag', 'x', '--until', '40d');
    expect(tooLong.code).toBe(3);
    expect(tooLong.stderr).toContain('a window lasts at most 30 days');
    expect((await cli('end', id as string)).stdout).toBe(`window ${id} ended\n`);
    const again = await cli('end', id as string);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(`no maintenance window ${id}`);
  }, 120_000);
});
