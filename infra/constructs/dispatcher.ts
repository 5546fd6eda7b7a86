import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lib/env-names.ts';
import { FULL_ROUND_MINUTES } from '../../lib/policy/cadence.ts';
import type { CertvigilConfig } from '../config.ts';
import { acknowledgeKmsGrants, CertvigilFunction } from './certvigil-function.ts';

export interface DispatcherProps {
  targets: TableV2;
  /** The summary's counters: the daily recount repairs them. */
  summary: TableV2;
  /** The certificate inventory: the daily recount lists again certificates missing from its index. */
  certificates: TableV2;
  /** The alert topic: the weekly digests are published there, routed by owner. */
  topic: ITopic;
  probe: IFunction;
  /** Queue mode: the probe queue to send targets to instead of invoking the probe. */
  probeQueue?: IQueue | undefined;
  /** Where document targets (saml, jwks, pem) go: the documents function, or its queue. */
  documents: IFunction;
  documentsQueue?: IQueue | undefined;
  /** Where AWS account targets (acm, iam, secret, ssm) go. */
  account: IFunction;
  accountQueue?: IQueue | undefined;
  failureQueue: IQueue;
  config: CertvigilConfig;
  logRetention: RetentionDays;
}

/**
 * The dispatcher and its schedule. EventBridge Scheduler rather than a scheduled rule: it retries
 * a failed delivery and sends what it cannot deliver to the failure queue, and 720 hourly
 * invocations a month are far inside its free tier.
 */
export class Dispatcher extends Construct {
  readonly dispatcher: CertvigilFunction;
  readonly schedule: Schedule;
  /** The frequent round over targets in trouble; absent when their cadence is an hour or more. */
  readonly soonSchedule: Schedule | undefined;
  /** The summary's daily recount (lib/store/summary-recount.ts), at 03:17 UTC. */
  readonly recountSchedule: Schedule;
  /** Each owner's weekly digest (lib/admin/digest.ts); absent when digestSchedule is empty. */
  readonly digestSchedule: Schedule | undefined;

  constructor(scope: Construct, id: string, props: DispatcherProps) {
    super(scope, id);
    this.dispatcher = new CertvigilFunction(this, 'Dispatcher', {
      name: 'dispatcher',
      description: 'certvigil: invokes the probe for every due target',
      // Measured: 10,000 targets in 5.8 s at 324 MiB peak RSS (bench/dispatch-throughput).
      memorySize: 512,
      // A round hands over to a fresh invocation 30 s before this runs out.
      timeout: Duration.minutes(15),
      environment: {
        [ENV.targetsTable]: props.targets.tableName,
        [ENV.summaryTable]: props.summary.tableName,
        [ENV.certificatesTable]: props.certificates.tableName,
        [ENV.topicArn]: props.topic.topicArn,
        ...(props.probeQueue
          ? { [ENV.probeQueueUrl]: props.probeQueue.queueUrl }
          : { [ENV.probeFunctionName]: props.probe.functionName }),
        ...(props.documentsQueue
          ? { [ENV.documentsQueueUrl]: props.documentsQueue.queueUrl }
          : { [ENV.documentsFunctionName]: props.documents.functionName }),
        ...(props.accountQueue
          ? { [ENV.accountQueueUrl]: props.accountQueue.queueUrl }
          : { [ENV.accountFunctionName]: props.account.functionName }),
        [ENV.dispatchSegments]: String(props.config.dispatchSegments),
        [ENV.dispatchConcurrency]: String(props.config.dispatchConcurrency),
        ...(props.config.dashboard ? { [ENV.fleetMetrics]: 'true' } : {}),
      },
      logRetention: props.logRetention,
    });
    // A round that fails (the schedule and continuations invoke asynchronously) is retried once,
    // then recorded in the failure queue instead of being dropped.
    this.dispatcher.configureAsyncInvoke({
      retryAttempts: 1,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(props.failureQueue),
    });
    props.targets.grant(this.dispatcher, 'dynamodb:Scan', 'dynamodb:Query');
    // The daily recount: it writes again the list keys and facts of items that lack them or hold
    // wrong ones (UpdateItem, conditional), and repairs the counters.
    props.targets.grant(this.dispatcher, 'dynamodb:UpdateItem');
    props.summary.grant(
      this.dispatcher,
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
    );
    // The recount's second part: certificates whose index keys are missing or wrong (Scan, filtered)
    // are listed again (UpdateItem, conditional on what serves them).
    props.certificates.grant(this.dispatcher, 'dynamodb:Scan', 'dynamodb:UpdateItem');
    // The weekly digests: one message per owner on the alert topic (and its key's data keys).
    props.topic.grantPublish(this.dispatcher);
    this.dispatcher.acknowledgeKmsGrants();
    if (props.probeQueue) {
      props.probeQueue.grantSendMessages(this.dispatcher);
      props.documentsQueue?.grantSendMessages(this.dispatcher);
      props.accountQueue?.grantSendMessages(this.dispatcher);
    } else {
      // The unqualified functions only (grantInvoke would add every version and alias).
      this.dispatcher.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [props.probe.functionArn, props.documents.functionArn, props.account.functionArn],
        }),
      );
    }
    // Continuations invoke this same function. A separate policy, not the role's default one,
    // because the function itself depends on the default policy (a cycle otherwise).
    new iam.Policy(this, 'ContinueRound', {
      roles: [this.dispatcher.role as iam.IRole],
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.dispatcher.functionArn] }),
      ],
    });

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'certvigil: lets EventBridge Scheduler start a dispatch round',
    });
    /** A schedule that invokes the dispatcher with `scope` (none: a full round), retried, dead-lettered. */
    const scheduled = (
      id: string,
      description: string,
      expression: string,
      scope?: string,
      maxAge = Duration.minutes(30),
    ) =>
      new Schedule(this, id, {
        description: `certvigil: ${description}`,
        schedule: ScheduleExpression.expression(expression),
        target: new LambdaInvoke(this.dispatcher, {
          role: schedulerRole,
          ...(scope ? { input: ScheduleTargetInput.fromObject({ scope }) } : {}),
          retryAttempts: 3,
          maxEventAge: maxAge,
          deadLetterQueue: props.failureQueue,
        }),
      });
    this.schedule = scheduled('Schedule', 'dispatch round', props.config.schedule);
    if (props.config.troubleCheckMinutes < FULL_ROUND_MINUTES) {
      this.soonSchedule = scheduled(
        'SoonSchedule',
        'frequent dispatch round over the targets in trouble',
        `rate(${props.config.troubleCheckMinutes} minutes)`,
        'soon',
      );
    }
    this.recountSchedule = scheduled(
      'RecountSchedule',
      'daily recount of the summary (repairs drift, lists items stored before the index)',
      'cron(17 3 * * ? *)',
      'recount',
      Duration.hours(6),
    );
    if (props.config.digestSchedule) {
      this.digestSchedule = scheduled(
        'DigestSchedule',
        "each owner's weekly digest",
        props.config.digestSchedule,
        'digest',
        Duration.hours(6),
      );
    }
    // The dead-letter queue is KMS-encrypted: Scheduler sends to it with this role, so the role
    // needs the data-key actions on the queue's key, or failed deliveries are dropped.
    props.failureQueue.encryptionMasterKey?.grant(schedulerRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    const dispatcherId = Stack.of(this).getLogicalId(this.dispatcher.node.defaultChild as CfnElement);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${dispatcherId}.Arn>:*]`,
      reason:
        'The Scheduler target grants invoke on the dispatcher and its versions; it invokes the unqualified function only.',
    });
    acknowledgeKmsGrants(schedulerRole);
  }
}
