import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { STACK_OUTPUTS } from '../../lib/doctor/stack-outputs.ts';
import { ENV } from '../../lib/env-names.ts';
import type { CertvigilConfig } from '../config.ts';
import { grantOwnerChannels, ownerChannelPrefix } from './alerts.ts';
import { CertvigilFunction } from './certvigil-function.ts';
import { probeEnvironment } from './probe-fleet.ts';

export interface AdminApiProps {
  targets: TableV2;
  history: TableV2;
  certificates: TableV2;
  summary: TableV2;
  /** The directory: owners (/owners) and maintenance windows (/maintenance). */
  directory: TableV2;
  topic: ITopic;
  /** POST /discover runs it and waits for its summary. */
  discovery: IFunction;
  config: CertvigilConfig;
  logRetention: RetentionDays;
}

/** The admin function behind a function URL with AWS_IAM auth, and the outputs to use it. */
export class AdminApi extends Construct {
  readonly admin: CertvigilFunction;
  /** Allows calling the admin API; attach it to administrators. */
  readonly callerPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    this.admin = new CertvigilFunction(this, 'Admin', {
      name: 'admin',
      description: 'certvigil: admin API (targets, import, report, check now)',
      // A report holds every target in memory: about 3 KB each, 100,000 targets ≈ 300 MB.
      memorySize: 1024,
      // `check` probes synchronously (up to DNS 5 s + 15 s per address).
      timeout: Duration.seconds(60),
      environment: {
        ...probeEnvironment(props),
        [ENV.discoveryFunctionName]: props.discovery.functionName,
        // Owners' own channels: kept as secrets under this prefix, for the channels deployed.
        [ENV.ownerChannelPrefix]: ownerChannelPrefix(scope),
        [ENV.ownerChannels]: props.config.channels.join(','),
      },
      logRetention: props.logRetention,
    });
    // Pages read the lists index, then the page's items by key (BatchGetItem).
    props.targets.grant(
      this.admin,
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Scan',
      'dynamodb:Query',
    );
    props.history.grant(this.admin, 'dynamodb:PutItem', 'dynamodb:Query');
    // GET /summary reads the counters; settings changes and deletions add to them.
    props.summary.grant(this.admin, 'dynamodb:Query', 'dynamodb:UpdateItem');
    // Query: pages of the certificate lists index; Scan: the whole list while it fits one answer.
    props.certificates.grant(this.admin, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan', 'dynamodb:Query');
    props.topic.grantPublish(this.admin);
    // The directory: owners and maintenance windows; and the owner routes' email subscriptions
    // it makes on the alert topic
    // (listed first, so an address subscribed by a stack setting is refused, not taken over).
    props.directory.grant(
      this.admin,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    );
    // IAM names a subscription's actions by its topic (SetSubscriptionAttributes and Unsubscribe
    // have the topic as their resource type): this topic's subscriptions only.
    this.admin.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sns:Subscribe', 'sns:ListSubscriptionsByTopic', 'sns:SetSubscriptionAttributes', 'sns:Unsubscribe'],
        resources: [props.topic.topicArn],
      }),
    );
    grantOwnerChannels(this.admin, [
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:DeleteSecret',
    ]);
    this.admin.acknowledgeKmsGrants();
    this.admin.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.discovery.functionArn] }),
    );
    const functionUrl = this.admin.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
    // Since October 2025 a function URL caller needs both actions; attach this policy to the
    // people and roles that administer certvigil.
    this.callerPolicy = new iam.ManagedPolicy(this, 'CallerPolicy', {
      description: 'certvigil: call the admin API (function URL with AWS_IAM auth)',
      statements: [
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'],
          resources: [this.admin.functionArn],
        }),
      ],
    });
    new CfnOutput(Stack.of(this), STACK_OUTPUTS.adminCallerPolicyArn, {
      value: this.callerPolicy.managedPolicyArn,
      description: 'Attach to whoever uses the admin API: it allows lambda:InvokeFunctionUrl and lambda:InvokeFunction',
    });
    new CfnOutput(Stack.of(this), STACK_OUTPUTS.adminUrl, {
      value: functionUrl.url,
      description: 'certvigil admin API (SigV4, AWS_IAM)',
    });
    new CfnOutput(Stack.of(this), STACK_OUTPUTS.cliCommand, {
      value: `export CERTVIGIL_URL=${functionUrl.url} && npx certvigil targets list`,
      description:
        'Use the admin API from the certvigil CLI (with AWS credentials allowed lambda:InvokeFunctionUrl and lambda:InvokeFunction: the AdminCallerPolicyArn policy)',
    });
  }
}
