// Notifier: SNS → Slack. The webhook URL comes from Secrets Manager and is never logged.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SNSEvent } from 'aws-lambda';
import type { NotifierConfig } from '../lib/config.ts';
import type { Notification } from '../lib/notify/render-message.ts';
import { postToSlack, slackMessage } from '../lib/notify/slack.ts';
import { webhookUrlFromSecret } from '../lib/notify/webhook-secret.ts';

const logger = new Logger({ serviceName: 'certvigil-notifier' });
const metrics = new Metrics({ namespace: 'certvigil', serviceName: 'notifier' });

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
    try {
      for (const record of event.Records) {
        const notification = JSON.parse(record.Sns.Message) as Notification;
        await postToSlack(url, slackMessage(notification));
        delivered++;
        logger.info('delivered to Slack', {
          target: notification.target,
          event: notification.event,
          id: notification.id,
        });
      }
    } finally {
      metrics.addMetric('slackDelivered', MetricUnit.Count, delivered);
      metrics.publishStoredMetrics();
    }
    return { delivered };
  };
}
