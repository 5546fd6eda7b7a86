import type { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertvigilStack } from '../../infra/certvigil-stack.ts';
import { noDispatchWindow } from '../../infra/constructs/monitoring.ts';
import { discoveryConfig } from '../../lib/config.ts';
import { longestGapMs } from '../../lib/dispatch/schedule-period.ts';
import { synthStack } from '../fixtures/synth.ts';

let app: App;
let stack: CertvigilStack;
let template: Template;

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

function resources(type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as Parameters<typeof stack.getLogicalId>[0]);
}

beforeAll(() => {
  ({ app, stack, template } = synthStack({ certvigil: { alertEmails: ['ops@example.com', 'sre@example.com'] } }));
}, 120_000);

describe('the certvigil stack', () => {
  it('has no cdk-nag AwsSolutions finding that is not acknowledged', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('runs every function on Node.js 24, arm64, with its own log group kept 30 days', () => {
    const functions = resources('AWS::Lambda::Function');
    expect(functions).toHaveLength(8);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogGroup: expect.anything() },
      });
      expect((fn.Properties.Environment as { Variables: Record<string, string> }).Variables.NODE_OPTIONS).toBe(
        '--enable-source-maps',
      );
    }
    for (const [, group] of resources('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('serves the admin API from a function URL with AWS_IAM auth, and outputs it with the CLI command', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(stack.adminApi.admin), 'Arn'] },
    });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['AdminUrl', 'CliCommand']));
    expect(JSON.stringify(outputs.CliCommand?.Value)).toContain('npx certvigil targets list');
  });

  it('grants no wildcard actions to any role', () => {
    for (const [id, policy] of resources('AWS::IAM::Policy')) {
      const statements = (
        policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Effect: string }[] }
      ).Statement;
      for (const statement of statements) {
        for (const action of ([] as string[]).concat(statement.Action)) {
          expect(action, `${id} grants ${action}`).not.toBe('*');
          expect(action, `${id} grants ${action}`).not.toMatch(/:\*$/);
        }
      }
    }
    expect(resources('AWS::IAM::Role').every(([, role]) => role.Properties.ManagedPolicyArns === undefined)).toBe(true);
  });

  it('gives each function only the table actions it needs', () => {
    const actionsOf = (fn: { role?: unknown }) => {
      const roleId = stack.getLogicalId((fn.role as { node: { defaultChild: never } }).node.defaultChild);
      return resources('AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))
        .flatMap(([, p]) =>
          (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap(
            (s) => s.Action,
          ),
        )
        .filter((a) => a.startsWith('dynamodb:'))
        .sort();
    };
    // Targets: get, update; history: put; certificates (the inventory): get, update; summary: update;
    // the directory: query (the maintenance windows).
    const probeActions = [
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
    ];
    expect(actionsOf(stack.probes.probe)).toEqual(probeActions);
    expect(actionsOf(stack.probes.documents)).toEqual(probeActions);
    expect(actionsOf(stack.probes.account)).toEqual(probeActions);
    // Rounds scan and query the targets; the daily recount relists items (UpdateItem, conditional)
    // and reads, repairs and records the summary's counters, and lists again certificates missing
    // from their index (Scan, UpdateItem on the certificates table).
    expect(actionsOf(stack.dispatch.dispatcher)).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actionsOf(stack.alerts.notifier('slack') as never)).toEqual([]);
  });

  it('retries failed probe invocations and sends those that keep failing to the encrypted failure queue', () => {
    const queueId = Object.keys(template.findResources('AWS::SQS::Queue'))[0] as string;
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack.probes.probe) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Environment: { Variables: Match.objectLike({ TARGETS_TABLE: Match.anyValue(), ALLOW_PRIVATE_TARGETS: 'false' }) },
    });
    // Reserved concurrency is opt-in: reserving any fails the deploy on accounts with a small quota.
    for (const [, fn] of resources('AWS::Lambda::Function')) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('keeps the five tables (targets, history, certificates, summary, directory) on stack deletion, with point-in-time recovery, encryption and TTL on history', () => {
    const tables = resources('AWS::DynamoDB::GlobalTable');
    expect(tables).toHaveLength(5);
    for (const [, table] of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      });
      const replica = (table.Properties.Replicas as Record<string, unknown>[])[0];
      expect(replica).toMatchObject({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    }
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'target', KeyType: 'HASH' },
        { AttributeName: 'checkedAt', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('indexes the targets for pages: the lists index projects what the filters read, and the table has two indexes', () => {
    // CloudFormation creates or deletes one index per table per deployment: an upgrade from the
    // release before issue 30 (due-soon alone) adds exactly this one.
    const targets = resources('AWS::DynamoDB::GlobalTable').find(([id]) => id.startsWith('StoreTargets'));
    const indexes = (targets?.[1].Properties.GlobalSecondaryIndexes ?? []) as Record<string, unknown>[];
    expect(indexes.map((i) => i.IndexName)).toEqual(['due-soon', 'lists']);
    expect(indexes[1]).toMatchObject({
      KeySchema: [
        { AttributeName: 'listStatus', KeyType: 'HASH' },
        { AttributeName: 'listExpiry', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['owner', 'kind', 'tags', 'enabled', 'openSeverity'] },
    });
  });

  it('encrypts the alert topic, enforces TLS, subscribes the emails and the notifier', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const subscriptions = resources('AWS::SNS::Subscription').map(([, s]) => [
      s.Properties.Protocol,
      s.Properties.Endpoint,
    ]);
    expect(subscriptions).toEqual(
      expect.arrayContaining([
        ['email', 'ops@example.com'],
        ['email', 'sre@example.com'],
        ['lambda', { 'Fn::GetAtt': [logicalId(stack.alerts.notifier('slack') as never), 'Arn'] }],
      ]),
    );
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('creates the Slack secret empty when none is named, and uses a named one instead', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: '{}' });
    const named = synthStack({ certvigil: { slackSecret: 'team/slack-webhook' } }).template;
    named.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(named.toJSON())).toContain('secret:team/slack-webhook');
  });

  it('retries a failed dispatch round once, then records it in the failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack.dispatch.dispatcher) },
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('outputs a caller policy with both actions a function URL caller needs', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'],
            Resource: { 'Fn::GetAtt': [logicalId(stack.adminApi.admin), 'Arn'] },
          }),
        ],
      },
    });
    const outputs = template.toJSON().Outputs as Record<string, { Description: string }>;
    expect(outputs.AdminCallerPolicyArn).toBeDefined();
    expect(outputs.CliCommand?.Description).toContain('lambda:InvokeFunction');
  });

  it('schedules the dispatcher with EventBridge Scheduler, retries, and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: {
        Arn: { 'Fn::GetAtt': [logicalId(stack.dispatch.dispatcher), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3 },
        DeadLetterConfig: { Arn: Match.anyValue() },
      },
    });
  });

  it('alarms on dispatcher errors, probe errors, the failure queue, a missing round and discovery problems, to the topic', () => {
    const alarms = resources('AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(5);
    const topicRef = { Ref: logicalId(stack.alerts.topic) };
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocations',
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      Period: 3600,
      TreatMissingData: 'breaching',
    });
    // The dashboard is opt-in ($3 a month): the alarms do not need it.
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    synthStack({ certvigil: { dashboard: true } }).template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('counts failed probe runs from the probe itself too, so queue-mode failures raise the alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: 'MAX([FILL(errors, 0) + FILL(documentErrors, 0) + FILL(accountErrors, 0), FILL(failed, 0)])',
        }),
        Match.objectLike({
          Id: 'failed',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'probeFailed', Namespace: 'certvigil' }),
          }),
        }),
      ]),
    });
  });

  it('matches the snapshot (asset hashes stripped)', () => {
    const text = JSON.stringify(template.toJSON(), null, 1).replace(/[0-9a-f]{64}/g, '<hash>');
    expect(text).toMatchSnapshot();
  });
});

