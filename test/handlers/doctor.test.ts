// `certvigil doctor` against mocked AWS answers: what it finds, and that it never shows a secret.

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { runDoctor } from '../../lib/cli/doctor-command.ts';
import type { Io } from '../../lib/cli/io.ts';
import { STACK_OUTPUTS } from '../../lib/doctor/stack-outputs.ts';
import { CHANNELS } from '../../lib/notify/channels/index.ts';

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const cw = mockClient(CloudWatchClient);
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/very-secret-token';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:certvigil';

const clients = () => ({
  cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
  lambda: new LambdaClient({ region: 'eu-west-1' }),
  sns: new SNSClient({ region: 'eu-west-1' }),
  secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
  cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
});

async function doctor(args: string[] = []) {
  let stdout = '';
  const io: Io = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: () => undefined,
    readStdin: () => '',
    stdoutColor: false,
    stderrIsTTY: false,
    env: {},
  };
  const code = await runDoctor(args, io, {}, clients());
  return { code, stdout };
}

/** The stack's outputs as DescribeStacks answers them: the core ones, plus channel secrets. */
function stackOutputs(channelSecrets: Record<string, string>) {
  const outputs = {
    [STACK_OUTPUTS.alertTopicArn]: TOPIC,
    [STACK_OUTPUTS.probeFunctionName]: 'certvigil-probe',
    [STACK_OUTPUTS.dispatcherFunctionName]: 'certvigil-dispatcher',
    [STACK_OUTPUTS.dispatchSchedule]: 'rate(1 hour)',
    [STACK_OUTPUTS.discoveryFunctionName]: 'certvigil-discovery',
    [STACK_OUTPUTS.adminUrl]: 'https://x.lambda-url.eu-west-1.on.aws/',
    [STACK_OUTPUTS.adminCallerPolicyArn]: 'arn:aws:iam::123456789012:policy/caller',
    ...channelSecrets,
  };
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Certvigil',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
}

