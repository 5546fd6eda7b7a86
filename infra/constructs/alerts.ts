import { CfnOutput, Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import { type CfnSubscription, type Subscription, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { ENV } from '../../lib/env-names.ts';
import type { Channel, ChannelName } from '../../lib/notify/channels/channel.ts';
import { CHANNELS } from '../../lib/notify/channels/index.ts';
import { type AddressRoute, routeFilterPolicy } from '../../lib/notify/owner-routes.ts';
import type { EventType, Severity } from '../../lib/policy/events.ts';
import { CertvigilFunction } from './certvigil-function.ts';

export interface ChannelProps {
  name: ChannelName;
  /** Name or ARN of an existing secret with the channel's URL or key; empty: one is created. */
  secret: string;
  /** ARN of the customer managed key that encrypts that existing secret; empty: AWS managed key. */
  secretKmsKey: string;
  /** Which notifications the channel receives; absent: all. */
  filter?:
    | {
        severities?: Severity[] | undefined;
        events?: EventType[] | undefined;
        /** Only these owners' notifications (and, with `unowned`, those of targets without one). */
        owners?: string[] | undefined;
        unowned?: boolean | undefined;
      }
    | undefined;
}

export interface AlertsProps {
  /** Encrypts the topic; CloudWatch is allowed to use it, so alarms can publish. */
  key: kms.Key;
  emails: string[];
  /** Owner routes: each owner's emails receive that owner's notifications only. */
  ownerEmails?: Record<string, string[]> | undefined;
  /** The default route: emails that receive the notifications of targets without an owner. */
  unownedEmails?: string[] | undefined;
  /** Escalation routes: per owner, emails that receive that owner's escalations only. */
  escalationEmails?: Record<string, string[]> | undefined;
  channels: ChannelProps[];
  failureQueue: IQueue;
  logRetention: RetentionDays;
}

/** A channel: its secret, its own notifier function, and its own (filtered) subscription. */
export interface AlertChannel {
  name: ChannelName;
  secret: secrets.ISecret;
  notifier: CertvigilFunction;
  subscription: Subscription;
}

/**
 * The alert topic (KMS-encrypted, TLS only), its email subscriptions, and one notifier per
 * enabled channel, each subscribed on its own (with its own filter, retries and failure
 * destination) and reading its own secret: one channel failing never re-sends to another.
 */
export class Alerts extends Construct {
  readonly topic: Topic;
  /** Only when a channel is filtered: the alarms' second topic, which filtered channels subscribe to. */
  readonly alarmTopic: Topic | undefined;
  readonly channels: AlertChannel[] = [];

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
    this.topic = this.alarmReadyTopic('Topic', 'certvigil alerts', props.key);
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
    // Owner routes: filtered on the `owner` attribute the publisher sets from the target. SNS keeps
    // one subscription per address: an address on several routes gets one policy naming them all,
    // and an address that receives everything (`emails`) needs no route.
    const routes = new Map<string, AddressRoute[]>();
    const route = (email: string, owner: string | null, only: AddressRoute['only']) => {
      if (!props.emails.includes(email)) routes.set(email, [...(routes.get(email) ?? []), { owner, only }]);
    };
    for (const [owner, emails] of Object.entries(props.ownerEmails ?? {}))
      for (const e of emails) route(e, owner, 'all');
    for (const email of props.unownedEmails ?? []) route(email, null, 'all');
    for (const [owner, emails] of Object.entries(props.escalationEmails ?? {})) {
      for (const e of emails) route(e, owner, 'escalation');
    }
    for (const [email, addressRoutes] of routes) {
      const subscription = this.topic.addSubscription(new EmailSubscription(email));
      (subscription.node.defaultChild as CfnSubscription).filterPolicy = routeFilterPolicy(addressRoutes);
    }
    // SNS cannot match a message without attributes (CloudWatch's alarm messages have none) to
    // any filter policy: channels with a filter get certvigil's own alarms from a second topic,
    // to which the alarms also publish, unfiltered.
    const filtered = props.channels.filter((c) => channelFilterPolicy(CHANNELS[c.name], c.filter));
    if (filtered.length) {
      this.alarmTopic = this.alarmReadyTopic('AlarmTopic', 'certvigil alarms (for filtered channels)', props.key);
    }
    for (const channel of props.channels) this.channels.push(this.addChannel(channel, props));
  }

  /** The topics the stack's CloudWatch alarms publish to. */
  get alarmTopics(): Topic[] {
    return this.alarmTopic ? [this.topic, this.alarmTopic] : [this.topic];
  }

  /** A KMS-encrypted, TLS-only topic to which this account's CloudWatch alarms may publish. */
  private alarmReadyTopic(id: string, displayName: string, key: kms.Key): Topic {
    const topic = new Topic(this, id, { displayName, masterKey: key, enforceSSL: true });
    // enforceSSL writes a topic policy that only denies; CloudWatch alarms of this account need an
    // explicit allow to publish (the monitor of the monitor).
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    return topic;
  }

  /** The notifier of a channel, if it is enabled. */
  notifier(name: ChannelName): CertvigilFunction | undefined {
    return this.channels.find((c) => c.name === name)?.notifier;
  }

  private addChannel(props: ChannelProps, alerts: AlertsProps): AlertChannel {
    const stack = Stack.of(this);
    const channel = CHANNELS[props.name];
    const { deploy } = channel;
    const created = props.secret === '';
    const secret = created ? this.createSecret(channel) : importedSecret(this, deploy.secretId, props.secret);
    new CfnOutput(stack, deploy.secretOutput, {
      value: secret.secretArn,
      description: `Secret for the ${deploy.holds}: aws secretsmanager put-secret-value --secret-id <this> --secret-string ${deploy.secretValue}`,
    });
    if (created) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: `A ${deploy.holds} is issued by ${deploy.issuer}; a Lambda rotation function cannot reissue it, so it is replaced by hand.`,
      });
    }
    const notifier = new CertvigilFunction(this, deploy.functionId, {
      name: 'notifier',
      description: `certvigil: delivers alerts to ${channel.title}`,
      memorySize: 256,
      // Up to four attempts per request with waits capped at 20 s each; stops 5 s before this.
      timeout: Duration.seconds(90),
      environment: {
        [ENV.channel]: props.name,
        [ENV.channelSecretId]: secret.secretArn,
        [ENV.ownerChannelPrefix]: ownerChannelPrefix(this),
      },
      logRetention: alerts.logRetention,
    });
    secret.grantRead(notifier);
    // Owners' own routes on this channel (certvigil owners add NAME --channel …): read only.
    grantOwnerChannels(notifier, ['secretsmanager:GetSecretValue']);
    if (props.secretKmsKey) {
      // CDK's read grant on an imported secret adds nothing for an imported key: say it here.
      notifier.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [props.secretKmsKey],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    const subscription = this.topic.addSubscription(new LambdaSubscription(notifier));
    const policy = channelFilterPolicy(channel, props.filter);
    if (policy) {
      (subscription.node.defaultChild as CfnSubscription).filterPolicy = policy;
      this.alarmTopic?.addSubscription(new LambdaSubscription(notifier));
    }
    notifier.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(alerts.failureQueue),
    });
    notifier.acknowledgeKmsGrants();
    return { name: props.name, secret, notifier, subscription };
  }

  private createSecret({ deploy }: Channel): secrets.Secret {
    if (deploy.generated) {
      // A part is generated here (the webhook's signing secret); the operator adds the rest (its URL).
      return new secrets.Secret(this, deploy.secretId, {
        description: `certvigil: ${deploy.holds} (set ${Object.keys(deploy.generated.template)
          .map((k) => `"${k}"`)
          .join(', ')}; the ${deploy.generated.key} is generated)`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify(deploy.generated.template),
          generateStringKey: deploy.generated.key,
          passwordLength: 48,
          excludePunctuation: true,
        },
      });
    }
    return new secrets.Secret(this, deploy.secretId, {
      description: `certvigil: ${deploy.holds} (empty until you set it)`,
      secretStringValue: SecretValue.unsafePlainText('{}'),
    });
  }
}

