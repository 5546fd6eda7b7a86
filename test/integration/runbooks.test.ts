// Issue 31: runbooks. With runbook events on, every event (and reminder, escalation,
// acknowledgement) also goes to EventBridge's default bus, source certvigil, detail-type the event,
// the detail naming the target, kind, owner, certificate, every location serving it (from the real
// inventory over DynamoDB Local) and its replacement. A put that fails leaves the event pending and
// sends nothing to the topic; the retry sends each once. EventBridge and SNS are mocked.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenEventView } from '../../lib/admin/open-events.ts';
import { type ProbeDependencies, probeTarget } from '../../lib/monitor/probe-target.ts';
import { EventBridgePublisher } from '../../lib/notify/eventbridge-publisher.ts';
import { MAX_LOCATIONS, type RunbookDetail, runbookDetail } from '../../lib/notify/runbook-event.ts';
import { SnsPublisher } from '../../lib/notify/sns-publisher.ts';
import type { CheckResult } from '../../lib/policy/check-result.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import type { CertificateItem } from '../../lib/store/certificate-item.ts';
import type { CertificateStore } from '../../lib/store/certificate-store.ts';
import { publishPending } from '../../lib/store/outbox.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { adminHandlerOver } from '../fixtures/admin.ts';
import { checkResult, DAY } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';
import { synthStack } from '../fixtures/synth.ts';

const events = mockClient(EventBridgeClient);
const sns = mockClient(SNSClient);
let tables: TestTables;
let monitor: ProbeDependencies;
let publisher: EventBridgePublisher;
const outcomes = new Map<string, CheckResult>();
let minute = 0;

const entries = () =>
  events.commandCalls(PutEventsCommand).map((c) => {
    const entry = c.args[0].input.Entries?.[0];
    return { ...entry, detail: JSON.parse(entry?.Detail ?? '{}') as RunbookDetail };
  });

async function add(name: string): Promise<Target> {
  const target = normalizeTarget({ host: `${name}.runbook.example`, owner: 'payments', tags: ['pci'] });
  await monitor.targets.putTarget(target, new Date());
  return target;
}

async function check(target: Target, spec: Partial<Parameters<typeof checkResult>[0]>): Promise<void> {
  minute++;
  outcomes.set(
    target.id,
    checkResult({ target: target.id, at: new Date(Date.now() + minute * 60_000).toISOString(), ...spec }),
  );
  await probeTarget(monitor, target).catch(() => undefined);
}

beforeAll(async () => {
  tables = await createTestTables();
  const base = testMonitor(tables, ALL_READERS);
  publisher = new EventBridgePublisher({
    inner: new SnsPublisher(new SNSClient({ region: 'eu-west-1' }), 'arn:aws:sns:eu-west-1:123456789012:certvigil'),
    client: new EventBridgeClient({ region: 'eu-west-1' }),
    bus: 'default',
    certificates: base.certificates as CertificateStore,
  });
  monitor = { ...base, publisher, check: async (t) => outcomes.get(t.id) as CheckResult };
}, 60_000);

afterAll(async () => {
  events.restore();
  sns.restore();
  await tables.drop();
});

