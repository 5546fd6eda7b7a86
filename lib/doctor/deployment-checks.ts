// `certvigil doctor`: checks a deployed stack with the operator's credentials, for the things
// that make alerts silently not reach anyone: the concurrency quota, unconfirmed email
// subscriptions, an unset channel secret, and dispatch rounds that stopped.
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { type CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  type LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { longestGapMs } from '../dispatch/schedule-period.ts';
import { CHANNEL_NAMES, type ChannelName } from '../notify/channels/channel.ts';
import { CHANNELS } from '../notify/channels/index.ts';
import { STACK_OUTPUTS } from './stack-outputs.ts';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface Finding {
  check: 'stack' | 'concurrency' | 'subscriptions' | ChannelName | 'dispatch';
  verdict: Verdict;
  /** One or two sentences a person can act on; never a secret. */
  detail: string;
}

export interface DoctorClients {
  cloudFormation: CloudFormationClient;
  lambda: LambdaClient;
  sns: SNSClient;
  secrets: SecretsManagerClient;
  cloudWatch: CloudWatchClient;
}

/** Lambda keeps this much of an account's concurrency unreserved, whatever functions reserve. */
const UNRESERVED_MINIMUM = 100;

/** Runs every check; a check that cannot run says why instead of stopping the others. */
export async function checkDeployment(
  clients: DoctorClients,
  stackName: string,
  now: () => Date = () => new Date(),
): Promise<Finding[]> {
  let outputs: Record<string, string>;
  try {
    const stacks = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = stacks.Stacks?.[0];
    outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    return [{ check: 'stack', verdict: 'fail', detail: `cannot read stack ${stackName}: ${reason(error)}` }];
  }
  // Channel secrets are outputs of enabled channels only; the action links' URL of the opt-in links.
  const optional = new Set<string>([
    STACK_OUTPUTS.cliCommand,
    STACK_OUTPUTS.actionLinksUrl,
    ...Object.values(CHANNELS).map((c) => c.deploy.secretOutput),
  ]);
  const missing = Object.values(STACK_OUTPUTS).filter((key) => !optional.has(key) && !outputs[key]);
  const findings: Finding[] = [
    missing.length
      ? {
          check: 'stack',
          verdict: 'warn',
          detail: `stack ${stackName} lacks the outputs ${missing.join(', ')}; deploy this version of certvigil to check everything`,
        }
      : { check: 'stack', verdict: 'ok', detail: `stack ${stackName} found` },
  ];
  const guarded = async (check: Finding['check'], run: () => Promise<Finding[]>) => {
    try {
      findings.push(...(await run()));
    } catch (error) {
      findings.push({ check, verdict: 'warn', detail: `could not check: ${reason(error)}` });
    }
  };
  const probe = outputs[STACK_OUTPUTS.probeFunctionName];
  const topic = outputs[STACK_OUTPUTS.alertTopicArn];
  const dispatcher = outputs[STACK_OUTPUTS.dispatcherFunctionName];
  if (probe) await guarded('concurrency', () => concurrency(clients.lambda, probe));
  const channelsSet: string[] = [];
  for (const name of CHANNEL_NAMES) {
    const secret = outputs[CHANNELS[name].deploy.secretOutput];
    if (!secret) continue;
    await guarded(name, async () => {
      const finding = await channelSecret(clients.secrets, name, secret);
      if (finding.verdict === 'ok') channelsSet.push(CHANNELS[name].title);
      return [finding];
    });
  }
  if (topic) await guarded('subscriptions', () => subscriptions(clients.sns, topic, channelsSet));
  if (dispatcher) {
    const schedule = outputs[STACK_OUTPUTS.dispatchSchedule] ?? 'rate(1 hour)';
    await guarded('dispatch', () => lastRound(clients.cloudWatch, dispatcher, schedule, now()));
  }
  return findings;
}

async function concurrency(lambda: LambdaClient, probe: string): Promise<Finding[]> {
  const settings = await lambda.send(new GetAccountSettingsCommand({}));
  const quota = settings.AccountLimit?.ConcurrentExecutions ?? 0;
  const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? 0;
  const reserved = (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: probe })))
    .ReservedConcurrentExecutions;
  const mappings = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: probe }));
  const queueMax = mappings.EventSourceMappings?.[0]?.ScalingConfig?.MaximumConcurrency;
  const facts = `account quota ${quota}, ${unreserved} unreserved, probe reserves ${reserved ?? 'none'}${queueMax ? `, queue mode runs up to ${queueMax}` : ''}`;
  if (quota <= UNRESERVED_MINIMUM) {
    return [
      {
        check: 'concurrency',
        verdict: 'warn',
        detail: `${facts}. Lambda keeps ${UNRESERVED_MINIMUM} unreserved, so probeReservedConcurrency must stay 0 here; for large fleets ask for more "Concurrent executions" in Service Quotas (code L-B99A9384).`,
      },
    ];
  }
  if (queueMax && queueMax > unreserved) {
    return [
      {
        check: 'concurrency',
        verdict: 'warn',
        detail: `${facts}. The probe queue may run more probes than the unreserved pool holds: they will be throttled; lower probeConcurrency.`,
      },
    ];
  }
  return [{ check: 'concurrency', verdict: 'ok', detail: facts }];
}

