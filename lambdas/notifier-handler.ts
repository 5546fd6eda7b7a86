// Notifier: SNS → one channel (Slack, Teams, PagerDuty or a webhook). Each enabled channel has
// its own function and subscription, so one channel failing never re-sends to another. The
// channel's URL or key comes from its secret and is never logged.

import { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SNSEvent } from 'aws-lambda';
import type { NotifierConfig } from '../lib/config.ts';
import { ChannelDeliveryError, type DeliverOptions, deliver } from '../lib/notify/channels/channel.ts';
import { channelSettingsFromSecret } from '../lib/notify/channels/channel-secret.ts';
import { CHANNELS } from '../lib/notify/channels/index.ts';
import { ownerRouteSettings, SecretsManagerOwnerChannels } from '../lib/notify/owner-channels.ts';
import { parseTopicMessage } from '../lib/notify/topic-message.ts';

const logger = new Logger({ serviceName: 'certvigil-notifier' });

/** Kept back from the function's timeout, so that a failure is reported rather than cut off. */
const MARGIN_MS = 5_000;

export interface NotifierOptions {
  now?: () => Date;
  /** Delivery's attempts and waits (tests shorten them). */
  delivery?: Omit<DeliverOptions, 'deadline'>;
}

export function createHandler(config: NotifierConfig, secrets: SecretsManagerClient, options: NotifierOptions = {}) {
  const channel = CHANNELS[config.channel];
  const now = options.now ?? (() => new Date());
  // Owners' own routes (issue 31): the notification's owner's value for this channel, if it has one.
  const ownerRoute = config.ownerChannelPrefix
    ? ownerRouteSettings(new SecretsManagerOwnerChannels(secrets, config.ownerChannelPrefix), channel.name)
    : undefined;
  return async (event: SNSEvent, context: Context) => {
    logger.addContext(context);
    logger.appendKeys({ channel: channel.name });
    if (!config.secretId && !ownerRoute) {
      logger.info(`no ${channel.title} secret configured; nothing to deliver`);
      return { delivered: 0, skipped: event.Records.length };
    }
    let settings: Awaited<ReturnType<typeof channelSettingsFromSecret>>;
    try {
      settings = config.secretId ? await channelSettingsFromSecret(secrets, channel, config.secretId) : undefined;
    } catch (error) {
      // A ChannelConfigError says what is wrong without the value; a read failure names no value.
      logger.error(`the ${channel.title} secret cannot be used`, {
        secret: config.secretId,
        error: (error as Error).name,
        reason: (error as Error).message,
      });
      throw error;
    }
    if (!settings && config.secretId) {
      logger.warn(`the ${channel.title} secret is empty; set it to deliver notifications there`, {
        secret: config.secretId,
      });
    }
    if (!settings && !ownerRoute) return { delivered: 0, skipped: event.Records.length };
    const deadline = Date.now() + Math.max(1_000, context.getRemainingTimeInMillis() - MARGIN_MS);
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
        // The owner's own route, when it has one for this channel (never for the monitor's alarms).
        const owner = message.kind === 'notification' ? message.notification.owner : null;
        const own = owner && ownerRoute ? await ownerRoute(owner) : undefined;
        const destinations = [...(settings ? [settings] : []), ...(own ? [own] : [])];
        const requests: string[] = [];
        for (const destination of destinations) {
          const rendered = channel.render(message, destination, now());
          if (!rendered.length) continue;
          await deliver(channel, destination, rendered, { ...options.delivery, deadline });
          requests.push(...rendered.map((r) => r.what));
        }
        if (requests.length === 0) {
          // PagerDuty: info news that ends nothing is not an incident.
          skipped++;
          continue;
        }
        delivered++;
        // Anyone allowed to publish could shape a message like ours: log bounded fields only.
        logger.info(`delivered to ${channel.title}`, {
          messageId: record.Sns.MessageId,
          ...(message.kind === 'alarm'
            ? { alarmState: message.alarm.NewStateValue.slice(0, 32) }
            : {
                target: message.notification.target.slice(0, 300),
                event: message.notification.event.slice(0, 32),
                id: message.notification.id.slice(0, 64),
              }),
          requests,
          ...(own ? { ownerRoute: true } : {}),
        });
      }
    } catch (error) {
      // The invocation fails so that Lambda retries it, then the failure queue keeps it; say why,
      // without the URL or key (never logged; ChannelDeliveryError never holds them).
      const e = error as { name?: string; status?: number; message?: string };
      logger.error(`${channel.title} delivery failed`, {
        delivered,
        skipped,
        error: e.name ?? 'Error',
        status: e.status,
        ...(error instanceof ChannelDeliveryError ? { reason: error.message } : {}),
      });
      throw error;
    }
    // Counted in the log, not as metrics (each costs $0.30 a month); failures are Lambda errors.
    logger.info('notified', { delivered, skipped });
    return { delivered, skipped };
  };
}
