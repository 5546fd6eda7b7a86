import { Duration, Stack, Tags } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lib/env-names.ts';
import type { CertvigilConfig } from '../config.ts';
import { acknowledgeReadAccess, sourceReadStatements } from './aws-read-access.ts';
import { CertvigilFunction } from './certvigil-function.ts';
import { READER_TAG } from './member-read-role.ts';

export interface ProbeFleetProps {
  /** Encrypts the probe queue in queue mode. */
  key: IKey;
  targets: TableV2;
  history: TableV2;
  certificates: TableV2;
  /** The summary's counters: every check that changes what a target is counted as adds to them. */
  summary: TableV2;
  /** The directory: each check reads the maintenance windows (at most once a minute per process). */
  directory: TableV2;
  topic: ITopic;
  failureQueue: IQueue;
  config: CertvigilConfig;
  logRetention: RetentionDays;
}

/** Environment shared by the probe and the admin function (which probes on demand). */
export function probeEnvironment(
  props: Omit<ProbeFleetProps, 'failureQueue' | 'logRetention' | 'key'>,
): Record<string, string> {
  const c = props.config;
  return {
    [ENV.targetsTable]: props.targets.tableName,
    [ENV.historyTable]: props.history.tableName,
    [ENV.certificatesTable]: props.certificates.tableName,
    [ENV.summaryTable]: props.summary.tableName,
    [ENV.directoryTable]: props.directory.tableName,
    [ENV.rolloutStallMinutes]: String(c.rolloutStallMinutes),
    [ENV.remindCriticalHours]: String(c.remindCriticalHours),
    [ENV.remindWarningHours]: String(c.remindWarningHours),
    [ENV.remindInfoHours]: String(c.remindInfoHours),
    [ENV.escalateAfterHours]: String(c.escalateAfterHours),
    [ENV.topicArn]: props.topic.topicArn,
    [ENV.historyTtlDays]: String(c.historyTtlDays),
    [ENV.unreachableAfter]: String(c.unreachableAfter),
    [ENV.warningCheckMinutes]: String(c.warningCheckMinutes),
    ...(c.dashboard ? { [ENV.fleetMetrics]: 'true' } : {}),
    [ENV.troubleCheckMinutes]: String(c.troubleCheckMinutes),
    [ENV.endpointTimeoutMs]: String(c.endpointTimeoutMs),
    [ENV.allowPrivateTargets]: String(c.allowPrivateTargets),
    ...(c.accountRoleArns.length ? { [ENV.accountRoleArns]: c.accountRoleArns.join(',') } : {}),
    ...(Object.keys(c.ariDirectories).length ? { [ENV.ariDirectories]: JSON.stringify(c.ariDirectories) } : {}),
    ...(c.warnDays ? { [ENV.warnDays]: String(c.warnDays) } : {}),
    ...(c.critDays ? { [ENV.critDays]: String(c.critDays) } : {}),
  };
}

/**
 * The probe functions: `probe` reads TLS endpoints, `documents` reads SAML metadata, JWKS and PEM
 * documents (apart, so the TLS probe's bundle stays small). Each takes one target per
 * asynchronous invocation (or per queue message, at most probeConcurrency at once), optionally
 * capped by reserved concurrency, retried by Lambda and sent to the failure queue when it keeps
 * failing or waits too long.
 */
export class ProbeFleet extends Construct {
  readonly probe: CertvigilFunction;
  readonly documents: CertvigilFunction;
  /** Reads certificates the AWS account holds (acm, iam, secret, ssm targets). */
  readonly account: CertvigilFunction;
  /** Queue mode only: the queues the dispatcher fills and the functions consume. */
  readonly queue: Queue | undefined;
  readonly documentsQueue: Queue | undefined;
  readonly accountQueue: Queue | undefined;

