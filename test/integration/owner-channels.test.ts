// Issue 31: an owner's own channels. Through the admin API's Lambda handler over DynamoDB Local, a
// channel value is checked as its channel's secret would be, kept as a secret (Secrets Manager is a
// stand-in that keeps secrets by name as the service does) and never shown; then a channel's
// notifier delivers a notification to the deployment's destination and to its owner's own, each a
// real HTTP server on loopback.
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../lambdas/admin-handler.ts';
import { createHandler as createNotifier } from '../../lambdas/notifier-handler.ts';
import { OwnerDirectory } from '../../lib/admin/owner-directory.ts';
import { clearChannelSecrets } from '../../lib/notify/channels/channel-secret.ts';
import { ownerChannelSecretName, SecretsManagerOwnerChannels } from '../../lib/notify/owner-channels.ts';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { DirectoryStore } from '../../lib/store/directory-store.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { functionUrlEvent, serveOnLoopback } from '../fixtures/function-url.ts';
import { type ScriptedServer, startScriptedServer } from '../fixtures/http-server.ts';
import { lambdaContext } from '../fixtures/lambda-context.ts';
import { runCli } from '../fixtures/run-cli.ts';

const PREFIX = 'certvigil/Certvigil/owners/';
const client = new SecretsManagerClient({ region: 'eu-west-1' });
const secrets = mockClient(SecretsManagerClient);
/** The account's secrets, by name, as Secrets Manager keeps them. */
let kept: Map<string, string>;
let tables: TestTables;
let admin: ReturnType<typeof createHandler>;
let org: ScriptedServer;
let team: ScriptedServer;

function fakeSecretsManager(): void {
  secrets.reset();
  const missing = () =>
    Object.assign(new Error('Secrets Manager can’t find the specified secret.'), { name: 'ResourceNotFoundException' });
  secrets.on(CreateSecretCommand).callsFake(async (input) => {
    if (kept.has(input.Name)) throw Object.assign(new Error('exists'), { name: 'ResourceExistsException' });
    kept.set(input.Name, input.SecretString);
    return { Name: input.Name };
  });
  secrets.on(PutSecretValueCommand).callsFake(async (input) => {
    if (!kept.has(input.SecretId)) throw missing();
    kept.set(input.SecretId, input.SecretString);
    return {};
  });
  secrets.on(DeleteSecretCommand).callsFake(async (input) => {
    if (!kept.delete(input.SecretId)) throw missing();
    return {};
  });
  secrets.on(GetSecretValueCommand).callsFake(async (input) => {
    const value = kept.get(input.SecretId);
    if (value === undefined) throw missing();
    return { SecretString: value };
  });
}

async function call(method: string, path: string, body?: unknown) {
  const r = (await admin(
    functionUrlEvent(method, path, {
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { 'content-type': 'application/json' },
    }),
  )) as { statusCode: number; body: string };
  return { status: r.statusCode, text: r.body, json: JSON.parse(r.body) };
}

function snsEvent(message: unknown): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        Sns: { Message: JSON.stringify(message), MessageId: 'm1', MessageAttributes: {} },
      },
    ],
  } as unknown as SNSEvent;
}

function notificationFor(owner: string | undefined) {
  const [event] = decideTransition(
    undefined,
    checkResult({ target: 'pay.example.com:443', status: 'critical', daysLeft: 3 }),
  ).events;
  if (!event) throw new Error('no event');
  return renderNotification({ ...event, owner });
}

beforeAll(async () => {
  tables = await createTestTables();
  org = await startScriptedServer();
  team = await startScriptedServer();
  admin = createHandler({
    targets: undefined as never,
    probe: undefined as never,
    guard: undefined,
    owners: new OwnerDirectory(new DirectoryStore(tables.doc, String(tables.names.directory)), undefined, {
      values: new SecretsManagerOwnerChannels(client, PREFIX),
      enabled: ['slack', 'pagerduty'],
    }),
  });
});

afterAll(async () => {
  await tables.drop();
  await org.close();
  await team.close();
});

