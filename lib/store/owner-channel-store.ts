// Local mode's store of owners' channel values (issue 31): in the directory table (partition
// `owner-channel`), on the user's own machine. Deployed, the values are secrets in Secrets Manager
// instead (notify/owner-channels.ts), and never in DynamoDB.
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ChannelName } from '../notify/channels/channel.ts';
import type { OwnerChannelValues } from '../notify/owner-channels.ts';
import { DIRECTORY_TABLE } from './table-schema.ts';

const { partitionKey: PK, sortKey: SK } = DIRECTORY_TABLE;
const OWNER_CHANNEL = 'owner-channel';

export class LocalOwnerChannels implements OwnerChannelValues {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  private key(owner: string, channel: ChannelName) {
    return { [PK.name]: OWNER_CHANNEL, [SK.name]: `${channel}\n${owner}` };
  }

  async put(owner: string, channel: ChannelName, value: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...this.key(owner, channel), value } }));
  }

  async remove(owner: string, channel: ChannelName): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(owner, channel) }));
  }

  async get(owner: string, channel: ChannelName): Promise<string | undefined> {
    const read = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: this.key(owner, channel) }));
    return typeof read.Item?.value === 'string' ? read.Item.value : undefined;
  }
}
