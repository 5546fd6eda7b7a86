import { Duration } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CertvigilConfig } from '../config.ts';
import { CertvigilFunction } from './certvigil-function.ts';

export interface ProbeFleetProps {
  /** Encrypts the probe queue in queue mode. */
  key: IKey;
  targets: TableV2;
  history: TableV2;
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
    TARGETS_TABLE: props.targets.tableName,
    HISTORY_TABLE: props.history.tableName,
    TOPIC_ARN: props.topic.topicArn,
    HISTORY_TTL_DAYS: String(c.historyTtlDays),
    UNREACHABLE_AFTER: String(c.unreachableAfter),
    ENDPOINT_TIMEOUT_MS: String(c.endpointTimeoutMs),
    ALLOW_PRIVATE_TARGETS: String(c.allowPrivateTargets),
    ...(c.warnDays ? { WARN_DAYS: String(c.warnDays) } : {}),
    ...(c.critDays ? { CRIT_DAYS: String(c.critDays) } : {}),
  };
}

/**
 * The probe function: one target per asynchronous invocation (or per queue message, at most
 * probeConcurrency at once), optionally capped by reserved concurrency,
 * retried by Lambda and sent to the failure queue when it keeps failing or waits too long.
 */
export class ProbeFleet extends Construct {
  readonly probe: CertvigilFunction;
  /** Queue mode only: the queue the dispatcher fills and the probe consumes. */
  readonly queue: Queue | undefined;

  constructor(scope: Construct, id: string, props: ProbeFleetProps) {
    super(scope, id);
    this.probe = new CertvigilFunction(this, 'Probe', {
      name: 'probe',
      description: 'certvigil: checks one target, stores the result, publishes its events',
      // Measured: the bundled handler peaks at 85 MiB RSS (bench/probe-duration); 256 MB leaves
      // headroom and buys CPU share for TLS handshakes.
      memorySize: 256,
      // DNS 5 s + per-address 15 s (addresses in parallel) + DynamoDB and SNS calls.
      timeout: Duration.seconds(60),
      environment: probeEnvironment(props),
      logRetention: props.logRetention,
      // Opt-in (0: none): reserving concurrency fails the deploy on accounts with a small quota.
      reservedConcurrentExecutions: props.config.probeReservedConcurrency,
    });
    this.probe.configureAsyncInvoke({
      retryAttempts: props.config.probeRetryAttempts,
      maxEventAge: Duration.minutes(props.config.probeMaxEventAgeMinutes),
      onFailure: new SqsDestination(props.failureQueue),
    });
    if (props.config.dispatchMode === 'queue') {
      // One message per invocation (the same one-target-per-probe semantics as invoke mode), at
      // most probeConcurrency at once: messages wait in the queue instead of being throttled.
      // A message that fails three times moves to the failure queue.
      this.queue = new Queue(this, 'Queue', {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(6 * 60),
        retentionPeriod: Duration.days(1),
        deadLetterQueue: { queue: props.failureQueue, maxReceiveCount: 3 },
      });
      this.probe.addEventSource(
        new SqsEventSource(this.queue, {
          batchSize: 1,
          maxConcurrency: props.config.probeConcurrency,
          reportBatchItemFailures: true,
        }),
      );
    }
    props.targets.grant(this.probe, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.history.grant(this.probe, 'dynamodb:PutItem');
    props.topic.grantPublish(this.probe);
    this.probe.acknowledgeKmsGrants();
  }
}
