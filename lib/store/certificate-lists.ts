// The certificate lists index (table-schema.ts, CERTIFICATES_TABLE.listIndex): every certificate in
// partition `served` (a location serves it now) or `gone` (none does any more), ordered by expiry
// then fingerprint. GET /certificates, the report's certificates view and its export read it a
// page at a time; the daily recount lists again the certificates stored before it existed.
import { type DynamoDBDocumentClient, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CertificateItem } from './certificate-item.ts';
import { CT_KEY_PREFIX } from './certificate-item.ts';
import { isConditionFailure } from './document-client.ts';
import { expiryDigits } from './list-keys.ts';
import { CERTIFICATES_TABLE } from './table-schema.ts';

export const SERVED = 'served';
export const GONE = 'gone';
export type CertificateList = typeof SERVED | typeof GONE;

/** Served first, then those served nowhere any more: the order of the whole list. */
export const CERTIFICATE_LISTS: readonly CertificateList[] = [SERVED, GONE];

/** The sort key of a certificate: its expiry as fixed-width epoch milliseconds, then its fingerprint. */
export function certificateExpiryKey(fingerprint256: string, notAfter: string | null | undefined): string {
  return `${expiryDigits([notAfter])} ${fingerprint256}`;
}

/** Index items one request reads at most when a filter skips some (items are whole: ALL projection). */
export const CERTIFICATE_READ_BUDGET = 4_000;

/** Where a page of certificates resumes: the partition's place in `lists`, and the sort key. */
export interface CertificateCursor {
  partition: number;
  after: string | undefined;
}

export interface CertificatePageOptions {
  /** The partitions to read, in turn. */
  lists: readonly CertificateList[];
  limit: number;
  cursor?: CertificateCursor | undefined;
  /** Sort keys from here (inclusive; a prefix of digits is enough). */
  from?: string | undefined;
  /** Sort keys up to here (inclusive; a prefix of digits covers every key with those digits). */
  to?: string | undefined;
  /** A test on each item the range lets through. */
  match?: ((item: CertificateItem) => boolean) | undefined;
  budget?: number | undefined;
}

/** A certificate as its index lists it: the item, with its partition and sort key. */
export type ListedCertificate = CertificateItem & { certList?: CertificateList; certExpiry?: string };

export interface CertificatePage {
  items: ListedCertificate[];
  /** Where the next page starts; undefined when every partition is read to the end. */
  next: CertificateCursor | undefined;
  /** Index items read (matching or not). */
  read: number;
}

export class CertificateLists {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
  }

  /**
   * Up to `limit` certificates in the range, soonest expiry first, each partition of `lists` read
   * to its end before the next. A page holds fewer when the filter spent the read budget; `next`
   * then says where to go on.
   */
  async page(options: CertificatePageOptions): Promise<CertificatePage> {
    const budget = options.budget ?? CERTIFICATE_READ_BUDGET;
    const to = options.to === undefined ? undefined : `${options.to}~`;
    const items: ListedCertificate[] = [];
    let read = 0;
    let partition = options.cursor?.partition ?? 0;
    let after = options.cursor?.after;
    while (partition < options.lists.length) {
      const wanted = options.limit - items.length;
      const limit = options.match ? Math.max(1, Math.min(1_000, Math.max(wanted, budget - read))) : wanted;
      const answer = await this.query(options.lists[partition] as CertificateList, after, options.from, limit);
      read += answer.items.length;
      let ended = answer.last === undefined;
      for (const item of answer.items) {
        const key = item.certExpiry as string;
        if (to !== undefined && key > to) {
          ended = true;
          break;
        }
        after = key;
        if (options.match && !options.match(item)) continue;
        items.push(item);
        if (items.length === options.limit) return { items, next: { partition, after: key }, read };
      }
      if (ended) {
        partition += 1;
        after = undefined;
      } else after = answer.last;
      if (options.match && read >= budget && partition < options.lists.length) {
        return { items, next: { partition, after }, read };
      }
    }
    return { items, next: undefined, read };
  }

  private async query(
    list: CertificateList,
    after: string | undefined,
    from: string | undefined,
    limit: number,
  ): Promise<{ items: ListedCertificate[]; last: string | undefined }> {
    const index = CERTIFICATES_TABLE.listIndex;
    const values: Record<string, unknown> = { ':p': list };
    const names: Record<string, string> = { '#p': index.partitionKey.name };
    let condition = '#p = :p';
    // A cursor from before `from` moved (time passes between pages) starts at `from`.
    if (after !== undefined && (from === undefined || after >= from)) {
      condition += ' AND #s > :after';
      values[':after'] = after;
    } else if (from !== undefined) {
      condition += ' AND #s >= :from';
      values[':from'] = from;
    }
    if (condition.includes('#s')) names['#s'] = index.sortKey.name;
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        Limit: limit,
      }),
    );
    const last = result.LastEvaluatedKey?.[index.sortKey.name];
    return {
      items: (result.Items ?? []) as ListedCertificate[],
      last: typeof last === 'string' ? last : undefined,
    };
  }

  /**
   * Lists again every certificate whose index keys are missing or wrong (stored before the index
   * existed, or a write that failed half way): conditional on what serves it, so a probe writing at
   * the same time is never undone. Returns how many it wrote.
   */
  async relist(segments = 4): Promise<number> {
    const index = CERTIFICATES_TABLE.listIndex;
    let written = 0;
    await Promise.all(
      Array.from({ length: segments }, async (_, segment) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await this.doc.send(
            new ScanCommand({
              TableName: this.tableName,
              Segment: segment,
              TotalSegments: segments,
              ExclusiveStartKey: startKey,
              FilterExpression:
                'NOT begins_with(#fp, :ct) AND (attribute_not_exists(#p) OR attribute_not_exists(#s) OR (#p = :served AND attribute_not_exists(#locs)) OR (#p = :gone AND attribute_exists(#locs)))',
              ProjectionExpression: '#fp, #notAfter, #s',
              ExpressionAttributeNames: {
                '#fp': 'fingerprint256',
                '#notAfter': 'notAfter',
                '#locs': 'locs',
                '#p': index.partitionKey.name,
                '#s': index.sortKey.name,
              },
              ExpressionAttributeValues: { ':ct': CT_KEY_PREFIX, ':served': SERVED, ':gone': GONE },
            }),
          );
          for (const item of page.Items ?? []) {
            const fingerprint = item.fingerprint256 as string;
            const key = certificateExpiryKey(fingerprint, item.notAfter as string | null | undefined);
            if ((await this.setList(fingerprint, key, SERVED)) || (await this.setList(fingerprint, key, GONE))) {
              written += 1;
            }
          }
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }),
    );
    return written;
  }

  /** Marks a certificate served nowhere, if it still is (removeLocation's follow-up). */
  markGone(fingerprint256: string, notAfter: string | null | undefined): Promise<boolean> {
    return this.setList(fingerprint256, certificateExpiryKey(fingerprint256, notAfter), GONE);
  }

  private async setList(fingerprint256: string, key: string, list: CertificateList): Promise<boolean> {
    const index = CERTIFICATES_TABLE.listIndex;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { fingerprint256 },
          UpdateExpression: 'SET #p = :list, #s = :key',
          ConditionExpression: `attribute_exists(fingerprint256) AND ${list === SERVED ? 'attribute_exists' : 'attribute_not_exists'}(#locs)`,
          ExpressionAttributeNames: { '#p': index.partitionKey.name, '#s': index.sortKey.name, '#locs': 'locs' },
          ExpressionAttributeValues: { ':list': list, ':key': key },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
