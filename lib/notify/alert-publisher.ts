// The publisher a deployed function sends events through: the alert topic, and (runbooks, opt-in)
// the EventBridge bus before it (eventbridge-publisher.ts).
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import { secretKey } from './action-key.ts';
import { ActionLinks } from './action-links.ts';
import type { EventPublisher } from './event-publisher.ts';
import { EventBridgePublisher } from './eventbridge-publisher.ts';
import type { Inventory } from './runbook-event.ts';
import { SnsPublisher } from './sns-publisher.ts';

export function alertPublisher(options: {
  sns: SNSClient;
  topicArn: string;
  /** The bus runbooks read (EVENT_BUS); absent: the topic alone. */
  eventBus?: string | undefined;
  /** The inventory, for where each certificate is served and its replacement. */
  certificates?: Inventory | undefined;
  /** Signed acknowledge and snooze links (opt-in): the action function's URL and the key's secret. */
  actionLinks?: { url: string; keySecret: string; days: number } | undefined;
}): EventPublisher {
  const links = options.actionLinks
    ? new ActionLinks({
        baseUrl: options.actionLinks.url,
        key: secretKey(new SecretsManagerClient({}), options.actionLinks.keySecret),
        days: options.actionLinks.days,
        // The alert goes without links rather than late; the reason (never the key) is logged.
        onKeyError: (error) =>
          console.error(
            JSON.stringify({
              level: 'ERROR',
              message: 'action links left out',
              error: `${error.name}: ${error.message}`,
            }),
          ),
      })
    : undefined;
  const topic = new SnsPublisher(options.sns, options.topicArn, links);
  if (!options.eventBus) return topic;
  return new EventBridgePublisher({
    inner: topic,
    client: new EventBridgeClient({}),
    bus: options.eventBus,
    certificates: options.certificates,
  });
}
