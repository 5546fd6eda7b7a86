import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { EventPublisher } from '../monitor/probe-target.ts';
import type { MonitorEvent } from '../policy/transitions.ts';
import { renderNotification } from './render-message.ts';

/**
 * Publishes events to the SNS topic: email subscribers get the text, Lambda subscribers (the
 * Slack notifier) the JSON notification, and every message carries `severity`, `event` and
 * `target` attributes for subscription filters.
 */
export class SnsPublisher implements EventPublisher {
  private readonly sns: SNSClient;
  private readonly topicArn: string;

  constructor(sns: SNSClient, topicArn: string) {
    this.sns = sns;
    this.topicArn = topicArn;
  }

  async publish(event: MonitorEvent): Promise<void> {
    const notification = renderNotification(event);
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: notification.subject,
        MessageStructure: 'json',
        Message: JSON.stringify({
          default: notification.text,
          email: notification.text,
          lambda: JSON.stringify(notification),
        }),
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: notification.severity },
          event: { DataType: 'String', StringValue: notification.event },
          target: { DataType: 'String', StringValue: notification.target },
        },
      }),
    );
  }
}
