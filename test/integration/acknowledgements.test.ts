// Issue 31: acknowledging and snoozing open events, through the admin API's Lambda handler over
// DynamoDB Local with a fixed clock. An acknowledgement is kept by the event's condition and
// certificate: renewing the certificate closes the matter, a worse condition is news again, a
// snooze ends at its date; who acknowledged (the IAM caller) and when are shown with the event.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../lambdas/admin-handler.ts';
import type { OpenEventView } from '../../lib/admin/open-events.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { DAY } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';
import { allPages } from '../fixtures/pages.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';

const sns = mockClient(SNSClient);
const CALLER = 'arn:aws:iam::123456789012:user/alice';
let tables: TestTables;
let scripted: ScriptedMonitor;
let clock = new Date();
let handler: ReturnType<typeof createHandler>;

async function call(method: string, path: string, body?: unknown) {
  const event = functionUrlEvent(method, path, {
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    headers: { 'content-type': 'application/json' },
  });
  (event.requestContext as unknown as Record<string, unknown>).authorizer = { iam: { userArn: CALLER } };
  const r = (await handler(event)) as { statusCode: number; body: string };
  return { status: r.statusCode, json: JSON.parse(r.body) };
}

const get = (path: string) => call('GET', path);

async function openEvents(target: Target): Promise<OpenEventView[]> {
  const { items } = await allPages<OpenEventView>(get, `/events?limit=100&q=${encodeURIComponent(target.id)}`);
  return items.filter((e) => e.target === target.id);
}

async function add(name: string): Promise<Target> {
  const target = normalizeTarget({ host: `${name}.ack.example`, owner: 'web' });
  await scripted.monitor.targets.putTarget(target, new Date());
  return target;
}

beforeAll(async () => {
  tables = await createTestTables();
  scripted = scriptedMonitor(tables);
  handler = createHandler({
    targets: scripted.monitor.targets,
    probe: (t) => probeTarget(scripted.monitor, t),
    guard: undefined,
    history: scripted.monitor.history,
    now: () => clock,
  });
});

afterAll(async () => {
  await tables.drop();
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  clock = new Date();
});

