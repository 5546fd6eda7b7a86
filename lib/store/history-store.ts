import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Acknowledgement } from '../policy/acknowledgements.ts';
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
  /** The full result of the check (absent on an acknowledgement's row). */
  result?: CheckResult | undefined;
  /** An acknowledgement's or a snooze's row (`change` acknowledged or snoozed): of which event, and who. */
  acknowledgement?: (Acknowledgement & { event: string; eventId: string }) | undefined;
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

  /**
   * An acknowledgement or a snooze in the target's timeline (issue 31), beside its checks: a row
   * without a result, keyed a moment after any check of the same millisecond.
   */
  async appendAcknowledgement(
    target: string,
    status: CheckResult['status'],
    acknowledgement: NonNullable<HistoryRecord['acknowledgement']>,
  ): Promise<HistoryRecord> {
    const record: HistoryRecord = {
      target,
      checkedAt: `${acknowledgement.at}~${acknowledgement.kind}`,
      expiresAt: Math.floor(Date.parse(acknowledgement.at) / 1000) + this.ttlDays * 86_400,
      status,
      change: acknowledgement.kind === 'snooze' ? 'snoozed' : 'acknowledged',
      acknowledgement,
    };
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: record }));
    return record;
  }

  /** The newest check of a target's timeline, with its full result (acknowledgements passed over). */
  async latest(target: string): Promise<HistoryRecord | undefined> {
    // The newest row is a check almost always: one row read; past acknowledgements only when not.
    const [newest] = await this.recent(target, 1);
    if (!newest || newest.result !== undefined) return newest;
    return (await this.recent(target, 10)).find((row) => row.result !== undefined);
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
