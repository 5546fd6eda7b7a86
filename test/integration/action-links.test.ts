// Issue 31, "acting from the message": the signed links an alert carries, end to end over DynamoDB
// Local. A check announces an event through the real SNS publisher (SNS mocked, the message kept);
// the links in its email text and its JSON are then used against the action function's Lambda
// handler as a browser would: GET shows a confirmation and changes nothing, POST acts once. The
// security cases: tampered, expired, replayed, another event's or action's token, a flood, a
// failure inside certvigil (the link is given back), and hostile text on the page.
import { randomBytes } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActionsHandler } from '../../lambdas/actions-handler.ts';
import { resetActionLimits } from '../../lib/actions/action-handler.ts';
import type { OpenEventView } from '../../lib/admin/open-events.ts';
import { ActionLinks } from '../../lib/notify/action-links.ts';
import { signActionToken } from '../../lib/notify/action-token.ts';
import type { Notification } from '../../lib/notify/render-message.ts';
import { SnsPublisher } from '../../lib/notify/sns-publisher.ts';
import { parseTopicMessage } from '../../lib/notify/topic-message.ts';
import { ActionLedger } from '../../lib/store/action-ledger.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { DAY } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';
import { allPages } from '../fixtures/pages.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';

const sns = mockClient(SNSClient);
const KEY = new Uint8Array(randomBytes(48));
const BASE = 'https://abc123.lambda-url.eu-west-1.on.aws';
let tables: TestTables;
let scripted: ScriptedMonitor;
let clock = new Date();
let logs: Record<string, unknown>[] = [];
let perMinute = 1000;
let failRecording = false;
let handler: ReturnType<typeof createActionsHandler>;