describe('action links (issue 31, opt-in)', () => {
  let linked: ReturnType<typeof synthStack>;
  beforeAll(() => {
    linked = synthStack({ certvigil: { actionLinks: true, runbookEvents: true, actionLinkDays: 3 } });
  }, 120_000);

  it('has no unacknowledged cdk-nag finding', () => {
    const report = new AwsSolutionsChecks(linked.app).validateScope(linked.stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('serves the action function from a public function URL, and only it', () => {
    const t = linked.template;
    const actionsId = linked.stack.getLogicalId(linked.stack.actionLinks?.fn.node.defaultChild as never);
    t.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [actionsId, 'Arn'] },
    });
    const urls = Object.values(t.findResources('AWS::Lambda::Url')).map((u) => u.Properties.AuthType);
    expect(urls.sort()).toEqual(['AWS_IAM', 'NONE']);
    // Anyone may call it through its URL (and only through it), as a public URL needs.
    const permissions = Object.values(t.findResources('AWS::Lambda::Permission'))
      .map((p) => p.Properties)
      .filter((p) => p.Principal === '*');
    expect(permissions).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunctionUrl',
        FunctionUrlAuthType: 'NONE',
        FunctionName: { 'Fn::GetAtt': [actionsId, 'Arn'] },
      }),
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        InvokedViaFunctionUrl: true,
        FunctionName: { 'Fn::GetAtt': [actionsId, 'Arn'] },
      }),
    ]);
    expect(Object.keys(t.toJSON().Outputs)).toContain('ActionLinksUrl');
  });

  it('tells the functions that announce open events where the links go, and how long they work', () => {
    const env = (fn: { node: { defaultChild?: unknown } }) =>
      linked.template.toJSON().Resources[linked.stack.getLogicalId(fn.node.defaultChild as never)].Properties
        .Environment.Variables as Record<string, unknown>;
    for (const fn of [
      linked.stack.probes.probe,
      linked.stack.probes.documents,
      linked.stack.probes.account,
      linked.stack.adminApi.admin,
    ]) {
      expect(env(fn)).toMatchObject({
        ACTION_LINKS_URL: expect.anything(),
        ACTION_KEY_SECRET: expect.anything(),
        ACTION_LINK_DAYS: '3',
      });
    }
    expect(env(linked.stack.discovery.fn).ACTION_LINKS_URL).toBeUndefined();
    const defaultProbe = template.toJSON().Resources[stack.getLogicalId(stack.probes.probe.node.defaultChild as never)];
    expect(defaultProbe.Properties.Environment.Variables.ACTION_LINKS_URL).toBeUndefined();
    expect(stack.actionLinks).toBeUndefined();
  });
});

