import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { MonitorEvent } from '../policy/events.ts';
import { boundBytes } from '../text-bounds.ts';
import type { ActionLinks } from './action-links.ts';
import type { EventPublisher } from './event-publisher.ts';
import { type Notification, renderNotification } from './render-message.ts';

/** SNS takes at most 256 KiB per message, attributes and subject included. */
export const MAX_SNS_MESSAGE_BYTES = 262_144;

/**
 * Publishes events to the SNS topic: email subscribers get the text, Lambda subscribers (the
 * channel notifiers) the JSON notification, and every message carries `severity`, `event` and
 * `target` attributes for subscription filters (and `resolves` when it ends earlier events).
 */
export class SnsPublisher implements EventPublisher {
  private readonly sns: SNSClient;
  private readonly topicArn: string;
  private readonly links: ActionLinks | undefined;

  /** `links`: signed acknowledge and snooze links in every message about an open event (opt-in). */
  constructor(sns: SNSClient, topicArn: string, links?: ActionLinks) {
    this.sns = sns;
    this.topicArn = topicArn;
    this.links = links;
  }

  async publish(event: MonitorEvent): Promise<void> {
    await this.publishNotification(renderNotification(event));
  }

  /** Publishes a rendered notification (an event's, or a test notification). */
  async publishNotification(rendered: Notification): Promise<void> {
    const notification = this.links ? await this.links.attach(rendered) : rendered;
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: notification.subject,
        MessageStructure: 'json',
        Message: snsMessage(notification),
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: notification.severity },
          event: { DataType: 'String', StringValue: notification.event },
          target: { DataType: 'String', StringValue: notification.target },
          // Routing (issue 31): an owner's subscription filters on `owner` (absent: no owner, the
          // default route's `"owner": [{"exists": false}]`), a team's on any of its `tags`.
          ...(notification.owner ? { owner: { DataType: 'String', StringValue: notification.owner } } : {}),
          ...(notification.tags.length
            ? { tags: { DataType: 'String.Array', StringValue: JSON.stringify(notification.tags) } }
            : {}),
          // Present only when the event ends earlier ones, so that a channel filtered by severity
          // (PagerDuty: critical) still receives the info event that resolves its incident.
          ...(notification.resolves.length
            ? { resolves: { DataType: 'String', StringValue: String(notification.resolves.length) } }
            : {}),
        },
      }),
    );
  }
}

/** The per-protocol message; shrunk (visibly) if escaping made it too large for SNS. */
export function snsMessage(notification: Notification): string {
  const build = (n: Notification) => JSON.stringify({ default: n.text, email: n.text, lambda: JSON.stringify(n) });
  const message = build(notification);
  // Subject, attributes and the structure's overhead stay far under the 16 KiB kept back.
  if (Buffer.byteLength(message) <= MAX_SNS_MESSAGE_BYTES - 16_384) return message;
  return build({
    ...notification,
    text: boundBytes(notification.text, 4096),
    endpoints: notification.endpoints.slice(0, 8),
  });
}
