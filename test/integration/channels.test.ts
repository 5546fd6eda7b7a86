// Every channel against a real HTTP server on loopback: what it sends (checked against each
// provider's documented schema or limits, and for Teams by Microsoft's own Adaptive Card parser),
// how it retries (429 and 5xx, honouring Retry-After; never a 4xx), the deadline, and the
// webhook signature verified by an independent implementation (WebCrypto, not node:crypto's HMAC).
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  type Channel,
  ChannelConfigError,
  ChannelDeliveryError,
  type ChannelName,
  type ChannelSettings,
  type Deliverable,
  deliver,
} from '../../lib/notify/channels/channel.ts';
import { CHANNELS, channelsFromEnv } from '../../lib/notify/channels/index.ts';
import { PAGERDUTY_LIMITS } from '../../lib/notify/channels/pagerduty.ts';
import { TEAMS_MAX_BYTES } from '../../lib/notify/channels/teams.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../lib/notify/channels/webhook.ts';
import { testNotification } from '../../lib/notify/plain-notifications.ts';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { DEFAULT_REMINDERS, dueReminders } from '../../lib/policy/reminders.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { type ScriptedServer, startScriptedServer } from '../fixtures/http-server.ts';

// Microsoft's Adaptive Cards library (the browser renderer's parser works without a DOM).
const AdaptiveCards = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => {
    parse(json: unknown, context: unknown): void;
    validateProperties(): { validationEvents: { message: string }[] };
  };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
};

const ROUTING_KEY = 'R0abcdefghijklmnopqrstuvwxyz0123';
const SIGNING_SECRET = 'whsec-0123456789abcdef0123456789';
let server: ScriptedServer;

beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
  server.answer({ status: 200, body: 'ok' });
});

function settingsFor(name: ChannelName, url = server.url): ChannelSettings {
  const env: Record<ChannelName, Record<string, string>> = {
    slack: { SLACK_WEBHOOK_URL: url },
    teams: { TEAMS_WEBHOOK_URL: url },
    pagerduty: { PAGERDUTY_ROUTING_KEY: ROUTING_KEY, PAGERDUTY_EVENTS_URL: url },
    webhook: { WEBHOOK_URL: url, WEBHOOK_SECRET: SIGNING_SECRET },
  };
  const settings = CHANNELS[name].fromEnv(env[name]);
  if (!settings) throw new Error(`${name} not configured`);
  return settings;
}

const critical = decideTransition(
  undefined,
  checkResult({ target: 'api.example.com:443', status: 'critical', daysLeft: 3 }),
).events[0];
if (!critical) throw new Error('no event');
const CRITICAL: Deliverable = { kind: 'notification', notification: renderNotification(critical) };

/** A notification as large as certvigil makes them: 16 KiB of text, hostile characters, 64 addresses. */
function hugeNotification(): Deliverable {
  const n = renderNotification(critical as NonNullable<typeof critical>);
  return {
    kind: 'notification',
    notification: {
      ...n,
      text: `${'<b>"quoted" & [link](https://evil.example) *bold* \u202e\n'.repeat(400)}`.slice(0, 16_000),
      issuer: `CN=${'"\\'.repeat(500)}`,
      endpoints: Array.from({ length: 64 }, (_, i) => ({
        address: `192.0.2.${i}`,
        status: 'critical' as const,
        fingerprint256: 'AB'.repeat(32),
        notAfter: n.notAfter,
        error: { kind: 'handshake' as const, message: '"'.repeat(400) },
      })),
    },
  };
}

const ALARM: Deliverable = {
  kind: 'alarm',
  alarm: {
    AlarmName: 'Certvigil-ProbeErrors-ABC',
    AlarmDescription: 'certvigil: probes failed',
    AWSAccountId: '123456789012',
    NewStateValue: 'ALARM',
    NewStateReason: 'Threshold Crossed',
    OldStateValue: 'OK',
    StateChangeTime: '2026-11-28T12:00:00.000+0000',
    Region: 'EU (Ireland)',
    AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Certvigil-ProbeErrors-ABC',
  },
};