interface Page {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function request(method: string, url: string, form?: Record<string, string>, ip = '192.0.2.1'): Promise<Page> {
  const { pathname, search } = new URL(url);
  const event: LambdaFunctionURLEvent = functionUrlEvent(method, `${pathname}${search}`, {
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    base64: form !== undefined,
  });
  event.requestContext.http.sourceIp = ip;
  const r = (await handler(event)) as { statusCode: number; headers: Record<string, string>; body: string };
  return { status: r.statusCode, headers: r.headers, body: r.body };
}

/** POST as the confirmation page's form does: to the path, the token in the body. */
function post(url: string, fields: Record<string, string> = {}, ip?: string): Promise<Page> {
  const parsed = new URL(url);
  return request(
    'POST',
    `${parsed.origin}${parsed.pathname}`,
    { token: parsed.searchParams.get('token') ?? '', ...fields },
    ip,
  );
}

/** The notifications published so far, as the channel functions parse them. */
function published(): Notification[] {
  return sns.commandCalls(PublishCommand).map((call) => {
    const message = JSON.parse(call.args[0].input.Message ?? '{}') as { email: string; lambda: string };
    const parsed = parseTopicMessage(message.lambda);
    if (parsed.kind !== 'notification') throw new Error(parsed.kind);
    expect(message.email).toBe(parsed.notification.text);
    return parsed.notification;
  });
}

async function openEvents(target: Target): Promise<OpenEventView[]> {
  const { items } = await allPages<OpenEventView>(scripted.get, `/events?limit=100&q=${encodeURIComponent(target.id)}`);
  return items.filter((e) => e.target === target.id);
}

/** A target announced `status`; the links of that announcement. */
async function announced(name: string, status: 'warning' | 'critical' | 'expired' = 'critical', days = 5) {
  const target = normalizeTarget({ host: `${name}.links.example`, owner: 'web' });
  await scripted.monitor.targets.putTarget(target, new Date());
  sns.resetHistory();
  await scripted.check(target, status, days, `${name.toUpperCase()}:01`);
  const [notification] = published();
  if (!notification?.actions) throw new Error('no links in the message');
  return { target, notification, links: notification.actions };
}

beforeAll(async () => {
  tables = await createTestTables();
  scripted = scriptedMonitor(tables);
  scripted.monitor.publisher = new SnsPublisher(
    new SNSClient({ region: 'eu-west-1' }),
    'arn:aws:sns:eu-west-1:123456789012:certvigil',
    new ActionLinks({ baseUrl: `${BASE}/ignored/path`, key: async () => KEY, days: 7, now: () => clock }),
  );
  const targets = scripted.monitor.targets;
  handler = createActionsHandler({
    key: async () => KEY,
    ledger: new ActionLedger(tables.doc, String(tables.names.directory)),
    targets: new Proxy(targets, {
      get(store, name) {
        if (name === 'acks' && failRecording) {
          return {
            record: async () => {
              throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
            },
          };
        }
        const value = Reflect.get(store, name);
        return typeof value === 'function' ? value.bind(store) : value;
      },
    }),
    history: scripted.monitor.history,
    now: () => clock,
    log: (entry) => logs.push(entry),
    get perMinute() {
      return perMinute;
    },
  });
});

afterAll(async () => {
  await tables.drop();
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  clock = new Date();
  perMinute = 1000;
  failRecording = false;
  logs = [];
  resetActionLimits();
});

describe('the links in a message', () => {
  it('carries an acknowledge and a snooze link for the open event, in the email text and the JSON', async () => {
    const { notification, links } = await announced('carried');
    expect(links.ack).toMatch(new RegExp(`^${BASE}/actions/${notification.id}/ack\\?token=v1\\.`));
    expect(links.snooze).toMatch(new RegExp(`^${BASE}/actions/${notification.id}/snooze\\?token=v1\\.`));
    expect(Date.parse(links.expiresAt) - clock.getTime()).toBeGreaterThan(7 * DAY - 2000);
    expect(notification.text).toContain(`Acknowledge (no sign-in; each link works once, until`);
    expect(notification.text).toContain(links.ack);
    expect(notification.text).toContain(links.snooze);
  });

  it('carries none on news that closes nothing (a renewal)', async () => {
    const { target } = await announced('renewal', 'warning', 20);
    sns.resetHistory();
    await scripted.check(target, 'ok', 80, 'RENEWAL:02');
    const messages = published();
    expect(messages.map((n) => n.event)).toContain('renewed');
    for (const n of messages) {
      expect(n.actions).toBeUndefined();
      expect(n.text).not.toContain('/actions/');
    }
  });
});

describe('using a link', () => {
  it('shows a confirmation on GET and changes nothing; POST acknowledges once, with the name and note given', async () => {
    const { target, links } = await announced('confirm');
    for (let i = 0; i < 3; i++) {
      const page = await request('GET', links.ack);
      expect(page.status).toBe(200);
      expect(page.body).toContain('Acknowledge this alert?');
      expect(page.body).toContain(target.id);
      expect(page.body).toContain('<form method="post" action="/actions/');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    }
    const head = await request('HEAD', links.ack);
    expect([head.status, head.body]).toEqual([200, '']);
    expect((await openEvents(target))[0]?.acknowledged).toBeNull();

    clock = new Date(clock.getTime() + 60_000);
    const done = await post(links.ack, { note: 'renewing in OPS-7', name: 'Alice' });
    expect(done.status, done.body).toBe(200);
    expect(done.body).toContain('Acknowledged');
    expect((await openEvents(target))[0]?.acknowledged).toEqual({
      kind: 'ack',
      by: 'Alice (signed link)',
      at: clock.toISOString(),
      note: 'renewing in OPS-7',
    });
    const timeline = await scripted.get(`/targets/${encodeURIComponent(target.id)}/timeline`);
    expect(timeline.json.items[0]).toMatchObject({
      change: 'acknowledged',
      acknowledgement: { by: 'Alice (signed link)' },
    });

    // Replayed: refused, by POST and by GET, saying when it was used.
    const again = await post(links.ack);
    expect(again.status).toBe(410);
    expect(again.body).toContain('This link was already used');
    expect(again.body).toContain(`It was used at ${clock.toISOString()}: acknowledged.`);
    expect((await request('GET', links.ack)).status).toBe(410);

    // Every use is logged, with its outcome and caller, and never the token.
    expect(logs.map((l) => l.outcome)).toEqual([...Array(4).fill('confirmation shown'), 'ack', 'used', 'used']);
    expect(logs[4]).toMatchObject({
      method: 'POST',
      status: 200,
      target: target.id,
      action: 'ack',
      sourceIp: '192.0.2.1',
    });
    const token = new URL(links.ack).searchParams.get('token') ?? '';
    const signature = token.split('.')[2] ?? '';
    expect(JSON.stringify(logs)).not.toContain(signature);
  });

  it('snoozes for the days chosen on the page, and only those offered', async () => {
    const { target, links } = await announced('snooze', 'warning', 20);
    const page = await request('GET', links.snooze);
    expect(page.body).toContain('<select name="days">');
    const refused = await post(links.snooze, { days: '2' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('Choose how long to snooze');
    const done = await post(links.snooze, { days: '3' });
    expect(done.status).toBe(200);
    expect((await openEvents(target))[0]?.acknowledged).toMatchObject({
      kind: 'snooze',
      by: 'signed link',
      until: new Date(clock.getTime() + 3 * DAY).toISOString(),
    });
  });

  it('exactly one of two simultaneous uses acts', async () => {
    const { target, links } = await announced('race');
    const answers = await Promise.all([post(links.ack, { name: 'one' }), post(links.ack, { name: 'two' })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410]);
    const by = (await openEvents(target))[0]?.acknowledged?.by;
    expect(['one (signed link)', 'two (signed link)']).toContain(by);
  });

  it('says there is nothing to do when the event ended before the link was used, and spends the link', async () => {
    const { target, links } = await announced('ended', 'warning', 20);
    await scripted.check(target, 'ok', 80, 'ENDED:02');
    const answer = await post(links.ack);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('This event is no longer open');
    expect((await post(links.ack)).status).toBe(410);
  });

  it('gives the link back when recording fails inside certvigil', async () => {
    const { target, links } = await announced('failing');
    failRecording = true;
    const failed = await post(links.ack);
    expect(failed.status).toBe(500);
    expect(failed.body).toContain('the link still works');
    failRecording = false;
    expect((await post(links.ack)).status).toBe(200);
    expect((await openEvents(target))[0]?.acknowledged?.kind).toBe('ack');
  });
});

describe('refusing a link', () => {
  it('refuses a tampered, truncated, foreign-key, expired or mismatched token, and acts on none', async () => {
    const { target, notification, links } = await announced('refuse');
    const other = await announced('other');
    const url = new URL(links.ack);
    const token = url.searchParams.get('token') ?? '';
    const [version, payload = '', signature = ''] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const with_ = (t: string, path = url.pathname) => `${BASE}${path}?token=${t}`;
    const forged = Buffer.from(JSON.stringify({ ...claims, a: 'ack', t: other.target.id })).toString('base64url');
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const foreign = signActionToken(new Uint8Array(randomBytes(32)), {
      target: target.id,
      event: notification.id,
      action: 'ack',
      type: 'expired',
      expiresAt: Date.now() / 1000 + 3600,
    });
    const cases: [string, string, number, string][] = [
      ['altered claims', with_(`${version}.${forged}.${signature}`), 403, 'This link is not valid'],
      ['altered signature', with_(`${version}.${payload}.${flipped}`), 403, 'This link is not valid'],
      ['another key', with_(foreign), 403, 'This link is not valid'],
      ['truncated', with_(token.slice(0, -5)), 400, 'This link is not complete'],
      ['no token', `${BASE}${url.pathname}`, 400, 'This link is not complete'],
      ['oversized', with_('v1.'.padEnd(7000, 'A')), 400, 'This link is not complete'],
      ["another event's path", with_(token, `/actions/${other.notification.id}/ack`), 403, 'for another alert'],
      ["another action's path", with_(token, `/actions/${notification.id}/snooze`), 403, 'for another alert'],
      ['not an action path', `${BASE}/favicon.ico`, 404, 'Not found'],
    ];
    for (const [name, link, status, text] of cases) {
      for (const answer of [await request('GET', link), await post(link)]) {
        expect(answer.status, name).toBe(status);
        expect(answer.body, name).toContain(text);
      }
    }
    clock = new Date(Date.parse(links.expiresAt) + 1000);
    const expired = await post(links.ack);
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('This link has expired');
    clock = new Date();
    expect((await request('DELETE', links.ack)).status).toBe(405);
    // Nothing was acknowledged by any of them, and the genuine link still works.
    expect((await openEvents(target))[0]?.acknowledged).toBeNull();
    expect((await openEvents(other.target))[0]?.acknowledged).toBeNull();
    expect((await post(links.ack)).status).toBe(200);
  });

  it('rate limits each caller, across instances too', async () => {
    const { links } = await announced('flood');
    perMinute = 3;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await request('GET', links.ack, undefined, '198.51.100.7')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    // Another caller is not held back; a new instance (memory cleared) still counts the ledger's.
    expect((await request('GET', links.ack, undefined, '198.51.100.8')).status).toBe(200);
    resetActionLimits();
    const limited = await request('GET', links.ack, undefined, '198.51.100.7');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
  });

  it('answers 503 when the key cannot be read, and never acts', async () => {
    const { target, links } = await announced('nokey');
    const keyless = createActionsHandler({
      key: async () => {
        throw new Error('AccessDenied');
      },
      ledger: new ActionLedger(tables.doc, String(tables.names.directory)),
      targets: scripted.monitor.targets,
    });
    const parsed = new URL(links.ack);
    const event = functionUrlEvent('POST', parsed.pathname, {
      body: `token=${parsed.searchParams.get('token')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const answer = (await keyless(event)) as { statusCode: number };
    expect(answer.statusCode).toBe(503);
    expect((await openEvents(target))[0]?.acknowledged).toBeNull();
  });

  it('shows hostile text from a token as text', async () => {
    const hostile = '<img src=x onerror=alert(1)>"\'';
    const token = signActionToken(KEY, {
      target: hostile,
      event: 'abc',
      action: 'ack',
      type: '<script>alert(1)</script>',
      expiresAt: Date.now() / 1000 + 3600,
    });
    const page = await request('GET', `${BASE}/actions/abc/ack?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('<img');
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;');
  });
});
