// The port events leave through: SNS when deployed (sns-publisher.ts), the outbox file and the
// channels in local mode (local/outbox-publisher.ts). Monitor and discovery depend on this, not on
// either adapter.
import type { MonitorEvent } from '../policy/events.ts';
import type { Notification } from './render-message.ts';

/** Publishes one event to its subscribers (SNS in AWS, the outbox in local mode). */
export interface EventPublisher {
  publish(event: MonitorEvent): Promise<void>;
  /** Publishes an already rendered notification (a test notification, say) the same way. */
  publishNotification(notification: Notification): Promise<void>;
}
