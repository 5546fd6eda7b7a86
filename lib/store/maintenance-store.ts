// Maintenance windows (policy/maintenance.ts) in the directory table, partition `maintenance`, sort
// key the window's id; each carries `expiresAt` (a day after it ends) for the table's TTL. The probe
// reads the whole partition (at most MAX_WINDOWS small items) at most once a minute per process.
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_WINDOWS, type MaintenanceWindow, windowEnded } from '../policy/maintenance.ts';
import { conditionalWrite } from './document-client.ts';
import { DIRECTORY_TABLE } from './table-schema.ts';

const { partitionKey: PK, sortKey: SK } = DIRECTORY_TABLE;
const MAINTENANCE = 'maintenance';
/** How long the probe trusts what it read (a new window takes effect within this). */
export const MAINTENANCE_CACHE_MS = 60_000;

export class MaintenanceStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private cached: { at: number; windows: Promise<MaintenanceWindow[]> } | undefined;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  /** Every stored window (ended ones included until the TTL removes them), at most MAX_WINDOWS + 1. */
  async list(): Promise<MaintenanceWindow[]> {
    const windows: MaintenanceWindow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :m',
          ExpressionAttributeNames: { '#pk': PK.name },
          ExpressionAttributeValues: { ':m': MAINTENANCE },
          ExclusiveStartKey: start,
        }),
      );
      windows.push(...(page.Items ?? []).map(windowOf));
      start = page.LastEvaluatedKey;
    } while (start && windows.length <= MAX_WINDOWS);
    return windows;
  }

  /** The windows as the probe sees them: read at most once per MAINTENANCE_CACHE_MS. */
  current(now = Date.now()): Promise<MaintenanceWindow[]> {
    if (!this.cached || now - this.cached.at >= MAINTENANCE_CACHE_MS) {
      const windows = this.list();
      this.cached = { at: now, windows };
      // A failed read is not kept: the next check reads again.
      windows.catch(() => {
        if (this.cached?.windows === windows) this.cached = undefined;
      });
    }
    return this.cached.windows;
  }

  async put(window: MaintenanceWindow): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [PK.name]: MAINTENANCE,
          [SK.name]: window.id,
          ...window,
          [DIRECTORY_TABLE.timeToLiveAttribute]: Math.floor(Date.parse(window.until) / 1000) + 86_400,
        },
        ConditionExpression: 'attribute_not_exists(#sk)',
        ExpressionAttributeNames: { '#sk': SK.name },
      }),
    );
    this.cached = undefined;
  }

  /** Removes a window; false when there was none. */
  async remove(id: string): Promise<boolean> {
    const removed = await conditionalWrite(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [PK.name]: MAINTENANCE, [SK.name]: id },
          ConditionExpression: 'attribute_exists(#sk)',
          ExpressionAttributeNames: { '#sk': SK.name },
        }),
      ),
    );
    if (removed) this.cached = undefined;
    return removed;
  }

  /** Removes the windows that ended (the TTL takes up to days); the ones left. */
  async prune(windows: MaintenanceWindow[], at: Date): Promise<MaintenanceWindow[]> {
    const kept: MaintenanceWindow[] = [];
    for (const w of windows) {
      if (windowEnded(w, at)) await this.remove(w.id);
      else kept.push(w);
    }
    return kept;
  }
}

function windowOf(item: Record<string, unknown>): MaintenanceWindow {
  const text = (key: string) => (typeof item[key] === 'string' ? (item[key] as string) : undefined);
  return {
    id: String(item[SK.name]),
    ...(text('target') !== undefined ? { target: text('target') } : {}),
    ...(text('tag') !== undefined ? { tag: text('tag') } : {}),
    from: text('from') ?? '',
    until: text('until') ?? '',
    ...(text('note') !== undefined ? { note: text('note') } : {}),
    by: text('by') ?? '',
    at: text('at') ?? '',
  };
}
