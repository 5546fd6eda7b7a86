// The alert channels in the synthesized template: one function and one subscription per enabled
// channel, each with its own secret and failure destination, and filter policies that — applied
// to the attributes the real SNS publisher sets — let through what each channel should get.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertvigilStack } from '../../infra/certvigil-stack.ts';
import { CHANNELS } from '../../lib/notify/channels/index.ts';
import { testNotification } from '../../lib/notify/plain-notifications.ts';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { SnsPublisher } from '../../lib/notify/sns-publisher.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { synthStack } from '../fixtures/synth.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Attributes = Record<string, string>;

const ALL = ['slack', 'teams', 'pagerduty', 'webhook'];
let stack: CertvigilStack;
let template: Template;
let app: ReturnType<typeof synthStack>['app'];

beforeAll(() => {
  ({ app, stack, template } = synthStack({ certvigil: { channels: ALL } }));
}, 120_000);

function resources(t: Template, type: string): [string, Resource][] {
  return Object.entries(t.findResources(type)) as [string, Resource][];
}

/** The subscription of the channel's notifier, found through the function's CHANNEL variable. */
function subscriptionOf(t: Template, channel: string): Resource['Properties'] {
  const fn = resources(t, 'AWS::Lambda::Function').find(
    ([, f]) => (f.Properties.Environment as { Variables: Record<string, string> }).Variables.CHANNEL === channel,
  );
  if (!fn) throw new Error(`no ${channel} notifier`);
  const subscription = resources(t, 'AWS::SNS::Subscription').find(
    ([, s]) => JSON.stringify(s.Properties.Endpoint) === JSON.stringify({ 'Fn::GetAtt': [fn[0], 'Arn'] }),
  );
  if (!subscription) throw new Error(`no subscription for the ${channel} notifier`);
  return subscription[1].Properties;
}

/**
 * Amazon SNS's attribute-based filter policy, for the operators the stack uses: exact strings,
 * `exists`, and a top-level `$or` (docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html).
 */
function matches(policy: Record<string, unknown> | undefined, attributes: Attributes): boolean {
  if (!policy) return true;
  // A message without attributes matches no policy ("exists": false included, the docs say).
  if (Object.keys(attributes).length === 0) return false;
  return Object.entries(policy).every(([key, condition]) => {
    if (key === '$or') return (condition as Record<string, unknown>[]).some((branch) => matches(branch, attributes));
    return (condition as unknown[]).some((rule) => {
      if (typeof rule === 'string') return attributes[key] === rule;
      const exists = (rule as { exists?: boolean }).exists;
      if (exists !== undefined) return key in attributes === exists;
      throw new Error(`operator not modelled: ${JSON.stringify(rule)}`);
    });
  });
}

