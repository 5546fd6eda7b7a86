import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CheckResult } from '../policy/check-result.ts';

/** Default days a check stays in the history. */
export const DEFAULT_HISTORY_TTL_DAYS = 400;

/**
 * One row of a target's timeline: a check that changed something (see monitor/timeline.ts), why,
 * and its full result (the target's item keeps only a compact copy).
 */
export interface HistoryRecord {
  target: string;
  checkedAt: string;
  expiresAt: number;
  status: CheckResult['status'];
  /** Why this check is in the timeline. */
  change?: string | undefined;
  /** The full result of the check. */
  result?: CheckResult | undefined;
}

export class HistoryStore {
  private readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  private readonly ttlDays: number;

  constructor(doc: DynamoDBDocumentClient, tableName: string, ttlDays = DEFAULT_HISTORY_TTL_DAYS) {
    this.doc = doc;
    this.tableName = tableName;
    this.ttlDays = ttlDays;
  }

  async append(result: CheckResult, change?: string): Promise<HistoryRecord> {
    const record: HistoryRecord = {
      target: result.target,
      checkedAt: result.checkedAt,
      expiresAt: Math.floor(Date.parse(result.checkedAt) / 1000) + this.ttlDays * 86_400,
      status: result.status,
      change,
      result,
    };
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: record }));
    return record;
  }

  /** The newest timeline row of a target, with its full result. */
  async latest(target: string): Promise<HistoryRecord | undefined> {
    return (await this.recent(target, 1))[0];
  }

  /** The newest checks of a target, newest first. */
  async recent(target: string, limit = 20): Promise<HistoryRecord[]> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#t = :t',
        ExpressionAttributeNames: { '#t': 'target' },
        ExpressionAttributeValues: { ':t': target },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (result.Items ?? []) as HistoryRecord[];
  }
}
