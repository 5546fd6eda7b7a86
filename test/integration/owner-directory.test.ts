// Issue 31: the owner directory through the admin API's Lambda handler over DynamoDB Local. SNS is
// a stand-in that keeps subscriptions as SNS does (one per address and topic; a second Subscribe
// with other attributes is refused), and each address's filter policy is evaluated against the
// attributes the real publisher sets: an owner's addresses get its messages, its escalation route
// only its escalations, an address on two routes one subscription naming both.

import type http from 'node:http';
import {
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../lambdas/admin-handler.ts';
import { OwnerDirectory } from '../../lib/admin/owner-directory.ts';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { SnsEmailSubscriptions } from '../../lib/notify/sns-subscriptions.ts';
import type { MonitorEvent } from '../../lib/policy/events.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { DirectoryStore } from '../../lib/store/directory-store.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { functionUrlEvent, serveOnLoopback } from '../fixtures/function-url.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { type Attributes, attributesOf, matches } from '../fixtures/sns.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:certvigil-alerts';
const client = new SNSClient({ region: 'eu-west-1' });
const sns = mockClient(client);
/** The topic's email subscriptions, by address, as SNS keeps them. */
let subscriptions: Map<string, { arn: string; policy: string | undefined }>;
let made = 0;
let tables: TestTables;
let handler: ReturnType<typeof createHandler>;
let local: ReturnType<typeof createHandler>;
let server: http.Server | undefined;

function fakeSns(): void {
  sns.reset();
  sns.on(SubscribeCommand).callsFake((input) => {
    const existing = subscriptions.get(input.Endpoint);
    const policy = input.Attributes?.FilterPolicy;
    if (existing && existing.policy !== policy) {
      throw Object.assign(
        new Error('Invalid parameter: Attributes Reason: Subscription already exists with different attributes'),
        {
          name: 'InvalidParameterException',
        },
      );
    }
    if (existing) return { SubscriptionArn: existing.arn };
    const arn = `${TOPIC}:${String(++made).padStart(8, '0')}`;
    subscriptions.set(input.Endpoint, { arn, policy });
    return { SubscriptionArn: arn };
  });
  sns.on(SetSubscriptionAttributesCommand).callsFake((input) => {
    const entry = [...subscriptions.values()].find((s) => s.arn === input.SubscriptionArn);
    if (!entry) throw Object.assign(new Error('Subscription does not exist'), { name: 'NotFoundException' });
    entry.policy = input.AttributeValue;
    return {};
  });
  sns.on(UnsubscribeCommand).callsFake((input) => {
    for (const [address, s] of subscriptions) if (s.arn === input.SubscriptionArn) subscriptions.delete(address);
    return {};
  });
  sns.on(ListSubscriptionsByTopicCommand).callsFake(() => ({
    Subscriptions: [...subscriptions].map(([Endpoint, s]) => ({ Endpoint, Protocol: 'email', SubscriptionArn: s.arn })),
  }));
}

async function call(h: ReturnType<typeof createHandler>, method: string, path: string, body?: unknown) {
  const response = (await h(
    functionUrlEvent(method, path, body === undefined ? {} : { body: JSON.stringify(body) }),
  )) as { statusCode: number; body?: string };
  return { status: response.statusCode, json: JSON.parse(response.body ?? 'null') };
}

const policyOf = (address: string) => {
  const text = subscriptions.get(address)?.policy;
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
};

/** Which of these messages an address receives, by its subscription's policy (none: no subscription). */
let messages: [string, Attributes][];
function receives(address: string): string[] {
  if (!subscriptions.has(address)) return [];
  return messages.filter(([, attributes]) => matches(policyOf(address), attributes)).map(([name]) => name);
}

beforeAll(async () => {
  tables = await createTestTables();
  const store = new DirectoryStore(tables.doc, tables.names.directory as string);
  const base = { targets: undefined as never, probe: undefined as never, guard: undefined };
  handler = createHandler({ ...base, owners: new OwnerDirectory(store, new SnsEmailSubscriptions(client, TOPIC)) });
  const localTables = new DirectoryStore(tables.doc, tables.names.directory as string);
  local = createHandler({ ...base, owners: new OwnerDirectory(localTables, undefined) });
  const event = (owner: string | undefined, type: 'entered-window' | 'escalation') => {
    const opened = decideTransition(undefined, checkResult({ status: 'critical', fingerprint: 'F1' }))
      .events[0] as MonitorEvent;
    return renderNotification({ ...opened, ...(owner ? { owner } : {}), event: type });
  };
  messages = [
    ['payments', await attributesOf(event('payments', 'entered-window'))],
    ['payments escalation', await attributesOf(event('payments', 'escalation'))],
    ['web', await attributesOf(event('web', 'entered-window'))],
    ['web escalation', await attributesOf(event('web', 'escalation'))],
    ['unowned', await attributesOf(event(undefined, 'entered-window'))],
    ['alarm', {}],
  ];
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  sns.restore();
  await tables.drop();
});

beforeEach(() => {
  fakeSns();
});

describe('the owner directory', () => {
  it('subscribes an owner route and an escalation route; an address on two routes gets one subscription naming both', async () => {
    subscriptions = new Map();
    const put = await call(handler, 'PUT', '/owners/payments', {
      emails: ['Pay@Example.com'],
      escalationEmails: ['boss@example.com'],
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      delivery: 'sns',
      subscribed: ['boss@example.com', 'pay@example.com'],
      owner: { name: 'payments', emails: ['pay@example.com'], escalationEmails: ['boss@example.com'], version: 1 },
    });
    expect(put.json.owner.updatedBy).toBeTruthy();
    expect(receives('pay@example.com')).toEqual(['payments', 'payments escalation']);
    expect(receives('boss@example.com')).toEqual(['payments escalation']);

    const web = await call(handler, 'PUT', '/owners/web', { emails: ['boss@example.com', 'web@example.com'] });
    expect(web.status).toBe(200);
    expect(web.json.subscribed).toEqual(['web@example.com']);
    const bossSubscribes = sns
      .commandCalls(SubscribeCommand)
      .filter((c) => c.args[0].input.Endpoint === 'boss@example.com');
    expect(bossSubscribes).toHaveLength(1);
    expect(receives('boss@example.com')).toEqual(['payments escalation', 'web', 'web escalation']);
    expect(receives('web@example.com')).toEqual(['web', 'web escalation']);

    // Listing pages by name.
    const first = await call(handler, 'GET', '/owners?limit=1');
    expect(first.json.owners.map((o: { name: string }) => o.name)).toEqual(['payments']);
    const second = await call(handler, 'GET', `/owners?limit=1&cursor=${first.json.cursor}`);
    expect(second.json.owners.map((o: { name: string }) => o.name)).toEqual(['web']);
    // A full last page may still carry a cursor (DynamoDB cannot tell); the page after it is empty and ends.
    const third = await call(handler, 'GET', `/owners?limit=5&cursor=${second.json.cursor}`);
    expect(third.json).toEqual({ owners: [] });

    // Taking boss off web narrows its subscription back; removing payments ends both of its.
    const narrowed = await call(handler, 'PUT', '/owners/web', { emails: ['web@example.com'], version: 1 });
    expect(narrowed.status).toBe(200);
    expect(receives('boss@example.com')).toEqual(['payments escalation']);
    const removed = await call(handler, 'DELETE', '/owners/payments');
    expect(removed.status).toBe(200);
    expect(removed.json.unsubscribed).toEqual(['boss@example.com', 'pay@example.com']);
    expect([...subscriptions.keys()]).toEqual(['web@example.com']);
    expect((await call(handler, 'GET', '/owners/payments')).status).toBe(404);
    expect((await call(handler, 'DELETE', '/owners/payments')).status).toBe(404);
    await call(handler, 'DELETE', '/owners/web');
    expect(subscriptions.size).toBe(0);
    expect((await call(handler, 'GET', '/owners')).json.owners).toEqual([]);
  });

  it('refuses a stale version, and an address a stack setting subscribed (nothing is written)', async () => {
    subscriptions = new Map([['ops@example.com', { arn: `${TOPIC}:stack`, policy: undefined }]]);
    const taken = await call(handler, 'PUT', '/owners/infra', { emails: ['ops@example.com'] });
    expect(taken.status).toBe(409);
    expect(taken.json.detail).toMatch(/ops@example\.com already has a subscription .* stack setting/);
    expect((await call(handler, 'GET', '/owners/infra')).status).toBe(404);
    expect(subscriptions.get('ops@example.com')).toEqual({ arn: `${TOPIC}:stack`, policy: undefined });

    expect((await call(handler, 'PUT', '/owners/infra', { emails: ['infra@example.com'] })).status).toBe(200);
    const stale = await call(handler, 'PUT', '/owners/infra', { emails: ['other@example.com'], version: 0 });
    expect(stale.status).toBe(409);
    expect(stale.json.detail).toMatch(/changed meanwhile/);
    expect((await call(handler, 'GET', '/owners/infra')).json.emails).toEqual(['infra@example.com']);
    await call(handler, 'DELETE', '/owners/infra');
  });

  it('an SNS failure half way keeps the entry and says so; the same request again finishes it', async () => {
    subscriptions = new Map();
    sns
      .on(SubscribeCommand, { Endpoint: 'b@example.com' })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    const body = { emails: ['a@example.com', 'b@example.com'] };
    const failed = await call(handler, 'PUT', '/owners/db', body);
    expect(failed.status).toBe(502);
    expect(failed.json.detail).toMatch(
      /saved, but SNS refused a change for b@example\.com .*send the same request again/,
    );
    expect((await call(handler, 'GET', '/owners/db')).json.pending).toEqual(['a@example.com', 'b@example.com']);
    fakeSns();
    const again = await call(handler, 'PUT', '/owners/db', body);
    expect(again.status).toBe(200);
    expect(again.json.subscribed).toEqual(['b@example.com']);
    expect((await call(handler, 'GET', '/owners/db')).json).not.toHaveProperty('pending');
    expect([...subscriptions.keys()].sort()).toEqual(['a@example.com', 'b@example.com']);
    await call(handler, 'DELETE', '/owners/db');
  });

  it('an address its owner unsubscribed (from the email) is subscribed again on the next change', async () => {
    subscriptions = new Map();
    await call(handler, 'PUT', '/owners/mail', { emails: ['m@example.com'] });
    subscriptions.delete('m@example.com');
    const changed = await call(handler, 'PUT', '/owners/mail', {
      emails: ['m@example.com'],
      escalationEmails: ['e@example.com'],
    });
    expect(changed.status).toBe(200);
    expect(changed.json.subscribed).toEqual(['e@example.com']);
    // Its routes did not change (it stays unsubscribed, as its owner chose); the next change to them subscribes it again.
    const touched = await call(handler, 'PUT', '/owners/other', { emails: ['m@example.com'] });
    expect(touched.json.subscribed).toEqual(['m@example.com']);
    expect(policyOf('m@example.com')).toEqual({ owner: ['mail', 'other'], event: [{ exists: true }] });
    await call(handler, 'DELETE', '/owners/other');
    await call(handler, 'DELETE', '/owners/mail');
  });

  it('refuses bad input with a message per field', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['/owners/x', { emails: ['not-an-address'] }, /emails\.0 must be an email address/],
      ['/owners/x', { emails: [] }, /at least one address/],
      ['/owners/x', { emails: Array.from({ length: 21 }, (_, i) => `p${i}@example.com`) }, /at most 20 addresses/],
      ['/owners/x', { emails: ['a@example.com'], version: -1 }, /version/],
      ['/owners/%01bell', { emails: ['a@example.com'] }, /owner's name is 1 to 200 characters/],
      [`/owners/${'n'.repeat(201)}`, { emails: ['a@example.com'] }, /owner's name is 1 to 200 characters/],
      ['/owners/x', ['a@example.com'], /expected object|body/],
    ];
    for (const [path, body, detail] of cases) {
      const answer = await call(handler, 'PUT', path, body);
      expect(answer.status, path).toBe(400);
      expect(answer.json.detail).toMatch(detail);
    }
    expect(sns.commandCalls(SubscribeCommand)).toEqual([]);
  });

  it('local mode keeps owners and routes and subscribes nothing (it sends no email)', async () => {
    const put = await call(local, 'PUT', '/owners/local-team', { emails: ['l@example.com'] });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ delivery: 'none', subscribed: [], owner: { emails: ['l@example.com'] } });
    expect(sns.commandCalls(SubscribeCommand)).toEqual([]);
    expect((await call(local, 'DELETE', '/owners/local-team')).status).toBe(200);
  });
});