  constructor(scope: Construct, id: string, props: ProbeFleetProps) {
    super(scope, id);
    // Measured: the bundled TLS probe peaks at 83 MiB RSS (npm run bench:probe), so 128 MB holds
    // it with half again to spare, at half the price per check of 256 MB.
    const probe = this.probeFunction(
      'Probe',
      'probe',
      'checks one TLS target, stores the result, publishes its events',
      props,
      128,
    );
    const documents = this.probeFunction(
      'Documents',
      'documents',
      'checks one document target (SAML, JWKS, PEM), stores the result, publishes its events',
      props,
    );
    const account = this.probeFunction(
      'Account',
      'account',
      'checks one certificate the AWS account holds (ACM, IAM, Secrets Manager, SSM), stores the result, publishes its events',
      props,
    );
    this.probe = probe.fn;
    this.queue = probe.queue;
    this.documents = documents.fn;
    this.documentsQueue = documents.queue;
    this.account = account.fn;
    this.accountQueue = account.queue;
    grantAccountReads(account.fn, props.config);
  }

  private probeFunction(
    id: string,
    name: string,
    description: string,
    props: ProbeFleetProps,
    // The document and account readers hold whole documents (a 5,000-entity SAML aggregate peaks
    // at 153 MiB, npm run bench:saml): 256 MB.
    memorySize = 256,
  ): { fn: CertvigilFunction; queue: Queue | undefined } {
    const fn = new CertvigilFunction(this, id, {
      name,
      description: `certvigil: ${description}`,
      memorySize,
      // DNS 5 s + per-address 15 s (addresses in parallel) + DynamoDB and SNS calls.
      timeout: Duration.seconds(60),
      environment: probeEnvironment(props),
      logRetention: props.logRetention,
      // Opt-in (0: none): reserving concurrency fails the deploy on accounts with a small quota.
      reservedConcurrentExecutions: props.config.probeReservedConcurrency,
    });
    fn.configureAsyncInvoke({
      retryAttempts: props.config.probeRetryAttempts,
      maxEventAge: Duration.minutes(props.config.probeMaxEventAgeMinutes),
      onFailure: new SqsDestination(props.failureQueue),
    });
    let queue: Queue | undefined;
    if (props.config.dispatchMode === 'queue') {
      // One message per invocation (the same one-target-per-probe semantics as invoke mode), at
      // most probeConcurrency at once: messages wait in the queue instead of being throttled.
      // A message that fails three times moves to the failure queue.
      // The probe's queue keeps the id it had before the documents function existed.
      queue = new Queue(this, id === 'Probe' ? 'Queue' : `${id}Queue`, {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(6 * 60),
        retentionPeriod: Duration.days(1),
        deadLetterQueue: { queue: props.failureQueue, maxReceiveCount: 3 },
      });
      fn.addEventSource(
        new SqsEventSource(queue, {
          batchSize: 1,
          maxConcurrency: props.config.probeConcurrency,
          reportBatchItemFailures: true,
        }),
      );
    }
    props.targets.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.history.grant(fn, 'dynamodb:PutItem');
    props.certificates.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.summary.grant(fn, 'dynamodb:UpdateItem');
    props.directory.grant(fn, 'dynamodb:Query');
    props.topic.grantPublish(fn);
    fn.acknowledgeKmsGrants();
    return { fn, queue };
  }
}

/**
 * Read-only access to the certificates the account holds (see aws-read-access.ts), and the roles
 * that read them in other accounts.
 */
export function grantAccountReads(fn: CertvigilFunction, config: CertvigilConfig): void {
  const { partition, account } = Stack.of(fn);
  for (const statement of sourceReadStatements({ partition, account, sourceTag: config.awsSourceTag })) {
    fn.addToRolePolicy(statement);
  }
  acknowledgeReadAccess(fn.role as iam.IRole, { sources: true });
  grantAssumeMemberRoles(fn, config);
}

/** Marks a role as one of certvigil's readers: member accounts' roles trust roles with this tag. */
export function tagAsReader(fn: CertvigilFunction): void {
  Tags.of(fn.role as iam.IRole).add(READER_TAG.key, READER_TAG.value);
}

/** May assume the read-only roles of the accounts in `accountRoleArns`, and nothing else. */
export function grantAssumeMemberRoles(fn: CertvigilFunction, config: CertvigilConfig): void {
  if (config.accountRoleArns.length === 0) return;
  tagAsReader(fn);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'AssumeMemberReadRoles',
      actions: ['sts:AssumeRole'],
      resources: config.accountRoleArns,
    }),
  );
}