beforeEach(() => {
  events.reset();
  sns.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('runbook events on EventBridge', () => {
  it('put each event on the default bus with its target, owner, certificate and every location serving it', async () => {
    const t = await add('served');
    const soon = new Date(Date.now() + 3 * DAY).toISOString();
    await check(t, {
      status: 'critical',
      fingerprint: 'AB:CD',
      notAfter: soon,
      daysLeft: 3,
      endpoints: [
        { address: '192.0.2.10', fingerprint: 'AB:CD' },
        { address: '192.0.2.11', fingerprint: 'AB:CD' },
      ],
    });
    const [entry] = entries();
    expect(entries()).toHaveLength(1);
    expect(entry).toMatchObject({ EventBusName: 'default', Source: 'certvigil', DetailType: 'entered-window' });
    expect(entry?.detail).toMatchObject({
      version: 1,
      event: 'entered-window',
      severity: 'critical',
      target: t.id,
      kind: 'tls',
      owner: 'payments',
      tags: ['pci'],
      certificate: { fingerprint256: 'AB:CD', notAfter: soon, daysLeft: 3 },
      locations: [
        { target: t.id, where: '192.0.2.10' },
        { target: t.id, where: '192.0.2.11' },
      ],
      locationCount: 2,
      replacement: null,
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);

    // Renewed: the news names the new certificate and the events it ends.
    await check(t, { status: 'ok', fingerprint: 'EF:01', notAfter: new Date(Date.now() + 80 * DAY).toISOString() });
    const renewed = entries().find((e) => e.DetailType === 'renewed');
    expect(renewed?.detail.certificate?.fingerprint256).toBe('EF:01');
    expect(renewed?.detail.resolves.length).toBeGreaterThan(0);
  });

  it('a refused put sends nothing to the topic and leaves the event pending; the retry sends each once', async () => {
    const t = await add('refused');
    events.reset();
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    await check(t, {
      status: 'expired',
      fingerprint: '01:02',
      notAfter: new Date(Date.now() - DAY).toISOString(),
      daysLeft: -1,
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(Object.keys((await monitor.targets.getTarget(t.id))?.pending ?? {})).toHaveLength(1);
    events.reset();
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    const sent = await publishPending({ ...monitor, claimLeaseMs: 0 }, t.id, () => new Date());
    expect(sent.map((e) => e.event)).toEqual(['expired']);
    expect(entries().map((e) => e.DetailType)).toEqual(['expired']);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect((await monitor.targets.getTarget(t.id))?.pending ?? {}).toEqual({});
  });

  it('puts acknowledgements too, saying who and when; the acknowledgement holds if the bus refuses', async () => {
    const t = await add('acked');
    await check(t, {
      status: 'critical',
      fingerprint: '0A:0B',
      notAfter: new Date(Date.now() + 2 * DAY).toISOString(),
      daysLeft: 2,
    });
    const handler = adminHandlerOver(monitor, { runbooks: publisher });
    const open = JSON.parse(((await handler(functionUrlEvent('GET', '/events?limit=100'))) as { body: string }).body)
      .items as OpenEventView[];
    const event = open.find((e) => e.target === t.id) as OpenEventView;
    events.reset();
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    const ack = (await handler(
      functionUrlEvent('POST', `/events/${event.id}/ack`, { body: JSON.stringify({ target: t.id, note: 'OPS-7' }) }),
    )) as { statusCode: number; body: string };
    expect(ack.statusCode).toBe(200);
    expect(JSON.parse(ack.body).runbookEvent).toBe('sent');
    const [entry] = entries();
    expect(entry).toMatchObject({ Source: 'certvigil', DetailType: 'acknowledged' });
    expect(entry?.detail).toMatchObject({
      id: event.id,
      event: 'entered-window',
      target: t.id,
      owner: 'payments',
      certificate: { fingerprint256: '0A:0B' },
      acknowledgement: { kind: 'ack', note: 'OPS-7' },
    });
    events.reset();
    events.on(PutEventsCommand).rejects(Object.assign(new Error('down'), { name: 'InternalException' }));
    const snooze = (await handler(
      functionUrlEvent('POST', `/events/${event.id}/snooze`, {
        body: JSON.stringify({ target: t.id, until: new Date(Date.now() + DAY).toISOString() }),
      }),
    )) as { statusCode: number; body: string };
    expect(snooze.statusCode).toBe(200);
    expect(JSON.parse(snooze.body)).toMatchObject({
      acknowledged: { kind: 'snooze' },
      runbookEvent: expect.stringMatching(/^not sent/),
    });
  });

  it('names the replacement the inventory knows, and bounds a detail: at most 50 locations of the longest ids, far under the 256 KiB of an entry', () => {
    const opened = decideTransition(undefined, checkResult({ status: 'critical', fingerprint: 'FF:FF' })).events[0];
    // The certificate store's item as it is stored.
    const item: CertificateItem = {
      fingerprint256: 'FF:FF',
      subject: 'CN=x',
      issuer: 'CN=ca',
      notBefore: null,
      notAfter: null,
      lifetimeDays: null,
      namesKey: null,
      firstSeen: '',
      lastSeen: '',
      replacedBy: 'EE:EE',
      locs: new Set(Array.from({ length: 300 }, (_, i) => `${'h'.repeat(2_000)}-${i}.example:443\t192.0.2.${i % 250}`)),
    };
    const detail = runbookDetail(opened as never, item);
    expect(detail.locations).toHaveLength(MAX_LOCATIONS);
    expect(detail.locationCount).toBe(300);
    expect(detail.replacement).toEqual({ fingerprint256: 'EE:EE' });
    expect(detail.locations[0]?.where).toMatch(/^192\.0\.2\.\d+$/);
    expect(Buffer.byteLength(JSON.stringify(detail))).toBeLessThan(256 * 1024 - 16 * 1024);
  });

  it('is opt-in in the stack, and the stack with it on has no unacknowledged cdk-nag finding', () => {
    const off = synthStack({}).template.toJSON();
    expect(JSON.stringify(off)).not.toContain('events:PutEvents');
    const on = synthStack({ certvigil: { runbookEvents: true } });
    expect(JSON.stringify(on.template.toJSON())).toContain('events:PutEvents');
    const report = new AwsSolutionsChecks(on.app).validateScope(on.stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  }, 240_000);
});
