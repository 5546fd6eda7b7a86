// The owner directory's email subscriptions on the alert topic (issue 31): made, narrowed and
// removed by the admin function as owners change. SNS keeps one subscription per address and topic,
// and sends the address a confirmation email; nothing reaches it until its owner confirms.
import {
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  type SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';

/** What the owner directory needs of the topic's email subscriptions. */
export interface EmailSubscriptions {
  /** Every address with an email subscription to the topic (lower-case), confirmed or not. */
  subscribedAddresses(): Promise<Set<string>>;
  /** Subscribes `email` with `policy`; the subscription's ARN (also while it awaits confirmation). */
  subscribe(email: string, policy: string): Promise<string>;
  /** Replaces the policy; `gone` when the subscription no longer exists (its owner unsubscribed). */
  setPolicy(subscriptionArn: string, policy: string): Promise<'set' | 'gone'>;
  unsubscribe(subscriptionArn: string): Promise<void>;
}

/** SNS's answer when an address already has a subscription with other attributes. */
export class AddressTaken extends Error {}

/** Pages of ListSubscriptionsByTopic read at most (100 subscriptions each). */
const MAX_PAGES = 100;

export class SnsEmailSubscriptions implements EmailSubscriptions {
  private readonly sns: SNSClient;
  private readonly topicArn: string;

  constructor(sns: SNSClient, topicArn: string) {
    this.sns = sns;
    this.topicArn = topicArn;
  }

  async subscribedAddresses(): Promise<Set<string>> {
    const addresses = new Set<string>();
    let next: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await this.sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: this.topicArn, NextToken: next }),
      );
      for (const s of answer.Subscriptions ?? []) {
        if (s.Protocol === 'email' && s.Endpoint) addresses.add(s.Endpoint.toLowerCase());
      }
      next = answer.NextToken;
      if (!next) break;
    }
    return addresses;
  }

  async subscribe(email: string, policy: string): Promise<string> {
    try {
      const answer = await this.sns.send(
        new SubscribeCommand({
          TopicArn: this.topicArn,
          Protocol: 'email',
          Endpoint: email,
          Attributes: { FilterPolicy: policy, FilterPolicyScope: 'MessageAttributes' },
          ReturnSubscriptionArn: true,
        }),
      );
      if (!answer.SubscriptionArn) throw new Error('SNS answered Subscribe without a subscription ARN');
      return answer.SubscriptionArn;
    } catch (error) {
      if ((error as { name?: string }).name === 'InvalidParameterException' && /already exists/i.test(String(error))) {
        throw new AddressTaken(email);
      }
      throw error;
    }
  }

  async setPolicy(subscriptionArn: string, policy: string): Promise<'set' | 'gone'> {
    try {
      await this.sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn: subscriptionArn,
          AttributeName: 'FilterPolicy',
          AttributeValue: policy,
        }),
      );
      return 'set';
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFoundException') return 'gone';
      throw error;
    }
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    try {
      await this.sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'NotFoundException') throw error;
    }
  }
}
