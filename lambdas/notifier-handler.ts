// Notifier: SNS → Slack. The webhook URL comes from Secrets Manager and is never logged.

import { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SNSEvent } from 'aws-lambda';
import type { NotifierConfig } from '../lib/config.ts';
import { postToSlack, slackMessage } from '../lib/notify/slack.ts';
import { alarmSlackMessage, parseTopicMessage } from '../lib/notify/topic-message.ts';
import { webhookUrlFromSecret } from '../lib/notify/webhook-secret.ts';

const logger = new Logger({ serviceName: 'certvigil-notifier' });

export function createHandler(config: NotifierConfig, secrets: SecretsManagerClient) {
  return async (event: SNSEvent, context: Context) => {
    logger.addContext(context);
    if (!config.slackSecretId) {
      logger.info('no Slack secret configured; nothing to deliver');
      return { delivered: 0 };
    }
    const url = await webhookUrlFromSecret(secrets, config.slackSecretId);
    if (!url) {
      logger.warn('the Slack webhook secret is empty; set it to deliver notifications to Slack', {
        secret: config.slackSecretId,
      });
      return { delivered: 0 };
    }
    let delivered = 0;
    let skipped = 0;
    try {
      for (const record of event.Records) {
        const message = parseTopicMessage(record.Sns.Message);
        if (message.kind === 'unknown') {
          // Anything else on the topic is not ours to deliver; failing would retry it forever.
          skipped++;
          logger.warn('skipped a message that certvigil does not deliver', {
            messageId: record.Sns.MessageId,
            reason: message.reason,
            bytes: Buffer.byteLength(record.Sns.Message),
          });
          continue;
        }
        if (message.kind === 'alarm') {
          await postToSlack(url, alarmSlackMessage(message.alarm));
          delivered++;
          logger.info('delivered an alarm to Slack', {
            messageId: record.Sns.MessageId,
            state: message.alarm.NewStateValue,
          });
          continue;
        }
        const notification = message.notification;
        await postToSlack(url, slackMessage(notification));
        delivered++;
        // Anyone allowed to publish could shape a message like ours: log bounded fields only.
        logger.info('delivered to Slack', {
          target: notification.target.slice(0, 300),
          event: notification.event.slice(0, 32),
          id: notification.id.slice(0, 64),
        });
      }
    } catch (error) {
      // The invocation fails so that SNS retries it; say why, without the URL (never logged).
      const e = error as { name?: string; status?: number };
      logger.error('Slack delivery failed', { delivered, skipped, error: e.name ?? 'Error', status: e.status });
      throw error;
    }
    // Counted in the log, not as metrics (each costs $0.30 a month); failures are Lambda errors.
    logger.info('notified', { delivered, skipped });
    return { delivered, skipped };
  };
}
