// Acknowledgements and snoozes on the targets' items (policy/acknowledgements.ts): written only for
// an event that is open and announced, on the condition that no check moved the item meanwhile (a
// check in between: read again), so an acknowledgement never lands on a condition that has ended.
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Acknowledgement, withAcknowledgement } from '../policy/acknowledgements.ts';
import { type OpenEvent, openEvents } from '../policy/transitions.ts';
import { expandItem } from './compact-result.ts';
import { isConditionFailure } from './document-client.ts';
import type { StoredTarget } from './stored-target.ts';

export type AcknowledgeResult =
  | { outcome: 'recorded'; event: OpenEvent; acknowledgement: Acknowledgement }
  | { outcome: 'no-target' }
  | { outcome: 'not-open' };

/** The open events of an item that were announced (sent, or waiting in its outbox). */
export function announcedOpenEvents(target: Pick<StoredTarget, 'id' | 'state' | 'sent' | 'pending'>): OpenEvent[] {
  return openEvents(target.id, target.state).filter(
    (open) => target.sent?.[open.key] !== undefined || target.pending?.[open.id] !== undefined,
  );
}

export class TargetAcks {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  /** Records `ack` for the open event `eventId` of target `id`. */
  async record(id: string, eventId: string, ack: Acknowledgement): Promise<AcknowledgeResult> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const read = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { id },
          ProjectionExpression: '#id, #version, #state, #sent, #pending, #acks',
          ExpressionAttributeNames: {
            '#id': 'id',
            '#version': 'version',
            '#state': 'state',
            '#sent': 'sent',
            '#pending': 'pending',
            '#acks': 'acks',
          },
          ConsistentRead: true,
        }),
      );
      if (!read.Item) return { outcome: 'no-target' };
      const item = expandItem(read.Item as StoredTarget);
      const open = announcedOpenEvents(item);
      const event = open.find((e) => e.id === eventId);
      if (!event) return { outcome: 'not-open' };
      const acks = withAcknowledgement(
        item.acks,
        open.map((e) => e.key),
        event.key,
        ack,
      );
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id },
            UpdateExpression: 'SET #acks = :acks',
            ConditionExpression: item.version === undefined ? 'attribute_not_exists(#version)' : '#version = :version',
            ExpressionAttributeNames: { '#acks': 'acks', '#version': 'version' },
            ExpressionAttributeValues: {
              ':acks': acks,
              ...(item.version === undefined ? {} : { ':version': item.version }),
            },
          }),
        );
        return { outcome: 'recorded', event, acknowledgement: acks[event.key] as Acknowledgement };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`could not record the acknowledgement on ${id}: too much contention`);
  }
}
