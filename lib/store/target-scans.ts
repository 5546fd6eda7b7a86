// The targets table read whole, for maintenance and the dispatcher: every target a page at a time
// (parallel scan segments; the summary's recount, discovery's comparison), the enabled targets due
// (the round's scan) and those due soon (the sparse index). Never what a person reads: those are
// pages of the lists index (target-lists.ts).
import { type DynamoDBDocumentClient, QueryCommand, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { TARGET_SETTINGS, type Target } from '../targets/target-schema.ts';
import { expandItem } from './compact-result.ts';
import { projectionOf } from './document-client.ts';
import type { DuePage, StoredTarget } from './stored-target.ts';
import { DUE_SOON, TARGETS_TABLE } from './table-schema.ts';

export class TargetScans {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  /**
   * Every target. With `fields`, only those attributes are read back (nested paths such as
   * `state.result.notAfter` allowed), which keeps a 100,000-target inventory small in memory.
   */
  async all(fields?: readonly string[]): Promise<StoredTarget[]> {
    const all: StoredTarget[] = [];
    await this.eachPage(fields, async (items) => {
      all.push(...items);
    });
    return all;
  }

  /**
   * Every target, a page (about 1 MB of items) at a time, handed to `visit` before the next page
   * is read: memory holds one page per segment whatever the inventory's size. `segments` scan in
   * parallel (DynamoDB's parallel scan). For maintenance (the summary's recount), never for what a
   * person reads.
   */
  async eachPage(
    fields: readonly string[] | undefined,
    visit: (items: StoredTarget[]) => Promise<void>,
    segments = 1,
  ): Promise<void> {
    const names: Record<string, string> = {};
    const projection = fields ? projectionOf(fields, names) : undefined;
    const segment = async (index: number) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        const result: ScanCommandOutput = await this.doc.send(
          new ScanCommand({
            TableName: this.tableName,
            ExclusiveStartKey: startKey,
            ...(segments > 1 ? { Segment: index, TotalSegments: segments } : {}),
            ...(projection ? { ProjectionExpression: projection, ExpressionAttributeNames: names } : {}),
          }),
        );
        await visit(((result.Items ?? []) as StoredTarget[]).map((item) => expandItem(item)));
        startKey = result.LastEvaluatedKey;
      } while (startKey);
    };
    await Promise.all(Array.from({ length: segments }, (_, i) => segment(i)));
  }

  /**
   * One page of one segment of a parallel scan, keeping the enabled targets due at `dueBy`
   * and reading only their settings.
   */
  async due(options: {
    segment: number;
    totalSegments: number;
    dueBy: number;
    startKey?: Record<string, unknown> | undefined;
    pageSize?: number;
  }): Promise<DuePage> {
    const names: Record<string, string> = { '#id': 'id', '#enabled': 'enabled', '#next': 'nextCheckAt' };
    for (const field of TARGET_SETTINGS) names[`#${field}`] = field;
    const result: ScanCommandOutput = await this.doc.send(
      new ScanCommand({
        TableName: this.tableName,
        Segment: options.segment,
        TotalSegments: options.totalSegments,
        ExclusiveStartKey: options.startKey,
        Limit: options.pageSize ?? 1000,
        FilterExpression: '#enabled = :true AND #next <= :dueBy',
        ProjectionExpression: ['#id', ...TARGET_SETTINGS.map((f) => `#${f}`)].join(', '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':true': true, ':dueBy': options.dueBy },
      }),
    );
    return {
      targets: (result.Items ?? []) as Target[],
      nextKey: result.LastEvaluatedKey,
      scanned: result.ScannedCount ?? 0,
    };
  }

  /**
   * One page of the enabled targets marked due soon (in trouble) and due by `dueBy`, from the
   * sparse index: the frequent round reads these alone, not the whole table.
   */
  async dueSoon(options: {
    dueBy: number;
    startKey?: Record<string, unknown> | undefined;
    pageSize?: number;
  }): Promise<DuePage> {
    const index = TARGETS_TABLE.dueSoonIndex;
    const names: Record<string, string> = {
      '#id': 'id',
      '#enabled': 'enabled',
      '#soon': index.partitionKey.name,
      '#next': index.sortKey.name,
    };
    for (const field of TARGET_SETTINGS) names[`#${field}`] = field;
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#soon = :soon AND #next <= :dueBy',
        ExclusiveStartKey: options.startKey,
        Limit: options.pageSize ?? 1000,
        FilterExpression: '#enabled = :true',
        ProjectionExpression: ['#id', ...TARGET_SETTINGS.map((f) => `#${f}`)].join(', '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':true': true, ':dueBy': options.dueBy, ':soon': DUE_SOON },
      }),
    );
    return {
      targets: (result.Items ?? []) as Target[],
      nextKey: result.LastEvaluatedKey,
      scanned: result.ScannedCount ?? 0,
    };
  }
}
