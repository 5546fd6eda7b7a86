// The certificate inventory: one item per certificate (by fingerprint) with the locations that
// serve or publish it now, its replacement links and its rollout. Written only when a location's
// certificate changes, never on a quiet check. Locations are `target<TAB>where` strings in a
// string set (ADD and DELETE are idempotent, so a repeated or concurrent probe writes the same).

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, ScanCommand, type ScanCommandOutput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Refusal } from '../inventory/locations.ts';
import type { CertificateEntry } from '../policy/check-result.ts';
import { boundText, LIMITS } from '../text-bounds.ts';
import { type CertificateItem, CT_KEY_PREFIX } from './certificate-item.ts';
import { CertificateLists, certificateExpiryKey, SERVED } from './certificate-lists.ts';
import { isConditionFailure } from './document-client.ts';

export type { CertificateItem } from './certificate-item.ts';

/** Most locations one certificate item records (a wildcard on thousands of hosts stops there). */
export const MAX_CERTIFICATE_LOCATIONS = 1_000;
export function locationKey(target: string, where: string): string {
  return `${target}\t${where}`;
}

export function splitLocation(key: string): { target: string; where: string } {
  const tab = key.indexOf('\t');
  return { target: key.slice(0, tab), where: key.slice(tab + 1) };
}