beforeEach(() => {
  kept = new Map();
  fakeSecretsManager();
  clearChannelSecrets();
  for (const server of [org, team]) {
    server.requests.length = 0;
    server.answer({ status: 200, body: 'ok' });
  }
});

describe("an owner's own channels", () => {
  it('keeps a channel value as a secret named for the owner, and shows only that the owner has it', async () => {
    const put = await call('PUT', '/owners/payments', { channels: { slack: team.url } });
    expect(put.status, put.text).toBe(200);
    expect(put.json.owner).toMatchObject({ name: 'payments', emails: [], channels: ['slack'] });
    expect([...kept.keys()]).toEqual([ownerChannelSecretName(PREFIX, 'payments', 'slack')]);
    expect(ownerChannelSecretName(PREFIX, 'payments', 'slack')).toMatch(
      /^certvigil\/Certvigil\/owners\/[\w-]{32}\/slack$/,
    );
    expect(kept.get(ownerChannelSecretName(PREFIX, 'payments', 'slack'))).toBe(team.url);
    const shown = await call('GET', '/owners/payments');
    expect(shown.json.channels).toEqual(['slack']);
    // The value (a credential) is in no answer and not in the table.
    for (const text of [put.text, shown.text, (await call('GET', '/owners')).text])
      expect(text).not.toContain('secret-token');
    const scan = await tables.doc.send(
      new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: String(tables.names.directory) }),
    );
    expect(JSON.stringify(scan.Items)).not.toContain('secret-token');

    // Changing the emails keeps the channel; naming it with a new value replaces the secret's value.
    const emails = await call('PUT', '/owners/payments', { emails: ['pay@example.com'], version: 1 });
    expect(emails.json.owner.channels).toEqual(['slack']);
    const other = team.url.replace('secret-token', 'other-token');
    await call('PUT', '/owners/payments', { emails: ['pay@example.com'], channels: { slack: other } });
    expect(kept.get(ownerChannelSecretName(PREFIX, 'payments', 'slack'))).toBe(other);
    // Taken off (null), then the owner removed: no secret is left behind.
    const off = await call('PUT', '/owners/payments', { emails: ['pay@example.com'], channels: { slack: null } });
    expect(off.json.owner.channels).toBeUndefined();
    expect(kept.size).toBe(0);
    await call('PUT', '/owners/payments', {
      emails: ['pay@example.com'],
      channels: { pagerduty: 'R'.padEnd(32, '0') },
    });
    expect((await call('DELETE', '/owners/payments')).status).toBe(200);
    expect(kept.size).toBe(0);
  });

  it('refuses a value its channel would refuse, and a channel the deployment does not deliver', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ channels: { slack: 'http://hooks.example/x' } }, 400, /^channels\.slack: /],
      [{ channels: { slack: '' } }, 400, /channels\.slack: is empty/],
      [
        { channels: { webhook: JSON.stringify({ url: 'https://hooks.example/x', secret: '0123456789abcdef0123' }) } },
        409,
        /webhook is not a channel of this deployment/,
      ],
      [{ channels: { email: 'x' } }, 400, /channels/],
      [{ channels: {} }, 400, /give at least one address in emails or escalationEmails, or a channel/],
    ];
    for (const [body, status, detail] of cases) {
      const answer = await call('PUT', '/owners/refused', body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.json.detail).toMatch(detail);
    }
    expect(kept.size).toBe(0);
    expect((await call('GET', '/owners/refused')).status).toBe(404);
  });
});

