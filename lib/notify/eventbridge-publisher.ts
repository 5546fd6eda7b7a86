// Runbooks (issue 31, opt-in): every event, reminder and escalation also goes to an EventBridge bus
// (the account's default bus unless another is named), before the alert topic. A put that fails
// leaves the event pending, so neither goes out and the retry sends both: people get each message
// once, and a runbook may see an entry twice only when the topic failed after the put (dedupe on
// `detail.id`). Acknowledgements and snoozes go there too (from the admin API).
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Acknowledgement } from '../policy/acknowledgements.ts';
import type { MonitorEvent } from '../policy/events.ts';
import type { EventPublisher } from './event-publisher.ts';
import type { Notification } from './render-message.ts';
import {
  eventFingerprint,
  type Inventory,
  RUNBOOK_SOURCE,
  type RunbookDetail,
  runbookDetail,
} from './runbook-event.ts';

/** An acknowledgement or snooze as a runbook sees it. */
export type AcknowledgementFacts = Pick<
  RunbookDetail,
  'id' | 'event' | 'severity' | 'target' | 'kind' | 'owner' | 'tags'
> & {
  fingerprint256: string | null;
  acknowledgement: Acknowledgement;
};

export class EventBridgePublisher implements EventPublisher {
  private readonly inner: EventPublisher;
  private readonly client: EventBridgeClient;
  private readonly bus: string;
  private readonly certificates: Inventory | undefined;

  constructor(options: {
    inner: EventPublisher;
    client: EventBridgeClient;
    bus: string;
    certificates?: Inventory | undefined;
  }) {
    this.inner = options.inner;
    this.client = options.client;
    this.bus = options.bus;
    this.certificates = options.certificates;
  }

  /** For the action function: acknowledgements and snoozes only (it announces nothing). */
  static acknowledgementsOnly(client: EventBridgeClient, bus: string): Pick<EventBridgePublisher, 'acknowledged'> {
    const none = async () => {
      throw new Error('this publisher puts acknowledgements only');
    };
    return new EventBridgePublisher({ inner: { publish: none, publishNotification: none }, client, bus });
  }

  async publish(event: MonitorEvent): Promise<void> {
    const fingerprint = eventFingerprint(event);
    const item = fingerprint && this.certificates ? await this.certificates.get(fingerprint) : undefined;
    await this.put(event.event, runbookDetail(event, item));
    await this.inner.publish(event);
  }

  /** Test notifications and digests are for people: the topic only. */
  publishNotification(notification: Notification): Promise<void> {
    return this.inner.publishNotification(notification);
  }

  /** An acknowledgement or a snooze (detail-type `acknowledged` or `snoozed`). */
  async acknowledged(facts: AcknowledgementFacts, at: string): Promise<void> {
    const item =
      facts.fingerprint256 && this.certificates ? await this.certificates.get(facts.fingerprint256) : undefined;
    const detail: RunbookDetail = {
      ...runbookDetail(
        {
          id: facts.id,
          key: '',
          event: facts.event as MonitorEvent['event'],
          severity: facts.severity as MonitorEvent['severity'],
          target: facts.target,
          occurredAt: at,
          owner: facts.owner ?? undefined,
          tags: facts.tags,
          result: { kind: facts.kind, fingerprint256: facts.fingerprint256 } as MonitorEvent['result'],
        },
        item,
      ),
      acknowledgement: facts.acknowledgement,
    };
    await this.put(facts.acknowledgement.kind === 'snooze' ? 'snoozed' : 'acknowledged', detail);
  }

  private async put(detailType: string, detail: RunbookDetail): Promise<void> {
    const answer = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.bus,
            Source: RUNBOOK_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
            Time: new Date(detail.occurredAt),
          },
        ],
      }),
    );
    // PutEvents answers 200 with per-entry failures: one that failed is an error here.
    if ((answer.FailedEntryCount ?? 0) > 0) {
      const entry = answer.Entries?.[0];
      throw new Error(
        `EventBridge refused the ${detailType} entry: ${entry?.ErrorCode ?? 'unknown'} ${(entry?.ErrorMessage ?? '').slice(0, 200)}`,
      );
    }
  }
}