describe('certvigil owners', () => {
  it('adds, lists and removes routes through the admin API, each change read and written back with its version', async () => {
    subscriptions = new Map();
    const served = await serveOnLoopback(handler);
    server = served.server;
    const { url } = served;
    const cli = (...args: string[]) =>
      runCli(['owners', ...args, '--url', url, '--token', 'unused-by-this-stand-in'], {
        env: { PATH: process.env.PATH ?? '' },
        timeoutMs: 60_000,
      });

    const added = await cli('add', 'team payments', '--email', 'Pay@Example.com', '--escalation', 'boss@example.com');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('team payments: pay@example.com, boss@example.com (escalations)');
    expect(added.stdout).toMatch(
      /subscribed boss@example\.com, pay@example\.com: SNS has sent each a confirmation email/,
    );
    // Adding keeps what is there.
    expect((await cli('add', 'team payments', '--email', 'two@example.com')).code).toBe(0);
    const listed = await cli('list');
    expect(listed.stdout.split('\n')[0]).toMatch(/^OWNER\s+EMAILS\s+ESCALATION\s+CHANNELS\s+UPDATED \(UTC\)$/);
    expect(listed.stdout).toMatch(/team payments\s+pay@example\.com, two@example\.com\s+boss@example\.com\s+-\s/);
    const json = JSON.parse((await cli('list', '--json')).stdout);
    expect(json).toMatchObject([{ name: 'team payments', version: 2 }]);

    const notThere = await cli('remove', 'team payments', '--email', 'nobody@example.com');
    expect(notThere.code).toBe(3);
    expect(notThere.stderr).toContain("nobody@example.com is not on team payments's routes");
    expect((await cli('remove', 'team payments', '--email', 'pay@example.com')).stdout).toContain(
      'unsubscribed pay@example.com',
    );
    expect([...subscriptions.keys()].sort()).toEqual(['boss@example.com', 'two@example.com']);
    const removed = await cli('remove', 'team payments');
    expect(removed.stdout).toContain('team payments removed from the directory');
    expect(subscriptions.size).toBe(0);
    const none = await cli('list');
    expect(none.stdout).toContain('no owners in the directory');
    const usage = await cli('add', 'x');
    expect(usage.code).toBe(3);
    expect(usage.stderr).toContain('owners add takes at least one --email or --escalation ADDRESS');
    const missing = await cli('remove', 'ghost');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no owner ghost in the directory');
  }, 120_000);
});