describe('certvigil owners --channel', () => {
  it('sets a channel from a value or a file, lists it without its value, and takes it off', async () => {
    const served = await serveOnLoopback(admin);
    try {
      const cli = (...args: string[]) =>
        runCli(['owners', ...args, '--url', served.url, '--token', 'unused-by-this-stand-in'], {
          env: { PATH: process.env.PATH ?? '' },
          timeoutMs: 60_000,
        });
      const added = await cli('add', 'web', '--email', 'web@example.com', '--channel', `slack=${team.url}`);
      expect(added.stderr).toBe('');
      expect(added.stdout).toContain('web: web@example.com, slack channel');
      expect(added.stdout).not.toContain('secret-token');
      const listed = await cli('list');
      expect(listed.stdout).toMatch(/\nweb\s+web@example\.com\s+-\s+slack\s/);
      expect(listed.stdout).not.toContain('secret-token');
      const refused = [
        await cli('add', 'web', '--channel', 'email=x'),
        await cli('add', 'web', '--channel', 'slack'),
        await cli('remove', 'web', '--channel', 'slack=x'),
        await cli('add', 'web', '--channel', 'slack=@/nonexistent/file'),
      ];
      expect(refused.map((r) => r.code)).toEqual([3, 3, 3, 3]);
      expect(refused.map((r) => r.stderr.split('\n')[0])).toEqual([
        expect.stringContaining('--channel takes one of slack, teams, pagerduty, webhook (got "email")'),
        expect.stringContaining('--channel slack needs its value: --channel slack=URL, or =@FILE'),
        expect.stringContaining('owners remove takes --channel NAME, without a value'),
        expect.stringContaining('--channel slack: cannot read /nonexistent/file: no such file'),
      ]);
      const off = await cli('remove', 'web', '--channel', 'slack');
      expect(off.stdout).toContain('web: web@example.com\n');
      expect(kept.size).toBe(0);
      expect((await cli('remove', 'web', '--channel', 'slack')).stderr).toContain('web has no slack channel');
      expect((await cli('remove', 'web')).stdout).toContain('web removed from the directory');
    } finally {
      served.server.close();
    }
  });
});

/**
 * The Slack notifier with `deployment` as the deployment's secret and payments' own Slack route;
 * it has delivered one notification about a payments target (one delivery counted).
 */
async function paymentsSlack(deployment: string) {
  await call('PUT', '/owners/payments', { channels: { slack: team.url } });
  kept.set('certvigil/slack', deployment);
  const notifier = createNotifier(
    { channel: 'slack', secretId: 'certvigil/slack', ownerChannelPrefix: PREFIX },
    client,
  );
  expect(await notifier(snsEvent(notificationFor('payments')), lambdaContext())).toEqual({ delivered: 1, skipped: 0 });
  return notifier;
}

describe("a channel's notifier", () => {
  it("delivers to the deployment's destination and to the owner's own, and only the deployment's for others", async () => {
    const notifier = await paymentsSlack(org.url);
    expect([org.requests.length, team.requests.length]).toEqual([1, 1]);
    expect(JSON.parse(team.requests[0]?.body ?? '{}').text).toContain('pay.example.com:443');
    // Another owner, and no owner: the deployment's destination alone.
    await notifier(snsEvent(notificationFor('web')), lambdaContext());
    await notifier(snsEvent(notificationFor(undefined)), lambdaContext());
    expect([org.requests.length, team.requests.length]).toEqual([3, 1]);
  });

  it("delivers to owners' routes while the deployment's own secret is empty", async () => {
    const notifier = await paymentsSlack('');
    expect([org.requests.length, team.requests.length]).toEqual([0, 1]);
    expect(await notifier(snsEvent(notificationFor('web')), lambdaContext())).toEqual({ delivered: 0, skipped: 1 });
  });

  it("fails the invocation when the owner's destination keeps failing, so that Lambda retries it", async () => {
    await call('PUT', '/owners/payments', { channels: { slack: team.url } });
    kept.set('certvigil/slack', org.url);
    team.answer({ status: 500, body: 'down' });
    const notifier = createNotifier(
      { channel: 'slack', secretId: 'certvigil/slack', ownerChannelPrefix: PREFIX },
      client,
      { delivery: { maxAttempts: 2, baseDelayMs: 1 } },
    );
    await expect(notifier(snsEvent(notificationFor('payments')), lambdaContext())).rejects.toThrow();
    expect(org.requests.length).toBe(1);
  });
});
