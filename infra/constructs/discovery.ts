import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lib/env-names.ts';
import type { CertvigilConfig } from '../config.ts';
import { acknowledgeReadAccess, discoveryReadStatements } from './aws-read-access.ts';
import { acknowledgeKmsGrants, CertvigilFunction } from './certvigil-function.ts';
import { grantAssumeMemberRoles } from './probe-fleet.ts';

export interface DiscoveryProps {
  targets: TableV2;
  /** Targets discovery enrols are counted in the summary. */
  summary: TableV2;
  /** Where CT discovery keeps its positions (used when ctDomains is set). */
  certificates: TableV2;
  topic: ITopic;
  failureQueue: IQueue;
  config: CertvigilConfig;
  logRetention: RetentionDays;
}

/**
 * Discovery: lists what the account (and the member accounts) holds and serves, daily by
 * default and on demand through the admin API, and enrols it as targets. Read-only everywhere
 * but its own targets table.
 */
export class Discovery extends Construct {
  readonly fn: CertvigilFunction;
  readonly schedule: Schedule | undefined;

  constructor(scope: Construct, id: string, props: DiscoveryProps) {
    super(scope, id);
    const { partition, account, region } = Stack.of(this);
    const c = props.config;
    this.fn = new CertvigilFunction(this, 'Discovery', {
      name: 'discovery',
      description: 'certvigil: finds the certificates and endpoints the AWS account holds and enrols them',
      // Holds one run's resources and every target id (100,000 ids ≈ 20 MB).
      memorySize: 512,
      // Listing is paginated and throttled by AWS; thousands of resources take minutes.
      timeout: Duration.minutes(10),
      environment: {
        [ENV.targetsTable]: props.targets.tableName,
        [ENV.summaryTable]: props.summary.tableName,
        [ENV.topicArn]: props.topic.topicArn,
        [ENV.discoveryRegions]: (c.discoveryRegions.length ? c.discoveryRegions : [region]).join(','),
        [ENV.homeAccount]: account,
        [ENV.partition]: partition,
        [ENV.awsSourceTag]: c.awsSourceTag,
        ...(c.accountRoleArns.length ? { [ENV.accountRoleArns]: c.accountRoleArns.join(',') } : {}),
        ...(c.ctDomains.length
          ? {
              [ENV.ctDomains]: c.ctDomains.join(','),
              [ENV.ctProvider]: c.ctProvider,
              [ENV.ctEnrol]: c.ctEnrol,
              [ENV.ctMaxPerRun]: String(c.ctMaxPerRun),
              [ENV.certificatesTable]: props.certificates.tableName,
              ...(c.ctIssuers.length ? { [ENV.ctIssuers]: JSON.stringify(c.ctIssuers) } : {}),
              ...(c.ctApiTokenSecret ? { [ENV.ctApiTokenSecret]: c.ctApiTokenSecret } : {}),
            }
          : {}),
      },
      logRetention: props.logRetention,
    });
    if (c.ctDomains.length) {
      // Positions and handled issuances live under ct: keys of the certificates table.
      props.certificates.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
      if (c.ctApiTokenSecret) {
        const secret = c.ctApiTokenSecret.startsWith('arn:')
          ? secretsmanager.Secret.fromSecretCompleteArn(this, 'CtApiToken', c.ctApiTokenSecret)
          : secretsmanager.Secret.fromSecretNameV2(this, 'CtApiToken', c.ctApiTokenSecret);
        secret.grantRead(this.fn);
      }
    }
    // A scheduled run that fails is retried once, then recorded in the failure queue.
    this.fn.configureAsyncInvoke({
      retryAttempts: 1,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(props.failureQueue),
    });
    props.targets.grant(this.fn, 'dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    props.summary.grant(this.fn, 'dynamodb:UpdateItem');
    props.topic.grantPublish(this.fn);
    this.fn.acknowledgeKmsGrants();
    for (const statement of discoveryReadStatements({ partition, account, sourceTag: c.awsSourceTag })) {
      this.fn.addToRolePolicy(statement);
    }
    acknowledgeReadAccess(this.fn.role as iam.IRole, { discovery: true });
    grantAssumeMemberRoles(this.fn, c);

    if (c.discoverySchedule) {
      const schedulerRole = new iam.Role(this, 'SchedulerRole', {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
        description: 'certvigil: lets EventBridge Scheduler start discovery',
      });
      this.schedule = new Schedule(this, 'Schedule', {
        description: 'certvigil: discovery',
        schedule: ScheduleExpression.expression(c.discoverySchedule),
        target: new LambdaInvoke(this.fn, {
          role: schedulerRole,
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: props.failureQueue,
        }),
      });
      props.failureQueue.encryptionMasterKey?.grant(schedulerRole, 'kms:GenerateDataKey', 'kms:Decrypt');
      const fnId = Stack.of(this).getLogicalId(this.fn.node.defaultChild as CfnElement);
      Validations.of(schedulerRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
        reason:
          'The Scheduler target grants invoke on the discovery function and its versions; it invokes the unqualified function only.',
      });
      acknowledgeKmsGrants(schedulerRole);
    }
  }
}