describe('queue mode (the scale path)', () => {
  let queued: ReturnType<typeof synthStack>;
  beforeAll(() => {
    queued = synthStack({ 'certvigil:dispatchMode': 'queue', 'certvigil:probeConcurrency': '50' });
  }, 120_000);

  it('has no unacknowledged cdk-nag finding either', () => {
    const report = new AwsSolutionsChecks(queued.app).validateScope(queued.stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('feeds the probe from an encrypted queue one message at a time, at most probeConcurrency at once', () => {
    const t = queued.template;
    const probeId = queued.stack.getLogicalId(queued.stack.probes.probe.node.defaultChild as never);
    const queueId = queued.stack.getLogicalId(queued.stack.probes.queue?.node.defaultChild as never);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: probeId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 50 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    t.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 360,
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: Match.anyValue() },
    });
  });

  it('lets the dispatcher send to the queue instead of invoking the probe', () => {
    const t = queued.template;
    const dispatcherId = queued.stack.getLogicalId(queued.stack.dispatch.dispatcher.node.defaultChild as never);
    const dispatcher = t.toJSON().Resources[dispatcherId];
    expect(Object.keys(dispatcher.Properties.Environment.Variables)).toEqual(
      expect.arrayContaining(['PROBE_QUEUE_URL']),
    );
    expect(dispatcher.Properties.Environment.Variables.PROBE_FUNCTION_NAME).toBeUndefined();
    const text = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(text).toContain('sqs:SendMessage');
    expect(text).not.toMatch(/"lambda:InvokeFunction"[^\]]*ProbesProbe/);
  });
});