function healthy() {
  stackOutputs({
    [CHANNELS.slack.deploy.secretOutput]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-AbCdEf',
  });
  lambda.on(GetAccountSettingsCommand).resolves({
    AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 },
  });
  lambda.on(GetFunctionConcurrencyCommand).resolves({});
  lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
  sns
    .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: undefined })
    .resolves({
      Subscriptions: [{ Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${TOPIC}:1` }],
      NextToken: 'page2',
    })
    .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: 'page2' })
    .resolves({ Subscriptions: [{ Protocol: 'lambda', Endpoint: 'arn:notifier', SubscriptionArn: `${TOPIC}:2` }] });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
  cw.on(GetMetricStatisticsCommand).resolves({
    Datapoints: [
      { Timestamp: new Date(Date.now() - 50 * 60_000), Sum: 1 },
      { Timestamp: new Date(Date.now() - 110 * 60_000), Sum: 1 },
    ],
  });
}

beforeEach(() => {
  for (const m of [cfn, lambda, sns, secrets, cw]) m.reset();
  healthy();
});

describe('certvigil doctor', () => {
  it('passes a healthy deployment, reading every page of subscriptions, and exits 0', async () => {
    const { code, stdout } = await doctor();
    expect(stdout).toMatch(/^RESULT\s+CHECK\s+DETAIL/);
    expect(stdout).toMatch(/ok\s+concurrency\s+account quota 1000, 1000 unreserved, probe reserves none/);
    expect(stdout).toMatch(/ok\s+subscriptions\s+1 confirmed email subscription\(s\) and Slack/);
    expect(stdout).toMatch(/ok\s+dispatch\s+last dispatch round about 50 min ago/);
    expect(stdout).not.toContain('very-secret-token');
    expect(code).toBe(0);
    expect(cw.commandCalls(GetMetricStatisticsCommand)[0]?.args[0].input).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: 'certvigil-dispatcher' }],
    });
  });

  it("checks every enabled channel's secret, without showing any of them", async () => {
    stackOutputs({ PagerdutySecretArn: 'arn:pd', WebhookSecretArn: 'arn:wh', TeamsSecretArn: 'arn:teams' });
    secrets
      .on(GetSecretValueCommand, { SecretId: 'arn:pd' })
      .resolves({ SecretString: 'R0abcdefghijklmnopqrstuvwxyz0123' })
      // As the stack creates it: a generated signing secret, no URL yet.
      .on(GetSecretValueCommand, { SecretId: 'arn:wh' })
      .resolves({ SecretString: JSON.stringify({ url: '', secret: 'generated-signing-secret-0123456789' }) })
      .on(GetSecretValueCommand, { SecretId: 'arn:teams' })
      .resolves({ SecretString: 'https://contoso.webhook.office.com/webhookb2/very-secret-token' });
    const { code, stdout } = await doctor();
    expect(stdout).toMatch(/ok\s+pagerduty\s+the PagerDuty secret is set/);
    expect(stdout).toMatch(/warn\s+webhook\s+the Webhook secret is empty, so nothing goes to Webhook/);
    expect(stdout).toMatch(/fail\s+teams\s+the Teams webhook URL is an Office 365 connector/);
    expect(stdout).toMatch(/ok\s+subscriptions\s+1 confirmed email subscription\(s\) and PagerDuty/);
    for (const secret of ['R0abcdefghij', 'generated-signing-secret', 'very-secret-token']) {
      expect(stdout).not.toContain(secret);
    }
    expect(code).toBe(2);
  });

  it('warns about a small concurrency quota, unconfirmed emails and an empty Slack secret', async () => {
    lambda.on(GetAccountSettingsCommand).resolves({
      AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 },
    });
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { Protocol: 'email', Endpoint: 'new@example.com', SubscriptionArn: 'PendingConfirmation' },
        { Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${TOPIC}:1` },
        { Protocol: 'lambda', Endpoint: 'arn:notifier', SubscriptionArn: `${TOPIC}:2` },
      ],
    });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{}' });
    const { code, stdout } = await doctor();
    expect(stdout).toMatch(/warn\s+concurrency\s+account quota 10.*probeReservedConcurrency must stay 0.*L-B99A9384/);
    expect(stdout).toMatch(/warn\s+subscriptions\s+1 email subscription\(s\) not confirmed.*new@example\.com/);
    expect(stdout).toMatch(/warn\s+slack\s+the Slack secret is empty/);
    expect(code).toBe(1);
  });

  it('fails when no one would receive alerts and when rounds have stopped', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [{ Protocol: 'email', Endpoint: 'new@example.com', SubscriptionArn: 'PendingConfirmation' }],
    });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '' });
    cw.on(GetMetricStatisticsCommand).resolves({ Datapoints: [] });
    const { code, stdout } = await doctor(['--json']);
    const findings = JSON.parse(stdout) as { check: string; verdict: string; detail: string }[];
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          check: 'subscriptions',
          verdict: 'fail',
          detail: expect.stringMatching(/no one receives alerts/),
        }),
        expect.objectContaining({
          check: 'dispatch',
          verdict: 'fail',
          detail: expect.stringMatching(/no dispatch round in the last 3 h/),
        }),
      ]),
    );
    expect(code).toBe(2);
  });

  it('refuses a Slack secret that is not https without showing it, and keeps checking when one call is denied', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'http://hooks.example.com/very-secret-token' });
    const denied = Object.assign(new Error('User is not authorized to perform lambda:GetAccountSettings'), {
      name: 'AccessDeniedException',
    });
    lambda.on(GetAccountSettingsCommand).rejects(denied);
    const { code, stdout } = await doctor();
    expect(stdout).toMatch(/fail\s+slack\s+the Slack webhook URL must use https/);
    expect(stdout).toMatch(/warn\s+concurrency\s+could not check: AccessDeniedException/);
    expect(stdout).toMatch(/ok\s+dispatch/);
    expect(stdout).not.toContain('very-secret-token');
    expect(code).toBe(2);
  });

  it('says so when the stack cannot be found', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));
    const { code, stdout } = await doctor(['--stack', 'Nope']);
    expect(stdout).toMatch(/fail\s+stack\s+cannot read stack Nope: ValidationError: Stack with id Nope does not exist/);
    expect(code).toBe(2);
  });
});

describe('doctor on a machine without AWS settings', () => {
  it('says what to set, not what the SDK could not find (the real command, an empty environment)', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runCli } = await import('../fixtures/run-cli.ts');
    const home = mkdtempSync(join(tmpdir(), 'certvigil-doctor-'));
    const bare = { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true' };
    onTestFinished(() => rmSync(home, { recursive: true, force: true }));
    const noRegion = await runCli(['doctor'], { env: bare });
    expect(noRegion.stdout).toContain(
      'cannot read stack Certvigil: no AWS region: set AWS_REGION (or a region in your AWS profile), or pass --region',
    );
    const noCredentials = await runCli(['doctor', '--region', 'eu-west-1'], { env: bare });
    expect(noCredentials.stdout).toContain(
      'cannot read stack Certvigil: no AWS credentials: set AWS_PROFILE (after aws sso login or aws configure), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
    expect(noCredentials.code).toBe(2);
  });
});
