// The publisher a deployed function sends events through: the alert topic, and (runbooks, opt-in)
// the EventBridge bus before it (eventbridge-publisher.ts).
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SNSClient } from '@aws-sdk/client-sns';
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
}): EventPublisher {
  const topic = new SnsPublisher(options.sns, options.topicArn);
  if (!options.eventBus) return topic;
  return new EventBridgePublisher({
    inner: topic,
    client: new EventBridgeClient({}),
    bus: options.eventBus,
    certificates: options.certificates,
  });
}
