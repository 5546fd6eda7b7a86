import { CfnOutput, Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STACK_OUTPUTS } from '../../lib/doctor/stack-outputs.ts';
import { CertvigilFunction } from './certvigil-function.ts';

export interface AlertsProps {
  /** Encrypts the topic; CloudWatch is allowed to use it, so alarms can publish. */
  key: kms.Key;
  emails: string[];
  /** Name or ARN of an existing secret with the Slack webhook URL; empty: one is created. */
  slackSecret: string;
  /** ARN of the customer managed key that encrypts that existing secret; empty: AWS managed key. */
  slackSecretKmsKey: string;
  failureQueue: IQueue;
  logRetention: RetentionDays;
}

/**
 * The alert topic (KMS-encrypted, TLS only), its email subscriptions, and the notifier that
 * forwards every message to Slack with the webhook URL from Secrets Manager.
 */
export class Alerts extends Construct {
  readonly topic: Topic;
  readonly notifier: CertvigilFunction;
  readonly slackSecret: secrets.ISecret;
  /** True when the stack created the (empty) secret. */
  readonly createdSecret: boolean;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    // CloudWatch alarms publish to the encrypted topic, so CloudWatch must be able to use the key.
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Topic', { displayName: 'certvigil alerts', masterKey: props.key, enforceSSL: true });
    // enforceSSL writes a topic policy that only denies; CloudWatch alarms of this account need an
    // explicit allow to publish (the monitor of the monitor).
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));

    this.createdSecret = props.slackSecret === '';
    this.slackSecret = this.createdSecret
      ? new secrets.Secret(this, 'SlackWebhook', {
          description: 'certvigil: Slack incoming-webhook URL (empty until you set it)',
          secretStringValue: SecretValue.unsafePlainText('{}'),
        })
      : importedSecret(this, props.slackSecret);
    new CfnOutput(stack, STACK_OUTPUTS.slackSecretArn, {
      value: this.slackSecret.secretArn,
      description:
        'Secret for the Slack webhook URL: aws secretsmanager put-secret-value --secret-id <this> --secret-string <url>',
    });
    if (this.createdSecret) {
      Validations.of(this.slackSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'A Slack webhook URL cannot be rotated by a Lambda rotation function; it is replaced by hand when Slack reissues it.',
      });
    }

    this.notifier = new CertvigilFunction(this, 'Notifier', {
      name: 'notifier',
      description: 'certvigil: forwards alerts to Slack',
      memorySize: 256,
      // Up to four Slack attempts with waits capped at 20 s each.
      timeout: Duration.seconds(90),
      environment: { SLACK_SECRET_ID: this.slackSecret.secretArn },
      logRetention: props.logRetention,
    });
    this.slackSecret.grantRead(this.notifier);
    if (props.slackSecretKmsKey) {
      // CDK's read grant on an imported secret adds nothing for an imported key: say it here.
      this.notifier.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [props.slackSecretKmsKey],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    this.topic.addSubscription(new LambdaSubscription(this.notifier));
    this.notifier.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(props.failureQueue),
    });
    this.notifier.acknowledgeKmsGrants();
  }
}

/** An existing secret, by complete ARN or by name. */
function importedSecret(scope: Construct, nameOrArn: string): secrets.ISecret {
  return nameOrArn.startsWith('arn:')
    ? secrets.Secret.fromSecretCompleteArn(scope, 'SlackWebhook', nameOrArn)
    : secrets.Secret.fromSecretNameV2(scope, 'SlackWebhook', nameOrArn);
}