/** Whether a channel's secret holds settings the channel can use; its value is never shown. */
async function channelSecret(secrets: SecretsManagerClient, name: ChannelName, secretId: string): Promise<Finding> {
  const channel = CHANNELS[name];
  const value = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  try {
    if (!channel.fromSecret(value.SecretString)) {
      return {
        check: name,
        verdict: 'warn',
        detail: `the ${channel.title} secret is empty, so nothing goes to ${channel.title}: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string ${SECRET_HINT[name]}`,
      };
    }
  } catch (error) {
    return { check: name, verdict: 'fail', detail: `${(error as Error).message} (the secret's value is not shown)` };
  }
  return { check: name, verdict: 'ok', detail: `the ${channel.title} secret is set` };
}

/** What each channel's secret holds (docs/alert-channels.md). */
const SECRET_HINT: Record<ChannelName, string> = {
  slack: '<webhook URL>',
  teams: '<Workflows webhook URL>',
  pagerduty: '<Events API v2 routing key>',
  webhook: '\'{"url":"https://…","secret":"<signing secret>"}\'',
};

async function subscriptions(sns: SNSClient, topicArn: string, channelsSet: string[]): Promise<Finding[]> {
  const all: { protocol: string; endpoint: string; pending: boolean }[] = [];
  let token: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
    for (const s of page.Subscriptions ?? []) {
      all.push({
        protocol: s.Protocol ?? '',
        endpoint: s.Endpoint ?? '',
        pending: s.SubscriptionArn === 'PendingConfirmation',
      });
    }
    token = page.NextToken;
  } while (token);
  const emails = all.filter((s) => s.protocol === 'email' || s.protocol === 'email-json');
  const pending = emails.filter((s) => s.pending).map((s) => s.endpoint);
  const confirmed = emails.length - pending.length;
  const findings: Finding[] = [];
  if (pending.length) {
    findings.push({
      check: 'subscriptions',
      verdict: 'warn',
      detail: `${pending.length} email subscription(s) not confirmed, so they receive nothing: ${pending.slice(0, 10).join(', ')}${pending.length > 10 ? ', …' : ''} (each must click the link AWS sent)`,
    });
  }
  if (channelsSet.length && !all.some((s) => s.protocol === 'lambda')) {
    findings.push({
      check: 'subscriptions',
      verdict: 'warn',
      detail: `no channel function is subscribed to the alert topic: ${channelsSet.length ? channelsSet.join(', ') : 'no channel'} receives nothing`,
    });
  }
  if (confirmed === 0 && channelsSet.length === 0) {
    findings.push({
      check: 'subscriptions',
      verdict: 'fail',
      detail:
        'no one receives alerts: no confirmed email subscription and no channel secret set (set alertEmails, or a channel and its secret)',
    });
  } else if (findings.length === 0) {
    findings.push({
      check: 'subscriptions',
      verdict: 'ok',
      detail: `${confirmed} confirmed email subscription(s)${channelsSet.length ? ` and ${channelsSet.join(', ')}` : ''}`,
    });
  }
  return findings;
}

async function lastRound(cw: CloudWatchClient, dispatcher: string, schedule: string, now: Date): Promise<Finding[]> {
  const gapMs = longestGapMs(schedule);
  const windowMs = Math.max(2 * gapMs, 3 * 3_600_000);
  const stats = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: dispatcher }],
      StartTime: new Date(now.getTime() - windowMs),
      EndTime: now,
      Period: 300,
      Statistics: ['Sum'],
    }),
  );
  const last = (stats.Datapoints ?? [])
    .filter((d) => (d.Sum ?? 0) > 0 && d.Timestamp)
    .map((d) => (d.Timestamp as Date).getTime())
    .sort((a, b) => b - a)[0];
  const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 10) / 10} h`;
  if (last === undefined) {
    return [
      {
        check: 'dispatch',
        verdict: 'fail',
        detail: `no dispatch round in the last ${hours(windowMs)} (schedule ${schedule}): check the schedule and the failure queue`,
      },
    ];
  }
  const ago = now.getTime() - last;
  return [
    {
      check: 'dispatch',
      verdict: ago > gapMs + 600_000 ? 'warn' : 'ok',
      detail: `last dispatch round about ${Math.round(ago / 60_000)} min ago (schedule ${schedule})`,
    },
  ];
}

/** An AWS error's name and message, short; never a request or a secret. */
function reason(error: unknown): string {
  const e = error as { name?: string; message?: string };
  // The SDK's words for what is missing on this machine, turned into what to set.
  if (/region is missing/i.test(e.message ?? '')) {
    return 'no AWS region: set AWS_REGION (or a region in your AWS profile), or pass --region';
  }
  if (e.name === 'CredentialsProviderError' || /could not load credentials/i.test(e.message ?? '')) {
    return 'no AWS credentials: set AWS_PROFILE (after aws sso login or aws configure), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  return `${e.name ?? 'Error'}: ${(e.message ?? '').slice(0, 200)}`;
}