/** PagerDuty Events API v2, as documented (developer.pagerduty.com, "Send an Alert Event"). */
const pagerDutyEvent = z.union([
  z.strictObject({
    routing_key: z.string().length(32),
    event_action: z.literal('trigger'),
    dedup_key: z.string().min(1).max(PAGERDUTY_LIMITS.dedupKey),
    client: z.string().optional(),
    client_url: z.url().optional(),
    payload: z.strictObject({
      summary: z.string().min(1).max(1024),
      source: z.string().min(1),
      severity: z.enum(['critical', 'error', 'warning', 'info']),
      timestamp: z.iso.datetime({ offset: true }).optional(),
      component: z.string().optional(),
      group: z.string().optional(),
      class: z.string().optional(),
      custom_details: z.record(z.string(), z.unknown()).optional(),
    }),
    links: z.array(z.strictObject({ href: z.url(), text: z.string().optional() })).optional(),
    images: z.array(z.unknown()).optional(),
  }),
  z.strictObject({
    routing_key: z.string().length(32),
    event_action: z.enum(['acknowledge', 'resolve']),
    dedup_key: z.string().min(1).max(PAGERDUTY_LIMITS.dedupKey),
  }),
]);

function parseAdaptiveCard(body: string): string[] {
  const message = JSON.parse(body);
  expect(message.type).toBe('message');
  expect(message.attachments).toHaveLength(1);
  expect(message.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
  const card = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  card.parse(message.attachments[0].content, context);
  const problems = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
  problems.push(...card.validateProperties().validationEvents.map((e) => e.message));
  return problems;
}

/** Every text a card shows, from TextRuns (plain text) and nowhere else. */
function cardTexts(body: string): { runs: string[]; markdown: unknown[] } {
  const runs: string[] = [];
  const markdown: unknown[] = [];
  JSON.parse(body, (_key, value) => {
    if (value && typeof value === 'object' && value.type === 'TextRun') runs.push(value.text);
    if (value && typeof value === 'object' && value.type === 'TextBlock') markdown.push(value);
    return value;
  });
  return { runs, markdown };
}

describe('what each channel sends', () => {
  it('Slack: Block Kit in an attachment coloured by severity, within its limits', async () => {
    await deliver(
      CHANNELS.slack,
      settingsFor('slack'),
      CHANNELS.slack.render(CRITICAL, settingsFor('slack'), new Date()),
    );
    const body = JSON.parse(server.requests[0]?.body ?? '{}');
    expect(body.text).toBe(renderNotification(critical).subject);
    expect(body.attachments[0].color).toBe('#e01e5a');
  });

  it('Teams: an Adaptive Card Microsoft parses without a complaint, with every certificate text as plain TextRuns', async () => {
    const settings = settingsFor('teams');
    for (const message of [CRITICAL, hugeNotification(), ALARM]) {
      const [request] = CHANNELS.teams.render(message, settings, new Date());
      const body = request?.body ?? '';
      expect(parseAdaptiveCard(body)).toEqual([]);
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
      const { runs, markdown } = cardTexts(body);
      // No TextBlock: a certificate's "[link](…)" or "*bold*" is shown, never rendered.
      expect(markdown).toEqual([]);
      expect(runs.length).toBeGreaterThan(2);
    }
    const [first] = CHANNELS.teams.render(hugeNotification(), settings, new Date());
    expect(cardTexts(first?.body ?? '').runs.join('\n')).toContain('[link](https://evil.example)');
    const content = JSON.parse(CHANNELS.teams.render(CRITICAL, settings, new Date())[0]?.body ?? '').attachments[0]
      .content;
    expect(content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(content.body[0].style).toBe('attention');
    expect(JSON.stringify(content)).toContain('api.example.com:443');
  });

  it('Teams: the retired Office 365 connector URLs are refused, saying what to use instead', () => {
    for (const url of [
      'https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456',
      'https://outlook.office.com/webhook/abc',
    ]) {
      expect(() => CHANNELS.teams.fromEnv({ TEAMS_WEBHOOK_URL: url })).toThrow(/retired; create a Workflows webhook/);
    }
    expect(
      CHANNELS.teams.fromEnv({
        TEAMS_WEBHOOK_URL: 'https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke',
      })?.url.hostname,
    ).toBe('prod-01.westeurope.logic.azure.com');
  });

  it('PagerDuty: a trigger per condition and a resolve per ended event, valid Events API v2 events', () => {
    const settings = settingsFor('pagerduty');
    const warned = decideTransition(undefined, checkResult({ status: 'warning', fingerprint: 'F1' }));
    const renewed = decideTransition(
      warned.state,
      checkResult({ fingerprint: 'F2', notAfter: '2026-12-30T00:00:00.000Z', at: '2026-06-02T00:00:00.000Z' }),
    );
    const [warning] = warned.events.map(renderNotification);
    const [renewal] = renewed.events.map(renderNotification);
    if (!warning || !renewal) throw new Error('the transitions made no events');
    const requests = [warning, renewal].flatMap((n) =>
      CHANNELS.pagerduty.render({ kind: 'notification', notification: n }, settings, new Date()),
    );
    const events = requests.map((r) => pagerDutyEvent.parse(JSON.parse(r.body)));
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(events[1]?.dedup_key).toBe(events[0]?.dedup_key);
    const trigger = events[0] as Extract<(typeof events)[number], { event_action: 'trigger' }>;
    expect(trigger.payload).toMatchObject({
      severity: 'warning',
      class: 'entered-window',
      source: 'www.example.com:443',
    });
    expect(trigger.links).toEqual([{ href: 'https://www.example.com/', text: 'The monitored endpoint' }]);
    // The largest notification stays a valid event far under the 512 KB limit.
    const huge = CHANNELS.pagerduty.render(hugeNotification(), settings, new Date());
    for (const r of huge) {
      pagerDutyEvent.parse(JSON.parse(r.body));
      expect(Buffer.byteLength(r.body)).toBeLessThan(PAGERDUTY_LIMITS.eventBytes / 8);
    }
    // An alarm of certvigil itself pages; its OK resolves the same alert.
    const [raised] = CHANNELS.pagerduty.render(ALARM, settings, new Date());
    const [cleared] = CHANNELS.pagerduty.render(
      { kind: 'alarm', alarm: { ...(ALARM as Extract<Deliverable, { kind: 'alarm' }>).alarm, NewStateValue: 'OK' } },
      settings,
      new Date(),
    );
    const a = pagerDutyEvent.parse(JSON.parse(raised?.body ?? ''));
    const b = pagerDutyEvent.parse(JSON.parse(cleared?.body ?? ''));
    expect([a.event_action, b.event_action, b.dedup_key]).toEqual(['trigger', 'resolve', a.dedup_key]);
    // Info news that ends nothing is no incident; a test notification is.
    const added = { ...renderNotification(critical), event: 'added' as const, severity: 'info' as const, resolves: [] };
    expect(CHANNELS.pagerduty.render({ kind: 'notification', notification: added }, settings, new Date())).toEqual([]);
    const test = testNotification({ id: 't1', at: new Date() });
    const [testEvent] = CHANNELS.pagerduty.render({ kind: 'notification', notification: test }, settings, new Date());
    expect(pagerDutyEvent.parse(JSON.parse(testEvent?.body ?? ''))).toMatchObject({
      event_action: 'trigger',
      payload: { severity: 'info' },
    });
  });

  it('a reminder and an escalation of a hostile event: within every channel limit, re-alerting the same PagerDuty alert', () => {
    const hostile = decideTransition(undefined, {
      ...checkResult({ target: 'api.example.com:443', status: 'critical', daysLeft: 3 }),
      subject: `CN=${'<script>"\u202e'.repeat(400)}`,
    });
    const sentAt = hostile.events[0]?.occurredAt as string;
    const due = dueReminders({
      target: 'api.example.com:443',
      state: hostile.state,
      result: hostile.state.result,
      sent: { [hostile.events[0]?.key as string]: sentAt },
      acks: undefined,
      policy: DEFAULT_REMINDERS,
      now: new Date(Date.parse(sentAt) + 50 * 3_600_000),
    });
    expect(due.map((e) => e.event)).toEqual(['reminder', 'escalation']);
    const [reminder, escalation] = due.map(renderNotification);
    expect(reminder?.subject).toMatch(/^\[certvigil\] CRITICAL api\.example\.com:443: reminder 2: /);
    expect(escalation?.subject).toMatch(/: escalated: /);
    expect(reminder?.text).toMatch(/^reminder 2: .*, unacknowledged for 2 days, /);
    for (const n of [reminder, escalation]) {
      const notification = n as NonNullable<typeof n>;
      expect(notification.subject.length).toBeLessThan(100);
      expect(Buffer.byteLength(notification.text)).toBeLessThanOrEqual(16 * 1024);
      const deliverable: Deliverable = { kind: 'notification', notification };
      const [card] = CHANNELS.teams.render(deliverable, settingsFor('teams'), new Date());
      expect(parseAdaptiveCard(card?.body ?? '')).toEqual([]);
      expect(Buffer.byteLength(card?.body ?? '')).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
      expect(CHANNELS.slack.render(deliverable, settingsFor('slack'), new Date())).toHaveLength(1);
      const [page] = CHANNELS.pagerduty.render(deliverable, settingsFor('pagerduty'), new Date());
      const event = pagerDutyEvent.parse(JSON.parse(page?.body ?? ''));
      // The open event's alert, not a new incident.
      expect(event.dedup_key).toBe(`certvigil-${hostile.events[0]?.id}`);
    }
  });

  it('PagerDuty: a routing key that is not one is refused without repeating it', () => {
    const attempt = () => CHANNELS.pagerduty.fromSecret('https://events.pagerduty.com/x?key=abc');
    expect(attempt).toThrow(ChannelConfigError);
    expect(attempt).toThrow(/routing key is not one/);
    expect(() => attempt()).not.toThrow(/key=abc/);
    expect(CHANNELS.pagerduty.fromSecret(JSON.stringify({ routingKey: ROUTING_KEY }))?.url.href).toBe(
      'https://events.pagerduty.com/v2/enqueue',
    );
  });

  it('webhook: the notification fields, signed so that an independent verifier accepts it and rejects forgeries', async () => {
    const settings = settingsFor('webhook');
    await deliver(CHANNELS.webhook, settings, CHANNELS.webhook.render(CRITICAL, settings, new Date()));
    const request = server.requests[0];
    const body = request?.body ?? '';
    const timestamp = String(request?.headers[TIMESTAMP_HEADER]);
    const signature = String(request?.headers[SIGNATURE_HEADER]);
    expect(JSON.parse(body)).toMatchObject({
      type: 'notification',
      id: critical.id,
      event: 'entered-window',
      severity: 'critical',
      target: 'api.example.com:443',
      resolves: [],
    });
    // The README's recipe, done with WebCrypto: HMAC-SHA256 over "<timestamp>.<body>", hex, "v1=".
    const verify = async (secret: string, ts: string, text: string, sig: string) => {
      if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false; // a replay of an old call
      const key = await crypto.subtle.importKey(
        'raw',
        new TextEncoder().encode(secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['verify'],
      );
      const hex = sig.replace(/^v1=/, '');
      if (!/^[0-9a-f]{64}$/.test(hex)) return false;
      const bytes = new Uint8Array(hex.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
      return crypto.subtle.verify('HMAC', key, bytes, new TextEncoder().encode(`${ts}.${text}`));
    };
    expect(await verify(SIGNING_SECRET, timestamp, body, signature)).toBe(true);
    expect(await verify('another-secret-0123456789', timestamp, body, signature)).toBe(false);
    expect(await verify(SIGNING_SECRET, timestamp, body.replace('critical', 'info'), signature)).toBe(false);
    expect(await verify(SIGNING_SECRET, String(Number(timestamp) + 1), body, signature)).toBe(false);
    const old = CHANNELS.webhook.render(CRITICAL, settings, new Date(Date.now() - 3_600_000))[0];
    expect(
      await verify(
        SIGNING_SECRET,
        old?.headers[TIMESTAMP_HEADER] ?? '',
        old?.body ?? '',
        old?.headers[SIGNATURE_HEADER] ?? '',
      ),
    ).toBe(false);
    expect(JSON.stringify(request?.headers)).not.toContain(SIGNING_SECRET);
    expect(body).not.toContain(SIGNING_SECRET);
  });

  it('webhook: a URL without a signing secret (or with a short one) is refused', () => {
    expect(() => channelsFromEnv({ WEBHOOK_URL: 'https://hooks.example.com/in' })).toThrow(
      /WEBHOOK_URL\/WEBHOOK_SECRET: the webhook needs a signing secret of at least 16 characters/,
    );
    expect(() => channelsFromEnv({ WEBHOOK_URL: 'https://hooks.example.com/in', WEBHOOK_SECRET: 'short' })).toThrow(
      ChannelConfigError,
    );
  });
});

describe('channel secrets', () => {
  it.each<[ChannelName, string | undefined, string | undefined]>([
    ['slack', '', undefined],
    ['slack', '{}', undefined],
    ['slack', 'https://hooks.slack.com/services/T/B/x', 'https://hooks.slack.com/services/T/B/x'],
    ['slack', '{"webhookUrl": "https://hooks.slack.com/services/T/B/x"}', 'https://hooks.slack.com/services/T/B/x'],
    ['teams', '{"webhookUrl": ""}', undefined],
    ['pagerduty', ROUTING_KEY, 'https://events.pagerduty.com/v2/enqueue'],
    // As the stack creates it: a generated signing secret, the URL still to be set.
    ['webhook', '{"url": "", "secret": "generated-0123456789abcdef"}', undefined],
    [
      'webhook',
      '{"url": "https://hooks.example.com/in", "secret": "generated-0123456789abcdef"}',
      'https://hooks.example.com/in',
    ],
  ])('%s secret %j', (name, value, url) => {
    expect(CHANNELS[name].fromSecret(value)?.url.href).toBe(url);
  });

  it.each<[ChannelName, string, RegExp]>([
    ['slack', '{"webhookUrl": 5}', /"webhookUrl" must be a string/],
    ['slack', '{not json', /looks like JSON but is not a JSON object/],
    ['webhook', 'https://hooks.example.com/in', /must be JSON with "url" and "secret"/],
    ['webhook', '{"url": "https://hooks.example.com/in"}', /needs a signing secret/],
    ['pagerduty', '{"routingKey": "short"}', /routing key is not one/],
  ])('%s secret %j is refused', (name, value, message) => {
    expect(() => CHANNELS[name].fromSecret(value)).toThrow(message);
  });
});

describe.each(Object.keys(CHANNELS) as ChannelName[])('delivering to %s', (name) => {
  const channel: Channel = CHANNELS[name];
  const requests = () => channel.render(CRITICAL, settingsFor(name), new Date());

  it('retries 429 as long as Retry-After says, then delivers', async () => {
    server.answer({ status: 429, headers: { 'retry-after': '1' } }, { status: 202 });
    await deliver(channel, settingsFor(name), requests());
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(second?.body).toBe(first?.body);
  });

  it('retries 5xx with growing waits, and gives up after the last attempt with the status', async () => {
    server.answer({ status: 503, body: 'busy' });
    const waits: number[] = [];
    const failure = await deliver(channel, settingsFor(name), requests(), {
      maxAttempts: 3,
      sleep: async (ms) => void waits.push(ms),
    }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(ChannelDeliveryError);
    expect((failure as ChannelDeliveryError).status).toBe(503);
    expect((failure as Error).message).toMatch(new RegExp(`^${channel.title} answered 503 to the \\w+ "busy"$`));
    expect(server.requests).toHaveLength(3);
    expect(waits).toEqual([1000, 2000]);
  });

  it('follows no redirect, to another origin or its own, and does not retry it', async () => {
    const elsewhere = await startScriptedServer();
    try {
      for (const location of [elsewhere.url, '/elsewhere']) {
        server.requests.length = 0;
        server.answer({ status: 307, headers: { location } });
        const failure = await deliver(channel, settingsFor(name), requests()).catch((e: Error) => e);
        expect(failure).toBeInstanceOf(ChannelDeliveryError);
        expect((failure as ChannelDeliveryError).retryable).toBe(false);
        expect((failure as Error).message).toMatch(/^.+ answered 307 \(a redirect\) .* follows no redirects/);
        expect(server.requests).toHaveLength(1);
      }
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('does not retry a 4xx', async () => {
    server.answer({ status: 400, body: 'invalid payload' });
    const failure = await deliver(channel, settingsFor(name), requests()).catch((e: Error) => e);
    expect((failure as ChannelDeliveryError).retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('never waits past the deadline: a long Retry-After fails at once, for the caller to retry', async () => {
    server.answer({ status: 429, headers: { 'retry-after': '30' } }, { status: 200 });
    const started = Date.now();
    const failure = await deliver(channel, settingsFor(name), requests(), { deadline: Date.now() + 2_000 }).catch(
      (e: Error) => e,
    );
    expect(failure).toBeInstanceOf(ChannelDeliveryError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up on a server that never answers when the deadline comes, without the URL in the error', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/secret-path-token`;
      const started = Date.now();
      const failure = await deliver(channel, settingsFor(name, url), requests(), {
        deadline: Date.now() + 1_500,
      }).catch((e: Error) => e);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((failure as Error).message).toBe(
        `could not reach ${channel.title} for the ${requests()[0]?.what}: timed out`,
      );
      expect(String((failure as Error).stack)).not.toContain('secret-path-token');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
