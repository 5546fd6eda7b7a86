import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CheckResult } from '../probe/check-result.ts';

/** Default days a check stays in the history. */
export const DEFAULT_HISTORY_TTL_DAYS = 400;

/**
 * One row of a target's timeline: a check that changed something (see monitor/timeline.ts), its
 * compact facts, and its full result (the target's item keeps only a compact copy).
 */
export interface HistoryRecord {
  /** Why this check is in the timeline. */
  change?: string | undefined;
  /** The full result of the check. */
  result?: CheckResult | undefined;
  target: string;
  checkedAt: string;
  expiresAt: number;
  status: CheckResult['status'];
  daysLeft: number | null;
  notAfter: string | null;
  chainNotAfter: string | null;
  fingerprint256: string | null;
  serialNumber: string | null;
  issuer: string | null;
  tlsVersion: string | null;
  trusted: boolean | null;
  hostnameMatch: boolean | null;
  consistent: boolean;
  endpoints: { address: string; status: string; fingerprint256: string | null; errorKind: string | null }[];
  error: CheckResult['error'];
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
      change,
      result,
      target: result.target,
      checkedAt: result.checkedAt,
      expiresAt: Math.floor(Date.parse(result.checkedAt) / 1000) + this.ttlDays * 86_400,
      status: result.status,
      daysLeft: result.daysLeft,
      notAfter: result.notAfter,
      chainNotAfter: result.chainNotAfter,
      fingerprint256: result.fingerprint256,
      serialNumber: result.serialNumber,
      issuer: result.issuer,
      tlsVersion: result.tlsVersion,
      trusted: result.trusted,
      hostnameMatch: result.hostnameMatch,
      consistent: result.consistent,
      endpoints: result.endpoints.map((e) => ({
        address: e.address,
        status: e.status,
        fingerprint256: e.fingerprint256,
        errorKind: e.error?.kind ?? null,
      })),
      error: result.error,
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
