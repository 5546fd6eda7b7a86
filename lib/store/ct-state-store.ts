// What Certificate Transparency discovery remembers, kept in the certificates table under keys that
// are never fingerprints (`ct:position:…`, `ct:seen:…`): where each provider's reading of each
// domain stopped, and which issuances have been handled (so a precertificate and its certificate,
// or two runs at once, are news once).
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CT_KEY_PREFIX } from './certificate-item.ts';
import { isConditionFailure } from './document-client.ts';

export class CtStateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  /** Where reading `domain` from `provider` stopped; null when it never has (read from the start). */
  async position(provider: string, domain: string): Promise<string | null> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { fingerprint256: positionKey(provider, domain) },
        ConsistentRead: true,
      }),
    );
    return typeof Item?.position === 'string' ? Item.position : null;
  }

  /** Keeps the position reached (a later run goes on from there). Last writer wins: runs reach the same position. */
  async setPosition(provider: string, domain: string, position: string, at: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { fingerprint256: positionKey(provider, domain) },
        UpdateExpression: 'SET #position = :position, updatedAt = :at',
        ExpressionAttributeNames: { '#position': 'position' },
        ExpressionAttributeValues: { ':position': position, ':at': at.toISOString() },
      }),
    );
  }

  /** Whether an issuance has been handled already (strongly consistent: two runs may race). */
  async seen(key: string): Promise<boolean> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { fingerprint256: seenKey(key) }, ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  /** Records an issuance as handled; idempotent (a second run's write changes nothing). */
  async markSeen(key: string, facts: { names: string[]; issuer: string; notAfter: string }, at: Date): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { fingerprint256: seenKey(key), ...facts, seenAt: at.toISOString() },
          ConditionExpression: 'attribute_not_exists(fingerprint256)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

function positionKey(provider: string, domain: string): string {
  return `${CT_KEY_PREFIX}position:${provider}:${domain}`;
}

function seenKey(key: string): string {
  return `${CT_KEY_PREFIX}seen:${key}`;
}
