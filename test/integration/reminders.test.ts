// Issue 31: an open event nobody acknowledged is said again once per period (critical daily,
// warning weekly) and escalated once when critical for 48 h, each exactly once whatever concurrent
// checks run; an acknowledgement silences it until renewal, a snooze until its date. DynamoDB Local,
// the real probe and outbox, SNS mocked (what would be published), a fixed clock.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../lib/notify/render-message.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';

const HOUR = 3_600_000;
const sns = mockClient(SNSClient);
let tables: TestTables;
let scripted: ScriptedMonitor;
let clock = new Date('2026-12-07T08:00:00Z');
const start = clock.getTime();
const at = (hours: number) => {
  clock = new Date(start + hours * HOUR);
};

/** What was published for `target` since the mock was reset: event, subject, text. */
function published(target: Target): Notification[] {
  return sns
    .commandCalls(PublishCommand)
    .map((c) => JSON.parse(JSON.parse(c.args[0].input.Message as string).lambda) as Notification)
    .filter((n) => n.target === target.id);
}

async function add(name: string, owner?: string): Promise<Target> {
  const target = normalizeTarget({
    host: `${name}.remind.example`,
    ...(owner ? { owner, tags: ['edge', 'pci'] } : {}),
  });
  await scripted.monitor.targets.putTarget(target, new Date());
  return target;
}

beforeAll(async () => {
  tables = await createTestTables();
  scripted = scriptedMonitor(tables, { now: () => clock });
});

afterAll(async () => {
  await tables.drop();
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  at(0);
});

describe('reminders and escalation', () => {
  it('reminds of a warning weekly, once per week whatever checks run, and says how long it waited', async () => {
    const t = await add('weekly', 'payments');
    await scripted.check(t, 'warning', 20, 'W1');
    expect(published(t).map((n) => n.event)).toEqual(['entered-window']);
    // Routed by its target's owner and tags (SNS attributes `owner`, `tags`).
    expect(published(t)[0]).toMatchObject({ owner: 'payments', tags: ['edge', 'pci'] });
    const attributes = sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes;
    expect(attributes?.owner).toEqual({ DataType: 'String', StringValue: 'payments' });
    expect(attributes?.tags).toEqual({ DataType: 'String.Array', StringValue: '["edge","pci"]' });
    at(6 * 24);
    await scripted.check(t, 'warning', 20, 'W1');
    expect(published(t)).toHaveLength(1);
    at(7 * 24 + 1);
    await Promise.all([1, 2, 3, 4].map(() => scripted.check(t, 'warning', 20, 'W1')));
    await scripted.check(t, 'warning', 20, 'W1');
    const reminders = published(t).filter((n) => n.event === 'reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.subject).toMatch(
      /^\[certvigil\] WARNING weekly\.remind\.example:443: reminder 1: certificate expires/,
    );
    expect(reminders[0]?.text).toMatch(
      /^reminder 1: certificate expires in .*, unacknowledged for 7 days, \d+ days left\./,
    );
    expect(reminders[0]?.reminderOf).toBe(published(t)[0]?.id);
    expect(reminders[0]?.owner).toBe('payments');
    at(14 * 24 + 2);
    await scripted.check(t, 'warning', 20, 'W1');
    expect(
      published(t)
        .filter((n) => n.event === 'reminder')
        .map((n) => n.subject.match(/reminder \d/)?.[0]),
    ).toEqual(['reminder 1', 'reminder 2']);
  });

  it('reminds of a critical event daily and escalates it once after 48 hours', async () => {
    const t = await add('daily');
    await scripted.check(t, 'critical', 3, 'C1');
    for (const hours of [12, 25, 26, 49, 50, 73]) {
      at(hours);
      await Promise.all([scripted.check(t, 'critical', 3, 'C1'), scripted.check(t, 'critical', 3, 'C1')]);
    }
    const said = published(t).map((n) => [n.event, n.subject.match(/reminder \d|escalated/)?.[0] ?? '']);
    expect(said).toEqual([
      ['entered-window', ''],
      ['reminder', 'reminder 1'],
      ['reminder', 'reminder 2'],
      ['escalation', 'escalated'],
      ['reminder', 'reminder 3'],
    ]);
    const escalation = published(t).find((n) => n.event === 'escalation');
    expect(escalation?.text).toMatch(/^escalated: .*unacknowledged for 2 days/);
  });

  it('stays quiet while acknowledged, and after a snooze counts again from its end', async () => {
    const t = await add('quiet');
    await scripted.check(t, 'critical', 5, 'Q1');
    const [event] =
      (
        await scripted.monitor.targets.acks.record(t.id, published(t)[0]?.id as string, {
          kind: 'snooze',
          by: 'test',
          at: clock.toISOString(),
          until: new Date(start + 60 * HOUR).toISOString(),
        })
      ).outcome === 'recorded'
        ? [published(t)[0]]
        : [];
    expect(event).toBeDefined();
    for (const hours of [25, 49, 59]) {
      at(hours);
      await scripted.check(t, 'critical', 5, 'Q1');
    }
    expect(published(t).map((n) => n.event)).toEqual(['entered-window']);
    // The snooze ended at 60 h: a reminder 24 h later, an escalation 48 h later.
    at(61);
    await scripted.check(t, 'critical', 5, 'Q1');
    expect(published(t)).toHaveLength(1);
    at(85);
    await scripted.check(t, 'critical', 5, 'Q1');
    expect(published(t).map((n) => n.event)).toEqual(['entered-window', 'reminder']);
    // It says whose snooze ran out, and when.
    expect(published(t)[1]?.text).toMatch(
      /^reminder 1: .*, unacknowledged for 1 day \(snoozed by test until 2026-12-09 20:00 UTC\), 5 days left\./,
    );
    // Acknowledged until renewed: nothing more, however long it lasts.
    await scripted.monitor.targets.acks.record(t.id, event?.id as string, {
      kind: 'ack',
      by: 'test',
      at: clock.toISOString(),
    });
    for (const hours of [110, 134, 200]) {
      at(hours);
      await scripted.check(t, 'critical', 5, 'Q1');
    }
    expect(published(t).map((n) => n.event)).toEqual(['entered-window', 'reminder']);
  });

  it('ends with the condition: a renewed certificate is not reminded of', async () => {
    const t = await add('renewed');
    await scripted.check(t, 'critical', 2, 'R1');
    at(30);
    await scripted.check(t, 'ok', 90, 'R2');
    at(80);
    await scripted.check(t, 'ok', 90, 'R2');
    expect(published(t).map((n) => n.event)).toEqual(['entered-window', 'renewed']);
  });
});