/**
 * The SNS filter policy of a channel's subscription, or undefined to receive everything. Test
 * notifications always pass; an incident channel also gets every event that resolves something.
 * (CloudWatch's alarm messages carry no attributes and match no policy: see alarmTopic.)
 */
export function channelFilterPolicy(
  channel: Pick<Channel, 'resolvesIncidents'>,
  filter: ChannelProps['filter'],
): Record<string, unknown> | undefined {
  if (!filter || (!filter.severities && !filter.events && !filter.owners && !filter.unowned)) return undefined;
  const wanted: Record<string, unknown[]> = {};
  if (filter.severities) wanted.severity = filter.severities;
  if (filter.events) wanted.event = filter.events;
  if (filter.owners || filter.unowned) {
    wanted.owner = [...(filter.owners ?? []), ...(filter.unowned ? [{ exists: false }] : [])];
  }
  return {
    $or: [wanted, { event: ['test'] }, ...(channel.resolvesIncidents ? [{ resolves: [{ exists: true }] }] : [])],
  };
}

/** The names of owners' channel secrets begin with this (one prefix per stack). */
export function ownerChannelPrefix(scope: Construct): string {
  return `certvigil/${Stack.of(scope).stackName}/owners/`;
}

/**
 * Lets a function use owners' channel secrets (the notifiers read them, the admin API keeps them):
 * the secrets under this stack's prefix only.
 */
export function grantOwnerChannels(fn: CertvigilFunction, actions: string[]): void {
  const { partition, region, account } = Stack.of(fn);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions,
      resources: [`arn:${partition}:secretsmanager:${region}:${account}:secret:${ownerChannelPrefix(fn)}*`],
    }),
  );
  Validations.of(fn.role as IConstruct).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${ownerChannelPrefix(fn)}*]`,
    reason:
      "Owners' own channel routes are secrets made at run time (certvigil owners add NAME --channel …), one per owner and channel, named under this stack's prefix: the grant covers that prefix only.",
  });
}

/** An existing secret, by complete ARN or by name. */
function importedSecret(scope: Construct, id: string, nameOrArn: string): secrets.ISecret {
  return nameOrArn.startsWith('arn:')
    ? secrets.Secret.fromSecretCompleteArn(scope, id, nameOrArn)
    : secrets.Secret.fromSecretNameV2(scope, id, nameOrArn);
}
