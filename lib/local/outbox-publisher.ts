import { appendFile } from 'node:fs/promises';
import type { EventPublisher } from '../monitor/probe-target.ts';
import { type Notification, renderNotification } from '../notify/render-message.ts';
import { postToSlack, slackMessage } from '../notify/slack.ts';
import type { MonitorEvent } from '../policy/transitions.ts';

/**
 * Local mode's stand-in for SNS: prints each notification readably, appends it as one JSON
 * object per line to the outbox file (the fields of an SNS message's attributes plus subject and
 * text), and posts it to Slack when a webhook URL is configured.
 */
export class OutboxPublisher implements EventPublisher {
  private readonly outboxPath: string;
  private readonly print: (text: string) => void;
  private readonly slackWebhookUrl: string | undefined;

  constructor(options: { outboxPath: string; print: (text: string) => void; slackWebhookUrl?: string | undefined }) {
    this.outboxPath = options.outboxPath;
    this.print = options.print;
    this.slackWebhookUrl = options.slackWebhookUrl;
  }

  async publish(event: MonitorEvent): Promise<void> {
    await this.publishNotification(renderNotification(event));
  }

  async publishNotification(notification: Notification): Promise<void> {
    // Slack first: if it fails, the event stays pending and nothing was written twice.
    if (this.slackWebhookUrl) await postToSlack(this.slackWebhookUrl, slackMessage(notification));
    await appendFile(this.outboxPath, `${JSON.stringify(notification)}\n`);
    const rule = '-'.repeat(72);
    this.print(`${rule}\n${notification.subject}\n\n${notification.text}\n${rule}\n`);
  }
}