/** The message attributes the real SNS publisher sets for a notification. */
async function attributesOf(notification: ReturnType<typeof renderNotification>): Promise<Attributes> {
  const sns = mockClient(SNSClient);
  sns.on(PublishCommand).resolves({});
  await new SnsPublisher(new SNSClient({ region: 'eu-west-1' }), 'arn:aws:sns:eu-west-1:1:t').publishNotification(
    notification,
  );
  const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
  sns.restore();
  return Object.fromEntries(Object.entries(input?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
}

describe('alert channels', () => {
  it('the default stack has the Slack channel alone, unfiltered', () => {
    const { template: plain } = synthStack({});
    const notifiers = resources(plain, 'AWS::Lambda::Function').filter(
      ([, f]) => (f.Properties.Environment as { Variables: Record<string, string> }).Variables.CHANNEL,
    );
    expect(
      notifiers.map(([, f]) => (f.Properties.Environment as { Variables: { CHANNEL: string } }).Variables.CHANNEL),
    ).toEqual(['slack']);
    expect(subscriptionOf(plain, 'slack').FilterPolicy).toBeUndefined();
    expect(Object.keys(plain.toJSON().Outputs)).toContain('SlackSecretArn');
    expect(Object.keys(plain.toJSON().Outputs)).not.toContain('PagerdutySecretArn');
  });

  it('no channel: no notifier at all (email only)', () => {
    const { template: none } = synthStack({ certvigil: { channels: [] } });
    expect(resources(none, 'AWS::SNS::Subscription')).toEqual([]);
    expect(resources(none, 'AWS::SecretsManager::Secret')).toEqual([]);
  });

  it('one function, subscription, secret, output and failure destination per enabled channel', () => {
    const notifiers = resources(template, 'AWS::Lambda::Function').filter(
      ([, f]) => (f.Properties.Environment as { Variables: Record<string, string> }).Variables.CHANNEL,
    );
    expect(notifiers).toHaveLength(4);
    const secretsUsed = new Set<string>();
    for (const [id, fn] of notifiers) {
      const vars = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      secretsUsed.add(JSON.stringify(vars.CHANNEL_SECRET_ID));
      const invokeConfig = resources(template, 'AWS::Lambda::EventInvokeConfig').find(
        ([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: id }),
      );
      expect(invokeConfig?.[1].Properties).toMatchObject({
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
      });
    }
    expect(secretsUsed.size).toBe(4);
    for (const channel of ALL) expect(subscriptionOf(template, channel).Protocol).toBe('lambda');
    const outputs = Object.keys(template.toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining(['SlackSecretArn', 'TeamsSecretArn', 'PagerdutySecretArn', 'WebhookSecretArn']),
    );
    // The webhook's signing secret is generated by Secrets Manager; the operator adds the URL.
    const generated = resources(template, 'AWS::SecretsManager::Secret').filter(
      ([, s]) => s.Properties.GenerateSecretString,
    );
    expect(generated.map(([, s]) => s.Properties.GenerateSecretString)).toEqual([
      expect.objectContaining({ GenerateStringKey: 'secret', SecretStringTemplate: '{"url":""}', PasswordLength: 48 }),
    ]);
    expect(stack.alerts.channels.map((c) => c.name)).toEqual(ALL);
  });

  it('builds each channel of the registry from its module alone: function, secret, output, local variables', () => {
    expect(Object.keys(CHANNELS)).toEqual(ALL);
    const outputs = template.toJSON().Outputs as Record<string, { Description: string }>;
    const localDocs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'local-mode.md'), 'utf8');
    for (const channel of Object.values(CHANNELS)) {
      const { deploy } = channel;
      const [, fn] = resources(template, 'AWS::Lambda::Function').find(([id]) => id.includes(deploy.functionId)) ?? [];
      expect(fn?.Properties, channel.name).toMatchObject({
        Description: `certvigil: delivers alerts to ${channel.title}`,
        Environment: { Variables: { CHANNEL: channel.name } },
      });
      expect(outputs[deploy.secretOutput]?.Description, channel.name).toBe(
        `Secret for the ${deploy.holds}: aws secretsmanager put-secret-value --secret-id <this> --secret-string ${deploy.secretValue}`,
      );
      for (const variable of channel.env) expect(localDocs, variable).toContain(`\`${variable}\``);
    }
    const unique = (values: string[]) => new Set(values).size === values.length;
    const all = Object.values(CHANNELS);
    expect(unique(all.map((c) => c.deploy.functionId))).toBe(true);
    expect(unique(all.map((c) => c.deploy.secretId))).toBe(true);
    expect(unique(all.map((c) => c.deploy.secretOutput))).toBe(true);
    expect(unique(all.flatMap((c) => [...c.env]))).toBe(true);
  });

  it('has no cdk-nag AwsSolutions finding that is not acknowledged, with every channel', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('filters by the SNS attributes the publisher really sets: PagerDuty gets critical, what resolves it, tests and alarms', async () => {
    const pagerduty = subscriptionOf(template, 'pagerduty').FilterPolicy as Record<string, unknown>;
    expect(pagerduty).toBeDefined();
    const warned = decideTransition(undefined, checkResult({ status: 'warning', fingerprint: 'F1' }));
    const worse = decideTransition(
      warned.state,
      checkResult({ status: 'critical', fingerprint: 'F1', at: '2026-06-02T00:00:00.000Z' }),
    );
    const renewed = decideTransition(
      worse.state,
      checkResult({ fingerprint: 'F2', notAfter: '2027-01-01T00:00:00.000Z', at: '2026-06-03T00:00:00.000Z' }),
    );
    const quietRenewal = decideTransition(
      decideTransition(undefined, checkResult({ fingerprint: 'F1' })).state,
      checkResult({ fingerprint: 'F2', notAfter: '2027-01-01T00:00:00.000Z', at: '2026-06-03T00:00:00.000Z' }),
    );
    const cases: [string, Attributes, boolean][] = [
      ['warning', await attributesOf(renderNotification(warned.events[0] as never)), false],
      ['critical', await attributesOf(renderNotification(worse.events[0] as never)), true],
      ['renewed, resolving critical', await attributesOf(renderNotification(renewed.events[0] as never)), true],
      ['renewed, resolving nothing', await attributesOf(renderNotification(quietRenewal.events[0] as never)), false],
      ['test notification', await attributesOf(testNotification({ id: 't', at: new Date() })), true],
      ['CloudWatch alarm (no attributes: the alarm topic brings it)', {}, false],
    ];
    expect(cases.map(([name, attributes]) => [name, matches(pagerduty, attributes)])).toEqual(
      cases.map(([name, , expected]) => [name, expected]),
    );
    // The renewal that resolves carries the attribute; one that resolves nothing does not.
    expect(cases[2]?.[1].resolves).toBe('1');
    expect(cases[3]?.[1]).not.toHaveProperty('resolves');
    // Unfiltered channels get everything.
    for (const channel of ['slack', 'teams', 'webhook']) {
      expect(subscriptionOf(template, channel).FilterPolicy).toBeUndefined();
    }
  });

  it('routes by owner: each owner route and owner-filtered channel gets its owners, the default route the unowned', async () => {
    const { template: routed } = synthStack({
      certvigil: {
        channels: ['slack'],
        alertEmails: ['ops@example.com'],
        ownerEmails: {
          payments: ['pay@example.com', 'lead@example.com'],
          web: ['lead@example.com', 'ops@example.com'],
        },
        unownedEmails: ['triage@example.com'],
        channelFilters: { slack: { owners: ['web'], unowned: true } },
      },
    });
    const emails = resources(routed, 'AWS::SNS::Subscription').filter(([, r]) => r.Properties.Protocol === 'email');
    const policyOf = (address: string) =>
      emails.find(([, r]) => r.Properties.Endpoint === address)?.[1].Properties.FilterPolicy as
        | Record<string, unknown>
        | undefined;
    // One subscription per address (SNS keeps one): ops gets everything, lead both owners.
    expect(emails.map(([, r]) => r.Properties.Endpoint).sort()).toEqual(
      ['lead@example.com', 'ops@example.com', 'pay@example.com', 'triage@example.com'].sort(),
    );
    const event = (owner?: string) => {
      const base = decideTransition(undefined, checkResult({ status: 'critical', fingerprint: 'F9' })).events[0];
      return renderNotification({ ...(base as NonNullable<typeof base>), ...(owner ? { owner } : {}), tags: ['edge'] });
    };
    const notes: [string, Attributes][] = [
      ['payments', await attributesOf(event('payments'))],
      ['web', await attributesOf(event('web'))],
      ['unowned', await attributesOf(event())],
      ['alarm', {}],
    ];
    expect(notes[0]?.[1]).toMatchObject({ owner: 'payments', tags: '["edge"]' });
    expect(notes[2]?.[1]).not.toHaveProperty('owner');
    const receives = (policy: Record<string, unknown> | undefined) =>
      notes.filter(([, attributes]) => matches(policy, attributes)).map(([name]) => name);
    expect(policyOf('ops@example.com')).toBeUndefined();
    expect(receives(policyOf('pay@example.com'))).toEqual(['payments']);
    expect(receives(policyOf('lead@example.com'))).toEqual(['payments', 'web']);
    expect(receives(policyOf('triage@example.com'))).toEqual(['unowned']);
    expect(receives(subscriptionOf(routed, 'slack').FilterPolicy as Record<string, unknown>)).toEqual([
      'web',
      'unowned',
    ]);
  });

  it("certvigil's own alarms reach every channel once: unfiltered ones on the alert topic, filtered ones on the alarm topic", () => {
    const topics = resources(template, 'AWS::SNS::Topic').map(([id]) => id);
    expect(topics).toHaveLength(2);
    const alarmTopic = topics.find((id) => id.startsWith('AlertsAlarmTopic')) as string;
    const alertTopic = topics.find((id) => id !== alarmTopic) as string;
    for (const [, alarm] of resources(template, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: alertTopic }, { Ref: alarmTopic }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: alertTopic }, { Ref: alarmTopic }]);
    }
    const onAlarmTopic = resources(template, 'AWS::SNS::Subscription').filter(
      ([, sub]) => JSON.stringify(sub.Properties.TopicArn) === JSON.stringify({ Ref: alarmTopic }),
    );
    // PagerDuty alone is filtered (the default filter): it alone listens there, unfiltered.
    expect(onAlarmTopic).toHaveLength(1);
    expect(onAlarmTopic[0]?.[1].Properties.FilterPolicy).toBeUndefined();
    expect(JSON.stringify(onAlarmTopic[0]?.[1].Properties.Endpoint)).toBe(
      JSON.stringify(subscriptionOf(template, 'pagerduty').Endpoint),
    );
    expect(JSON.stringify(subscriptionOf(template, 'pagerduty').TopicArn)).toBe(JSON.stringify({ Ref: alertTopic }));
    // Without a filtered channel there is no second topic.
    const { template: plain } = synthStack({});
    expect(resources(plain, 'AWS::SNS::Topic')).toHaveLength(1);
  });

  it('a chat channel filtered to critical gets no info news, even news that resolves something', async () => {
    const { template: filtered } = synthStack({
      certvigil: { channels: ['slack'], channelFilters: { slack: { severities: ['critical'], events: ['expired'] } } },
    });
    const policy = subscriptionOf(filtered, 'slack').FilterPolicy as Record<string, unknown>;
    const expired = decideTransition(undefined, checkResult({ status: 'expired' })).events[0];
    const window = decideTransition(undefined, checkResult({ status: 'critical' })).events[0];
    expect(matches(policy, await attributesOf(renderNotification(expired as never)))).toBe(true);
    expect(matches(policy, await attributesOf(renderNotification(window as never)))).toBe(false);
    expect(matches(policy, { severity: 'info', event: 'renewed', resolves: '1', target: 'x' })).toBe(false);
    expect(matches(policy, { severity: 'info', event: 'test', target: 'certvigil-test' })).toBe(true);
  });

  it('takes channelFilters as JSON on the command line', () => {
    const { template: t } = synthStack({
      certvigil: { channels: ['teams'] },
      'certvigil:channelFilters': '{"teams":{"severities":["warning","critical"]}}',
    });
    expect(JSON.stringify(subscriptionOf(t, 'teams').FilterPolicy)).toContain('"severity":["warning","critical"]');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown channel', { channels: ['opsgenie'] }, /channels\.0/],
    ['a channel twice', { channels: ['slack', 'slack'] }, /lists a channel twice/],
    ['a filter on an unknown channel', { channelFilters: { email: { severities: ['info'] } } }, /channelFilters/],
    [
      'an unknown severity',
      { channelFilters: { slack: { severities: ['fatal'] } } },
      /channelFilters\.slack\.severities/,
    ],
    ['an unknown event', { channelFilters: { slack: { events: ['exploded'] } } }, /channelFilters\.slack\.events/],
    ['an empty filter list', { channelFilters: { slack: { events: [] } } }, /channelFilters\.slack\.events/],
    [
      'a KMS key without its secret',
      { teamsSecretKmsKey: 'arn:aws:kms:eu-west-1:111111111111:key/k' },
      /teamsSecretKmsKey goes with teamsSecret/,
    ],
  ])('refuses %s', (_name, settings, message) => {
    expect(() => synthStack({ certvigil: settings })).toThrow(message);
  });
});
