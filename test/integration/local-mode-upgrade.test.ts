// Issue 30: a local mode data directory kept from a release before the lists index and the summary
// (its targets table has only the due-soon index; its items no list keys and no facts). Local mode
// adds the index, and the recount it runs at start lists the old targets and counts them.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { type LocalMode, startLocalMode } from '../../lib/local/local-mode.ts';
import { compactState } from '../../lib/store/compact-result.ts';
import { documentClient } from '../../lib/store/document-client.ts';
import { CERTIFICATES_TABLE, createTableInputs, TARGETS_TABLE } from '../../lib/store/table-schema.ts';
import { checkResult, DAY } from '../fixtures/check-results.ts';

const TOKEN = 'upgrade-token-0123456789abcdef';
const NAMES = { targets: 'certvigil-targets', history: 'certvigil-history', certificates: 'certvigil-certificates' };
let dir: string;
let local: LocalMode | undefined;
const printed: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certvigil-upgrade-'));
  mkdirSync(join(dir, 'dynamodb'));
  // The earlier release's tables and items, written to the data directory.
  const ddb = await startDynamoDbLocal({ dataDir: join(dir, 'dynamodb'), warn: () => undefined });
  const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  try {
    for (const input of createTableInputs(NAMES)) {
      const indexes = input.GlobalSecondaryIndexes?.filter(
        (i) =>
          i.IndexName !== TARGETS_TABLE.listIndex.indexName && i.IndexName !== CERTIFICATES_TABLE.listIndex.indexName,
      );
      await client.send(
        new CreateTableCommand({
          ...input,
          GlobalSecondaryIndexes: indexes?.length ? indexes : undefined,
          AttributeDefinitions: input.AttributeDefinitions?.filter(
            (a) => !['listStatus', 'listExpiry', 'certList', 'certExpiry'].includes(a.AttributeName as string),
          ),
        }),
      );
    }
    const doc = documentClient(client);
    for (const [k, status] of (['critical', 'ok', 'warning'] as const).entries()) {
      const id = `old-${k}.example.com:443`;
      const result = checkResult({
        target: id,
        status,
        notAfter: new Date(Date.now() + (k + 1) * 10 * DAY).toISOString(),
      });
      await doc.send(
        new PutCommand({
          TableName: NAMES.targets,
          Item: {
            id,
            host: `old-${k}.example.com`,
            port: 443,
            kind: 'tls',
            enabled: true,
            tags: [],
            owner: 'legacy',
            createdAt: new Date().toISOString(),
            updatedAt: new Date().toISOString(),
            nextCheckAt: Date.now() + DAY,
            version: 3,
            pending: {},
            sent: {},
            state: compactState({
              result,
              certificate: null,
              consecutiveFailures: 0,
              failingSince: null,
              unreachableAnnounced: false,
              announced: null,
            }),
          },
        }),
      );
    }
    // Two certificates the earlier release recorded: one served, one served nowhere any more.
    for (const [k, served] of [true, false].entries()) {
      await doc.send(
        new PutCommand({
          TableName: NAMES.certificates,
          Item: {
            fingerprint256: `${String(k).repeat(2)}${':AB'.repeat(31)}`,
            subject: `CN=old-${k}.example.com`,
            issuer: 'CN=Old CA',
            notBefore: new Date(Date.now() - 10 * DAY).toISOString(),
            notAfter: new Date(Date.now() + (k + 1) * 10 * DAY).toISOString(),
            lifetimeDays: 90,
            namesKey: `old-${k}.example.com`,
            firstSeen: new Date().toISOString(),
            lastSeen: new Date().toISOString(),
            ...(served ? { locs: new Set([`old-${k}.example.com:443\t192.0.2.1`]) } : {}),
          },
        }),
      );
    }
  } finally {
    client.destroy();
    await ddb.stop();
  }
}, 120_000);

afterAll(async () => {
  await local?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('local mode on a data directory from an earlier release', () => {
  it('adds the lists index, and lists and counts the old targets after its recount', async () => {
    local = await startLocalMode({
      port: 0,
      dataDir: dir,
      intervalSeconds: 3600,
      token: TOKEN,
      print: (text) => void printed.push(text),
    });
    expect(printed.join('')).toContain('added the lists index to certvigil-targets');
    const get = async (path: string): Promise<ReturnType<typeof JSON.parse>> =>
      (await fetch(`${local?.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    let listed: { id: string; lastCheck: { status: string } }[] = [];
    for (let i = 0; i < 100 && listed.length < 3; i++) {
      const answer = await get('/targets');
      if (!answer.items) throw new Error(JSON.stringify(answer));
      listed = answer.items;
      if (listed.length < 3) await new Promise((r) => setTimeout(r, 100));
    }
    // Soonest expiry first, each with its state as the earlier release stored it.
    expect(listed.map((t) => [t.id, t.lastCheck.status])).toEqual([
      ['old-0.example.com:443', 'critical'],
      ['old-1.example.com:443', 'ok'],
      ['old-2.example.com:443', 'warning'],
    ]);
    // The counters follow once the recount has read every target.
    let summary = await get('/summary');
    for (let i = 0; i < 100 && !summary.recount; i++) {
      await new Promise((r) => setTimeout(r, 100));
      summary = await get('/summary');
    }
    expect(summary).toMatchObject({ targets: 3, byStatus: { critical: 1, ok: 1, warning: 1 } });
    expect(summary.owners.top).toEqual([{ owner: 'legacy', targets: 3 }]);
    expect(summary.recount).toMatchObject({ targets: 3, itemsRepaired: 3 });
    expect(printed.join('')).toContain('summary recount: 3 targets listed again');
    // The certificates too: their index added, and both listed by the recount, served one first.
    expect(printed.join('')).toContain('added the certificate-lists index to certvigil-certificates');
    let certificates: { subject: string; locationCount: number }[] = [];
    for (let i = 0; i < 100 && certificates.length < 2; i++) {
      certificates = (await get('/certificates?limit=10')).items;
      if (certificates.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(certificates.map((c) => [c.subject, c.locationCount])).toEqual([
      ['CN=old-0.example.com', 1],
      ['CN=old-1.example.com', 0],
    ]);
    expect(printed.join('')).toContain('summary recount: 2 certificates listed again');
  }, 120_000);
});