describe('deployment settings', () => {
  it.each([
    ['rate(15 minutes)', 15 * 60],
    ['rate(1 day)', 24 * 3600],
    ['cron(0 * * * ? *)', 3600],
    ['cron(0/10 * * * ? *)', 600],
    ['cron(0 6 * * ? *)', 24 * 3600],
    ['cron(0 8,20 * * ? *)', 12 * 3600],
    ['cron(0 9 ? * MON-FRI *)', 3 * 24 * 3600],
    ['cron(30 2 ? * 2-6 *)', 3 * 24 * 3600],
    ['cron(0 0 L * ? *)', 31 * 24 * 3600],
    ['cron(0 0 ? * 6#3 *)', 35 * 24 * 3600],
  ])('knows the longest gap of %s', (expression, seconds) => {
    expect(longestGapMs(expression) / 1000).toBe(seconds);
  });

  it('watches for a missing round over twice the longest gap, within CloudWatch limits', () => {
    expect(noDispatchWindow('rate(15 minutes)')).toMatchObject({ evaluationPeriods: 2 });
    expect(noDispatchWindow('rate(15 minutes)').period.toSeconds()).toBe(900);
    expect(noDispatchWindow('cron(0 6 * * ? *)').period.toSeconds()).toBe(3600);
    expect(noDispatchWindow('cron(0 6 * * ? *)').evaluationPeriods).toBe(48);
    // Weekdays only: the weekend gap is three days, so six days of silence before it fires.
    expect(noDispatchWindow('cron(0 9 ? * MON-FRI *)').evaluationPeriods).toBe(144);
    const { template: t } = synthStack({ certvigil: { schedule: 'cron(0 6 * * ? *)' } });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocations',
      Period: 3600,
      EvaluationPeriods: 48,
      DatapointsToAlarm: 48,
    });
  });

  it('reserves probe concurrency only when asked', () => {
    const { template: t } = synthStack({ certvigil: { probeReservedConcurrency: 30 } });
    t.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 30 });
  });

  it('takes settings from context, command-line strings included', () => {
    const { template: t } = synthStack({
      'certvigil:probeReservedConcurrency': '7',
      'certvigil:allowPrivateTargets': 'true',
      'certvigil:dataRemovalPolicy': 'destroy',
      'certvigil:schedule': 'rate(30 minutes)',
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 7,
      Environment: { Variables: Match.objectLike({ ALLOW_PRIVATE_TARGETS: 'true' }) },
    });
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(30 minutes)' });
    expect(
      Object.values(t.findResources('AWS::DynamoDB::GlobalTable')).every((r) => r.DeletionPolicy === 'Delete'),
    ).toBe(true);
  });

  it('runs a frequent round over the targets in trouble, from the due-soon index, every troubleCheckMinutes', () => {
    const dispatcher = logicalId(stack.dispatch.dispatcher);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [dispatcher, 'Arn'] }, Input: '{"scope":"soon"}' }),
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'due-soon',
          KeySchema: [
            { AttributeName: 'dueSoon', KeyType: 'HASH' },
            { AttributeName: 'nextCheckAt', KeyType: 'RANGE' },
          ],
        }),
      ]),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ WARNING_CHECK_MINUTES: '360', TROUBLE_CHECK_MINUTES: '15' }) },
    });
    // An hourly (or slower) trouble cadence needs no frequent round.
    const { template: t } = synthStack({ certvigil: { troubleCheckMinutes: 60 } });
    // dispatch, recount, digest, discovery
    expect(Object.keys(t.findResources('AWS::Scheduler::Schedule'))).toHaveLength(4);
  });

  it("sends each owner's weekly digest on Monday at 08:00 UTC, and never with an empty digestSchedule", () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 8 ? * MON *)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId(stack.dispatch.dispatcher), 'Arn'] },
        Input: JSON.stringify({ scope: 'digest' }),
      }),
    });
    const { stack: quiet } = synthStack({ certvigil: { digestSchedule: '' } });
    expect(quiet.dispatch.digestSchedule).toBeUndefined();
    expect(() => synthStack({ certvigil: { digestSchedule: 'every monday' } })).toThrow(/digestSchedule/);
  });

  it('runs discovery daily in the stack region by default, with what it needs to find its account', () => {
    const discovery = logicalId(stack.discovery.fn);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [discovery, 'Arn'] } }),
    });
    const env = (
      template.toJSON().Resources[discovery].Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(env).toMatchObject({
      DISCOVERY_REGIONS: { Ref: 'AWS::Region' },
      HOME_ACCOUNT: { Ref: 'AWS::AccountId' },
      AWS_SOURCE_TAG: 'certvigil',
    });
    expect(env.ACCOUNT_ROLE_ARNS).toBeUndefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(errors, 0) + FILL(problems, 0)' }),
        Match.objectLike({
          Id: 'problems',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'discoveryProblems' }) }),
        }),
      ]),
    });
    // The admin API knows which function to run for POST /discover.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DISCOVERY_FUNCTION_NAME: { Ref: discovery } }) },
    });
  });

  it('discovers in the regions and member accounts it is given, and only on demand without a schedule', () => {
    const role = 'arn:aws:iam::222222222222:role/certvigil-read';
    const { stack: s, template: t } = synthStack({
      certvigil: { discoveryRegions: ['eu-west-1', 'us-east-1'], accountRoleArns: [role], discoverySchedule: '' },
    });
    const discovery = s.getLogicalId(s.discovery.fn.node.defaultChild as never);
    const env = (t.toJSON().Resources[discovery].Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env).toMatchObject({ DISCOVERY_REGIONS: 'eu-west-1,us-east-1', ACCOUNT_ROLE_ARNS: role });
    // Only the dispatcher's schedules are left (the hourly round, the frequent one, the recount, the digest).
    t.resourceCountIs('AWS::Scheduler::Schedule', 4);
    // The account function reads member accounts' sources through the same roles.
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ACCOUNT_ROLE_ARNS: role, ACCOUNT_FUNCTION_NAME: Match.absent() }) },
    });
  });

  it('watches Certificate Transparency only for the ctDomains it is given, with the discovery function settings the run reads', () => {
    const envOf = (context: Record<string, unknown>) => {
      const { stack: s, template: t } = synthStack(context);
      const discovery = s.getLogicalId(s.discovery.fn.node.defaultChild as never);
      return (t.toJSON().Resources[discovery].Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
    };
    // The default stack (synthesized once for this file) watches no CT domain.
    expect(JSON.stringify(template.toJSON())).not.toContain('CT_DOMAINS');
    const env = envOf({
      certvigil: {
        ctDomains: ['example.com', 'example.org'],
        ctIssuers: ["Let's Encrypt", 'DigiCert, Inc.'],
        ctProvider: 'crtsh',
        ctMaxPerRun: 250,
      },
    });
    expect(env).toMatchObject({
      CT_DOMAINS: 'example.com,example.org',
      CT_PROVIDER: 'crtsh',
      CT_MAX_PER_RUN: '250',
      CT_ISSUERS: JSON.stringify(["Let's Encrypt", 'DigiCert, Inc.']),
      CERTIFICATES_TABLE: expect.anything(),
    });
    // What the function reads back (lib/config.ts): the same settings, commas in names intact.
    const config = discoveryConfig({
      TARGETS_TABLE: 't',
      TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:t',
      CT_DOMAINS: String(env.CT_DOMAINS),
      CT_ISSUERS: String(env.CT_ISSUERS),
      CT_PROVIDER: 'crtsh',
      CT_MAX_PER_RUN: String(env.CT_MAX_PER_RUN),
      CERTIFICATES_TABLE: 'c',
    });
    expect(config.ct).toEqual({
      domains: ['example.com', 'example.org'],
      issuers: ["Let's Encrypt", 'DigiCert, Inc.'],
      provider: 'crtsh',
      enrol: 'auto',
      maxPerRun: 250,
      tokenSecret: undefined,
      certificatesTable: 'c',
    });
    // On the command line: a comma list, or JSON when a name holds a comma.
    expect(
      envOf({ 'certvigil:ctDomains': 'example.com,example.net', 'certvigil:ctIssuers': '["DigiCert, Inc."]' }),
    ).toMatchObject({ CT_DOMAINS: 'example.com,example.net', CT_ISSUERS: '["DigiCert, Inc."]' });
    expect(() => synthStack({ certvigil: { ctDomains: ['Example.com/x'] } })).toThrow(
      /ctDomains\.0 must be lower-case domain names/,
    );
  }, 120_000);

  it.each([
    [
      { certvigil: { accountRoleArns: ['arn:aws:iam::222222222222:user/bob'] } },
      /accountRoleArns\.0 must be IAM role ARNs/,
    ],
    [
      {
        certvigil: {
          accountRoleArns: ['arn:aws:iam::222222222222:role/a', 'arn:aws:iam::222222222222:role/b'],
        },
      },
      /two roles are given for account 222222222222/,
    ],
    [{ certvigil: { discoveryRegions: ['Ireland'] } }, /discoveryRegions\.0 must be region names/],
    [{ certvigil: { discoverySchedule: 'daily' } }, /discoverySchedule must be rate/],
    [{ certvigil: { alertEmails: ['not-an-email'] } }, /alertEmails\.0 must be email addresses/],
    [{ certvigil: { schedule: 'every hour' } }, /schedule must be rate\(\.\.\.\) or cron\(\.\.\.\)/],
    [{ certvigil: { probeConcurency: 5 } }, /unknown setting probeConcurency/],
    [{ 'certvigil:probeConcurrency': 'lots' }, /probeConcurrency/],
    [{ certvigil: { warnDays: 5, critDays: 9 } }, /critDays must not be more than warnDays/],
    [{ certvigil: { schedule: 'rate(7 days)' } }, /schedule leaves up to 168 hours between rounds/],
    [{ certvigil: { schedule: 'cron(0 0 1 * ? *)' } }, /schedule leaves up to 744 hours/],
    [{ certvigil: { schedule: 'cron(0 0 * * * *)' } }, /exactly one of day-of-month and day-of-week/],
    [{ certvigil: { schedule: 'cron(0 0 * * ? 2020)' } }, /fires at most once/],
    [
      { certvigil: { slackSecretKmsKey: 'arn:aws:kms:eu-west-1:111111111111:key/k' } },
      /slackSecretKmsKey goes with slackSecret/,
    ],
    [
      { certvigil: { slackSecret: 'x', slackSecretKmsKey: 'alias/mine' } },
      /slackSecretKmsKey must be the ARN of a KMS key/,
    ],
    [
      { certvigil: { ariDirectories: { 'My CA': 'http://acme.internal/dir' } } },
      /ariDirectories.*https ACME directory/,
    ],
  ])('rejects %j naming the setting', (context, message) => {
    expect(() => synthStack(context)).toThrow(message);
  });
});

describe('renewal information setting', () => {
  it('gives the probe and admin functions the extra ACME directories; none by default', () => {
    const { template: plain } = synthStack({});
    expect(JSON.stringify(plain.toJSON())).not.toContain('ARI_DIRECTORIES');
    const { template: withCa } = synthStack({
      certvigil: { ariDirectories: { 'Example Private CA': 'https://acme.example.com/directory' } },
    });
    const functions = Object.values(withCa.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables?: Record<string, string> } };
    }[];
    const withVariable = functions.filter((f) => f.Properties.Environment?.Variables?.ARI_DIRECTORIES);
    // probe, documents, account and admin
    expect(withVariable).toHaveLength(4);
    expect(JSON.parse(withVariable[0]?.Properties.Environment?.Variables?.ARI_DIRECTORIES ?? '{}')).toEqual({
      'Example Private CA': 'https://acme.example.com/directory',
    });
  }, 60_000);
});