describe('acknowledging an open event', () => {
  it('keeps who and when with the event, until the certificate is renewed or the condition worsens', async () => {
    const t = await add('renewing');
    await scripted.check(t, 'warning', 20, 'AA:01');
    const [warning] = await openEvents(t);
    expect(warning).toMatchObject({ event: 'entered-window', severity: 'warning', acknowledged: null });

    clock = new Date();
    const acked = await call('POST', `/events/${warning?.id}/ack`, { target: t.id, note: 'renewal in OPS-42' });
    expect(acked.status, JSON.stringify(acked.json)).toBe(200);
    expect(acked.json.acknowledged).toEqual({
      kind: 'ack',
      by: CALLER,
      at: clock.toISOString(),
      note: 'renewal in OPS-42',
    });
    expect((await openEvents(t))[0]?.acknowledged).toMatchObject({
      kind: 'ack',
      by: CALLER,
      note: 'renewal in OPS-42',
    });
    // The target's timeline shows it, newest first, at its time; the target view still has the
    // full latest check (its names come from the newest check's row, not the acknowledgement's).
    const path = `/targets/${encodeURIComponent(t.id)}`;
    const [row, check] = (await get(`${path}/timeline`)).json.items;
    expect(row).toMatchObject({
      checkedAt: clock.toISOString(),
      change: 'acknowledged',
      status: 'warning',
      acknowledgement: {
        kind: 'ack',
        by: CALLER,
        note: 'renewal in OPS-42',
        event: 'entered-window',
        eventId: warning?.id,
      },
    });
    expect(check).toMatchObject({ change: 'first', status: 'warning' });
    expect((await get(path)).json.lastCheck.sans).toEqual(['www.example.com']);

    // The same certificate, now critical: a worse condition is news again, not covered.
    await scripted.check(t, 'critical', 20, 'AA:01');
    const [critical] = await openEvents(t);
    expect(critical).toMatchObject({ severity: 'critical', acknowledged: null });
    expect(critical?.id).not.toBe(warning?.id);
    expect((await call('POST', `/events/${warning?.id}/ack`, { target: t.id })).status).toBe(404);

    // Renewed: the condition ends; acknowledging what ended says so; the next certificate's window is news.
    await scripted.check(t, 'ok', 80, 'BB:02');
    expect(await openEvents(t)).toEqual([]);
    const ended = await call('POST', `/events/${critical?.id}/ack`, { target: t.id });
    expect(ended.status).toBe(404);
    expect(ended.json.detail).toMatch(/it ended \(a renewal or a recovery closes it\)/);
    await scripted.check(t, 'warning', 15, 'BB:02');
    expect((await openEvents(t))[0]).toMatchObject({ severity: 'warning', acknowledged: null });
  });

  it('snoozes until a date, after which the event is unacknowledged again', async () => {
    const t = await add('snoozing');
    await scripted.check(t, 'warning', 25, 'CC:03');
    const [event] = await openEvents(t);
    const refused = await call('POST', `/events/${event?.id}/snooze`, { target: t.id });
    expect(refused.status).toBe(400);
    expect(refused.json.detail).toMatch(/until is required/);
    const until = new Date(clock.getTime() + 2 * DAY).toISOString();
    const snoozed = await call('POST', `/events/${event?.id}/snooze`, { target: t.id, until });
    expect(snoozed.json.acknowledged).toMatchObject({ kind: 'snooze', until });
    expect((await openEvents(t))[0]?.acknowledged).toMatchObject({ kind: 'snooze', until });
    clock = new Date(clock.getTime() + 2 * DAY + 1);
    expect((await openEvents(t))[0]?.acknowledged).toBeNull();
    // An acknowledgement may be given an end too; a later one replaces the earlier.
    const acked = await call('POST', `/events/${event?.id}/ack`, {
      target: t.id,
      until: new Date(clock.getTime() + DAY).toISOString(),
    });
    expect(acked.json.acknowledged.kind).toBe('ack');
    expect((await openEvents(t))[0]?.acknowledged?.kind).toBe('ack');
  });

  it('refuses what it cannot record, saying why', async () => {
    const t = await add('refusing');
    await scripted.check(t, 'expired', -1, 'DD:04');
    const [event] = await openEvents(t);
    const cases: [unknown, number, RegExp][] = [
      [{}, 400, /target is required/],
      [{ target: t.id, note: 'x'.repeat(501) }, 400, /note must be text of at most 500/],
      [
        { target: t.id, until: new Date(clock.getTime() - DAY).toISOString() },
        400,
        /until must be a date and time in the next 365 days/,
      ],
      [{ target: t.id, until: 'next tuesday' }, 400, /until must be a date/],
      [{ target: t.id, until: new Date(clock.getTime() + 400 * DAY).toISOString() }, 400, /next 365 days/],
      [{ target: 'nowhere.ack.example' }, 404, /no target nowhere.ack.example:443/],
      [[1], 400, /JSON object/],
    ];
    for (const [body, status, detail] of cases) {
      const answer = await call('POST', `/events/${event?.id}/ack`, body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.json.detail).toMatch(detail);
    }
    expect((await call('POST', '/events/not-an-event/ack', { target: t.id })).status).toBe(404);
    expect((await call('GET', `/events/${event?.id}/ack`)).status).toBe(405);
    // A hostile note is kept as text, its control characters written out, bidi overrides too.
    const hostile = '<img src=x onerror=alert(1)>\u0000\u202e';
    const answer = await call('POST', `/events/${event?.id}/ack`, { target: t.id, note: hostile });
    expect(answer.json.acknowledged.note).toBe('<img src=x onerror=alert(1)>\\u0000\\u202e');
  });

  it('never lands on a condition a check ended while it was being recorded', async () => {
    const t = await add('racing');
    await scripted.check(t, 'warning', 20, 'EE:05');
    const [warning] = await openEvents(t);
    const [answer] = await Promise.all([
      call('POST', `/events/${warning?.id}/ack`, { target: t.id }),
      scripted.check(t, 'critical', 20, 'EE:05'),
    ]);
    expect([200, 404]).toContain(answer.status);
    const [critical] = await openEvents(t);
    expect(critical).toMatchObject({ severity: 'critical', acknowledged: null });
  });
});