export class CertificateStore {
  private readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Pages of the inventory from its lists index, soonest expiry first. */
  readonly lists: CertificateLists;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.doc = doc;
    this.tableName = tableName;
    this.lists = new CertificateLists(doc, tableName);
  }

  /**
   * Records that `location` serves the certificate (idempotent), and whether it refuses it there;
   * `replaces` links the one it replaced.
   */
  async addLocation(
    entry: Pick<CertificateEntry, 'subject' | 'issuer' | 'notBefore' | 'notAfter' | 'lifetimeDays' | 'namesKey'> & {
      fingerprint256: string;
    },
    location: string,
    now: Date,
    replaces?: string,
    refusal?: Refusal,
  ): Promise<void> {
    const values: Record<string, unknown> = {
      ':subject': entry.subject,
      ':issuer': entry.issuer,
      ':notBefore': entry.notBefore,
      ':notAfter': entry.notAfter,
      ':lifetime': entry.lifetimeDays,
      ':names': entry.namesKey,
      ':now': now.toISOString(),
      ':loc': new Set([location]),
      ':max': MAX_CERTIFICATE_LOCATIONS,
      // Its place in the lists index: served now, by expiry.
      ':served': SERVED,
      ':key': certificateExpiryKey(entry.fingerprint256, entry.notAfter),
    };
    if (replaces) values[':replaces'] = new Set([replaces]);
    if (refusal) values[':refusal'] = refusalAttribute(refusal, now, location);
    const verdict = refusal ? ', refusedLocs :loc' : ' DELETE refusedLocs :loc';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { fingerprint256: entry.fingerprint256 },
          UpdateExpression: `SET subject = if_not_exists(subject, :subject), issuer = if_not_exists(issuer, :issuer), notBefore = if_not_exists(notBefore, :notBefore), notAfter = if_not_exists(notAfter, :notAfter), lifetimeDays = if_not_exists(lifetimeDays, :lifetime), namesKey = if_not_exists(namesKey, :names), firstSeen = if_not_exists(firstSeen, :now), lastSeen = :now, certList = :served, certExpiry = :key${refusal ? ', refusal = :refusal' : ''} ADD locs :loc${replaces ? ', replaces :replaces' : ''}${verdict}`,
          ConditionExpression: 'attribute_not_exists(locs) OR size(locs) < :max OR contains(locs, :locText)',
          ExpressionAttributeValues: { ...values, ':locText': location },
        }),
      );
    } catch (error) {
      // At the cap: the certificate is recorded, further locations are not.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Records that `location` no longer serves the certificate (idempotent), and, when a
   * replacement took its place there, the link and the start of the rollout. Returns the item
   * as it is now (undefined when it was never recorded).
   */
  async removeLocation(
    fingerprint256: string,
    location: string,
    now: Date,
    replacedBy?: string,
  ): Promise<CertificateItem | undefined> {
    const values: Record<string, unknown> = { ':loc': new Set([location]) };
    let update = 'DELETE locs :loc, refusedLocs :loc';
    if (replacedBy) {
      values[':by'] = replacedBy;
      values[':now'] = now.toISOString();
      update = `SET replacedBy = :by, rolloutSince = if_not_exists(rolloutSince, :now) ADD movedLocs :loc ${update}`;
    }
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { fingerprint256 },
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(fingerprint256)',
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = result.Attributes as CertificateItem | undefined;
      // Its last location gone (DynamoDB drops an emptied set): listed as served nowhere, unless
      // a location came back meanwhile (the write is conditional on none).
      if (item && !item.locs?.size) await this.lists.markGone(fingerprint256, item.notAfter);
      return item;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * Records that `location`, which still serves the certificate, now refuses it (and why) or
   * accepts it (idempotent). A location past the cap, which `locs` does not hold, is not recorded.
   */
  async setVerdict(fingerprint256: string, location: string, now: Date, refusal?: Refusal): Promise<void> {
    const loc = new Set([location]);
    const input = refusal
      ? {
          UpdateExpression: 'SET refusal = :refusal ADD refusedLocs :loc',
          ConditionExpression: 'contains(locs, :locText)',
          ExpressionAttributeValues: {
            ':refusal': refusalAttribute(refusal, now, location),
            ':loc': loc,
            ':locText': location,
          },
        }
      : {
          UpdateExpression: 'DELETE refusedLocs :loc',
          ConditionExpression: 'attribute_exists(fingerprint256)',
          ExpressionAttributeValues: { ':loc': loc },
        };
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: { fingerprint256 }, ...input }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async get(fingerprint256: string): Promise<CertificateItem | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { fingerprint256 } }));
    return result.Item as CertificateItem | undefined;
  }

  /** Every certificate (for the API's list and the report's certificates view). */
  async all(): Promise<CertificateItem[]> {
    const items: CertificateItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: ScanCommandOutput = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          ExclusiveStartKey: startKey,
          // CT discovery keeps its positions and seen issuances here too (ct-state-store.ts).
          FilterExpression: 'NOT begins_with(fingerprint256, :ct)',
          ExpressionAttributeValues: { ':ct': CT_KEY_PREFIX },
        }),
      );
      items.push(...((page.Items ?? []) as CertificateItem[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** The conditional update that announces a rollout event once (for a transaction). */
  claimInput(fingerprint256: string, which: 'complete' | 'stalled', eventId: string) {
    const attribute = which === 'complete' ? 'announcedComplete' : 'announcedStalled';
    return {
      Update: {
        TableName: this.tableName,
        Key: { fingerprint256 },
        UpdateExpression: `SET ${attribute} = :event`,
        ConditionExpression: `attribute_exists(fingerprint256) AND attribute_not_exists(${attribute})`,
        ExpressionAttributeValues: { ':event': eventId },
      },
    };
  }
}

function refusalAttribute(refusal: Refusal, now: Date, location: string): NonNullable<CertificateItem['refusal']> {
  return {
    status: refusal.status,
    problem: boundText(refusal.problem, LIMITS.message),
    at: now.toISOString(),
    location,
  };
}

/** Rollout progress of a replaced certificate, from its item. */
export function rolloutOf(item: CertificateItem): { done: number; total: number; since: string } | undefined {
  if (!item.replacedBy || !item.rolloutSince) return undefined;
  const still = item.locs ?? new Set<string>();
  // A location that moved back (a flapping load balancer) counts as not done.
  const done = [...(item.movedLocs ?? [])].filter((l) => !still.has(l)).length;
  return { done, total: done + still.size, since: item.rolloutSince };
}
