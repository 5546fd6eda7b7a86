// The owner directory's items (issue 31), in the directory table (table-schema.ts): one per owner
// (its routes, a version for conditional writes, and the addresses whose SNS subscription is not
// yet brought in line) and one per routed address (the owners it serves, as string sets changed
// atomically, and the subscription made for it with the policy last applied).
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { conditionalUpdate, conditionalWrite } from './document-client.ts';
import { DIRECTORY_TABLE } from './table-schema.ts';

export interface OwnerEntry {
  name: string;
  /** Receive every message about the owner's targets. */
  emails: string[];
  /** Receive the owner's escalations only (also sent to `emails`). */
  escalationEmails: string[];
  updatedAt: string;
  updatedBy: string;
  version: number;
  /** Addresses whose subscription was not yet brought in line with the entry (a retry finishes them). */
  pending?: string[] | undefined;
  /** The owner's own channels (their values are kept apart: notify/owner-channels.ts). */
  channels?: string[] | undefined;
}

export interface AddressEntry {
  email: string;
  /** Owners whose every message the address receives. */
  all: string[];
  /** Owners whose escalations (only) the address receives. */
  escalation: string[];
  subscriptionArn?: string | undefined;
  /** The filter policy last applied to that subscription (JSON). */
  appliedPolicy?: string | undefined;
}

const { partitionKey: PK, sortKey: SK } = DIRECTORY_TABLE;
const OWNER = 'owner';
const ADDRESS = 'address';

export class VersionConflict extends Error {}

export class DirectoryStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  async getOwner(name: string): Promise<OwnerEntry | undefined> {
    const read = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { [PK.name]: OWNER, [SK.name]: name }, ConsistentRead: true }),
    );
    return read.Item ? ownerOf(read.Item) : undefined;
  }

  /** One page of owners by name, after `after`. */
  async listOwners(limit: number, after?: string): Promise<{ owners: OwnerEntry[]; last: string | undefined }> {
    const owners: OwnerEntry[] = [];
    let start: Record<string, unknown> | undefined = after ? { [PK.name]: OWNER, [SK.name]: after } : undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :owner',
          ExpressionAttributeNames: { '#pk': PK.name },
          ExpressionAttributeValues: { ':owner': OWNER },
          Limit: limit - owners.length,
          ExclusiveStartKey: start,
        }),
      );
      owners.push(...(page.Items ?? []).map(ownerOf));
      start = page.LastEvaluatedKey;
    } while (start && owners.length < limit);
    return { owners, last: start ? (owners.at(-1)?.name ?? undefined) : undefined };
  }

  /** Writes the entry if the stored one has version `expected` (undefined: none stored). */
  async putOwner(entry: OwnerEntry, expected: number | undefined): Promise<void> {
    const written = await conditionalWrite(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [PK.name]: OWNER,
            [SK.name]: entry.name,
            emails: entry.emails,
            escalationEmails: entry.escalationEmails,
            updatedAt: entry.updatedAt,
            updatedBy: entry.updatedBy,
            version: entry.version,
            ...(entry.pending?.length ? { pending: entry.pending } : {}),
            ...(entry.channels?.length ? { channels: entry.channels } : {}),
          },
          ...versionCondition(expected),
        }),
      ),
    );
    if (!written) throw new VersionConflict();
  }

  /** Marks every address of the entry at `version` as in line (a later write keeps its own). */
  async clearPending(name: string, version: number): Promise<void> {
    await conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { [PK.name]: OWNER, [SK.name]: name },
      UpdateExpression: 'REMOVE pending',
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': version },
    });
  }

  async deleteOwner(name: string, expected: number): Promise<void> {
    const deleted = await conditionalWrite(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [PK.name]: OWNER, [SK.name]: name },
          ...versionCondition(expected),
        }),
      ),
    );
    if (!deleted) throw new VersionConflict();
  }

  async getAddress(email: string): Promise<AddressEntry | undefined> {
    const read = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [PK.name]: ADDRESS, [SK.name]: email },
        ConsistentRead: true,
      }),
    );
    return read.Item ? addressOf(read.Item) : undefined;
  }

  /** Sets how `email` serves `owner` (null: not at all), atomically beside other owners' changes. */
  async routeAddress(email: string, owner: string, route: 'all' | 'escalation' | null): Promise<AddressEntry> {
    const set = new Set([owner]);
    const add =
      route === 'all' ? 'ADD #all :o DELETE #esc :o' : route === 'escalation' ? 'ADD #esc :o DELETE #all :o' : '';
    const written = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [PK.name]: ADDRESS, [SK.name]: email },
        UpdateExpression: route === null ? 'DELETE #all :o, #esc :o' : add,
        ExpressionAttributeNames: { '#all': 'all', '#esc': 'escalation' },
        ExpressionAttributeValues: { ':o': set },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return addressOf(written.Attributes ?? { [SK.name]: email });
  }

  /** Records the subscription made for `email` and the policy applied to it. */
  async recordSubscription(email: string, subscriptionArn: string, appliedPolicy: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [PK.name]: ADDRESS, [SK.name]: email },
        UpdateExpression: 'SET subscriptionArn = :arn, appliedPolicy = :policy',
        ExpressionAttributeValues: { ':arn': subscriptionArn, ':policy': appliedPolicy },
      }),
    );
  }

  /** Removes the address's item if no owner routes to it any more (true: removed). */
  async dropUnrouted(email: string): Promise<boolean> {
    return conditionalWrite(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [PK.name]: ADDRESS, [SK.name]: email },
          ConditionExpression: 'attribute_not_exists(#all) AND attribute_not_exists(#esc)',
          ExpressionAttributeNames: { '#all': 'all', '#esc': 'escalation' },
        }),
      ),
    );
  }
}

function versionCondition(expected: number | undefined) {
  return expected === undefined
    ? { ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': SK.name } }
    : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expected } };
}

function strings(value: unknown): string[] {
  if (value instanceof Set) return [...value].map(String).sort();
  return Array.isArray(value) ? value.map(String) : [];
}

function ownerOf(item: Record<string, unknown>): OwnerEntry {
  const pending = strings(item.pending);
  const channels = strings(item.channels);
  return {
    name: String(item[SK.name]),
    emails: strings(item.emails),
    escalationEmails: strings(item.escalationEmails),
    updatedAt: String(item.updatedAt ?? ''),
    updatedBy: String(item.updatedBy ?? ''),
    version: Number(item.version ?? 0),
    ...(pending.length ? { pending } : {}),
    ...(channels.length ? { channels } : {}),
  };
}

function addressOf(item: Record<string, unknown>): AddressEntry {
  return {
    email: String(item[SK.name]),
    all: strings(item.all),
    escalation: strings(item.escalation),
    ...(typeof item.subscriptionArn === 'string' ? { subscriptionArn: item.subscriptionArn } : {}),
    ...(typeof item.appliedPolicy === 'string' ? { appliedPolicy: item.appliedPolicy } : {}),
  };
}
