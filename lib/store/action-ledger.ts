// The action links' ledger (issue 31), in the directory table: one item per used token (partition
// `action-token`, sort key its nonce) so that each works once, kept until the token would have
// expired anyway; and one counter per caller and minute (partition `action-rate`) for the rate
// limit. Both carry `expiresAt` (epoch seconds) for the table's TTL.
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from './document-client.ts';
import { DIRECTORY_TABLE } from './table-schema.ts';

const { partitionKey: PK, sortKey: SK } = DIRECTORY_TABLE;
const USED = 'action-token';
const RATE = 'action-rate';

export interface UsedToken {
  /** What the token did, and when (shown on the "already used" page). */
  outcome: string;
  at: string;
}

export class ActionLedger {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  /** How a token was used, if it was. */
  async used(nonce: string): Promise<UsedToken | undefined> {
    const read = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { [PK.name]: USED, [SK.name]: nonce }, ConsistentRead: true }),
    );
    const item = read.Item;
    return item ? { outcome: String(item.outcome ?? 'used'), at: String(item.at ?? '') } : undefined;
  }

  /**
   * Takes the token for one use: true when this call is the first; false when it was already
   * used (two clicks at once: exactly one wins). Kept until `expiresAt` (epoch seconds).
   */
  claim(nonce: string, at: string, expiresAt: number): Promise<boolean> {
    return conditionalWrite(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [PK.name]: USED, [SK.name]: nonce, outcome: 'in progress', at, expiresAt },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK.name },
        }),
      ),
    );
  }

  /** Records what the claimed token did. */
  async settle(nonce: string, outcome: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [PK.name]: USED, [SK.name]: nonce },
        UpdateExpression: 'SET outcome = :o',
        ExpressionAttributeValues: { ':o': outcome.slice(0, 200) },
      }),
    );
  }

  /** Gives a claimed token back (the action failed inside certvigil: the person may try again). */
  async release(nonce: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { [PK.name]: USED, [SK.name]: nonce } }));
  }

  /** Counts one request of `caller` in the current minute; returns the minute's count so far. */
  async count(caller: string, now: Date): Promise<number> {
    const minute = Math.floor(now.getTime() / 60_000);
    const answer = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [PK.name]: RATE, [SK.name]: `${caller.slice(0, 64)}#${minute}` },
        UpdateExpression: 'ADD n :one SET expiresAt = if_not_exists(expiresAt, :ttl)',
        ExpressionAttributeValues: { ':one': 1, ':ttl': (minute + 2) * 60 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(answer.Attributes?.n ?? 1);
  }
}
