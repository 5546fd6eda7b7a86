// Issue 31: the weekly digest, per owner and for the targets without one, read from the lists index
// (the partitions in trouble and the first 30 days of the healthy ones), through the admin API's
// handler over DynamoDB Local: each section holds what it says, and nothing healthy is listed.

import { LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createDispatcher } from '../../lambdas/dispatcher-handler.ts';
import { collectDigests, type Digest, digestText } from '../../lib/admin/digest.ts';
import type { OpenEventView } from '../../lib/admin/open-events.ts';
import { dispatcherConfig } from '../../lib/config.ts';
import { SnsPublisher } from '../../lib/notify/sns-publisher.ts';
import type { Status } from '../../lib/policy/status.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { adminHandlerOver } from '../fixtures/admin.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let scripted: ScriptedMonitor;
const ids: Record<string, string> = {};

async function seed(name: string, owner: string | undefined, status: Status, days: number): Promise<Target> {
  const target = normalizeTarget({ host: `${name}.digest.example`, ...(owner ? { owner } : {}) });
  await scripted.monitor.targets.putTarget(target, new Date());
  await scripted.check(target, status, days);
  ids[name] = target.id;
  return target;
}

const targetsOf = (d: Digest, section: 'expiring' | 'trouble' | 'acknowledged' | 'stuck' | 'rollouts') =>
  d[section].rows.map((r) => r.target).sort();

beforeAll(async () => {
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  tables = await createTestTables();
  scripted = scriptedMonitor(tables);
  await seed('soon', 'payments', 'warning', 20);
  await seed('gone', 'payments', 'expired', -2);
  const acked = await seed('acked', 'payments', 'critical', 4);
  await seed('fine', 'payments', 'ok', 80);
  await seed('later', 'payments', 'ok', 29);
  await seed('web-soon', 'web', 'warning', 12);
  await seed('orphan', undefined, 'expired', -1);
  await seed('orphan-fine', undefined, 'ok', 200);
  const open = (await scripted.get('/events?limit=100')).json.items as OpenEventView[];
  const event = open.find((e) => e.target === acked.id);
  const recorded = await scripted.monitor.targets.acks.record(acked.id, event?.id as string, {
    kind: 'ack',
    by: 'arn:aws:iam::123456789012:user/alice',
    at: new Date().toISOString(),
    note: 'renewal in OPS-7',
  });
  expect(recorded.outcome).toBe('recorded');
}, 60_000);

afterAll(async () => {
  await tables.drop();
});

describe('the weekly digest', () => {
  it("lists an owner's troubles, expiries within 30 days and acknowledgements, nothing healthy", async () => {
    const answer = await scripted.get('/digest?owner=payments');
    expect(answer.status).toBe(200);
    const digest = answer.json as Digest;
    expect(digest.owner).toBe('payments');
    expect(targetsOf(digest, 'trouble')).toEqual([ids.acked, ids.gone].sort());
    expect(targetsOf(digest, 'expiring')).toEqual([ids.later, ids.soon].sort());
    expect(digest.acknowledged.rows).toEqual([
      expect.objectContaining({
        target: ids.acked,
        acknowledged: expect.objectContaining({ by: 'arn:aws:iam::123456789012:user/alice', note: 'renewal in OPS-7' }),
      }),
    ]);
    expect(digest.stuck.count).toBe(0);
    expect(JSON.stringify(digest)).not.toContain(ids.fine);
    expect(JSON.stringify(digest)).not.toContain(ids['web-soon']);
  });

  it('says it as text, section by section, for the targets without an owner too', async () => {
    const handler = adminHandlerOver(scripted.monitor);
    const raw = (await handler(functionUrlEvent('GET', '/digest?owner=payments&format=text'))) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
      isBase64Encoded?: boolean;
    };
    expect(raw.statusCode).toBe(200);
    expect(raw.headers['content-type']).toBe('text/plain; charset=utf-8');
    const text = raw.isBase64Encoded ? '' : raw.body;
    expect(text).toMatch(/^certvigil weekly digest for owner payments, \d{4}-\d\d-\d\d\n/);
    expect(text).toContain('\nIn trouble (2)\n');
    expect(text).toContain('\nExpiring within 30 days (2)\n');
    expect(text).toContain(
      `  ${ids.acked}  critical, 3 d left [entered-window]; acknowledged by arn:aws:iam::123456789012:user/alice`,
    );
    expect(text).not.toContain('Rollouts in progress');
    const [unowned] = await collectDigests(scripted.monitor.targets, new Date(), { owner: null });
    expect(unowned?.owner).toBeNull();
    expect(targetsOf(unowned as Digest, 'trouble')).toEqual([ids.orphan]);
    expect(digestText(unowned as Digest)).toMatch(/^certvigil weekly digest for targets without an owner/);
    const quiet = digestText({ ...(unowned as Digest), trouble: { count: 0, rows: [] } });
    expect(quiet).toContain('Nothing needs you');
  });

  it("sends each owner's digest on the weekly schedule, routed by its owner", async () => {
    sns.resetHistory();
    const dispatcher = createDispatcher({
      config: dispatcherConfig({ TARGETS_TABLE: tables.names.targets, PROBE_FUNCTION_NAME: 'certvigil-probe' }),
      targets: scripted.monitor.targets,
      publisher: new SnsPublisher(new SNSClient({ region: 'eu-west-1' }), 'arn:aws:sns:eu-west-1:123456789012:alerts'),
      lambda: new LambdaClient({ region: 'eu-west-1' }),
    });
    expect(await dispatcher({ scope: 'digest' }, {} as Context)).toEqual({ digest: true, sent: 3, incomplete: false });
    const sent = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(sent.map((m) => m.MessageAttributes?.owner?.StringValue ?? null)).toEqual(['payments', 'web', null]);
    expect(sent.map((m) => m.MessageAttributes?.event?.StringValue)).toEqual(['digest', 'digest', 'digest']);
    expect(sent[0]?.Subject).toBe('[certvigil] weekly digest for payments: 2 in trouble, 2 expiring');
    const email = JSON.parse(sent[0]?.Message as string).email as string;
    expect(email).toMatch(/^certvigil weekly digest for owner payments/);
    // Without a topic it says so and sends nothing.
    const silent = createDispatcher({
      config: dispatcherConfig({ TARGETS_TABLE: tables.names.targets, PROBE_FUNCTION_NAME: 'certvigil-probe' }),
      targets: scripted.monitor.targets,
      lambda: new LambdaClient({ region: 'eu-west-1' }),
    });
    expect(await silent({ scope: 'digest' }, {} as Context)).toMatchObject({ digest: false, sent: 0 });
  });

  it('gathers every owner in one pass over the index, and refuses a digest of nobody', async () => {
    const all = await collectDigests(scripted.monitor.targets, new Date());
    expect(all.map((d) => d.owner)).toEqual(['payments', 'web', null]);
    expect(targetsOf(all[1] as Digest, 'expiring')).toEqual([ids['web-soon']]);
    const none = await scripted.get('/digest');
    expect(none.status).toBe(400);
    expect(none.json.detail).toMatch(/give owner=NAME, or unowned=true/);
    const quiet = (await scripted.get('/digest?owner=nobody')).json as Digest;
    expect([quiet.trouble.count, quiet.expiring.count]).toEqual([0, 0]);
  });
});
