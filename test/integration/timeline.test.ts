// History as a timeline of changes, through DynamoDB Local and a real TLS server: a quiet check
// writes one compact item and nothing else; a change (new certificate, status, error kind) adds a
// timeline row holding the full result, which the admin API shows for the target.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { handleAdminRequest } from '../../lib/admin/admin-api.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { TLS_READERS } from '../../lib/sources/tls/readers.ts';
import { HistoryStore } from '../../lib/store/history-store.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let store: TargetStore;
let history: HistoryStore;
let server: RunningServer;
let healthy: Minted;
let renewed: Minted;
let wrongName: Minted;

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  history = new HistoryStore(tables.doc, tables.names.history);
  const { certPem, keyPem } = inject('testCa');
  const root = await importCa(certPem, keyPem);
  const sans = ['127.0.0.1', 'localhost', 'www.example.com', 'example.com'];
  healthy = await issueCertificate(root, { sans, notBefore: daysFromNow(-10), notAfter: daysFromNow(80) });
  renewed = await issueCertificate(root, { sans, notBefore: daysFromNow(0), notAfter: daysFromNow(90) });
  wrongName = await issueCertificate(root, { sans: ['elsewhere.example'], notAfter: daysFromNow(90) });
  server = await startTlsServer(credentials(healthy));
});
afterAll(async () => {
  await server.close();
  await tables.drop();
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

function deps(overrides: { timelineRefreshMs?: number } = {}) {
  return { ...testMonitor(tables, TLS_READERS), ...overrides };
}

describe('history as a timeline of changes', () => {
  it('records the first check, changes only, and shows the full latest result through the admin API', async () => {
    const target = normalizeTarget({ host: `127.0.0.1:${server.port}` });
    await store.putTarget(target, new Date());
    server.setCredentials?.(credentials(healthy));
    const changes: (string | undefined)[] = [];
    const check = async (d = deps()) => changes.push((await probeTarget(d, target)).changed);

    await check(); // first
    await check(); // quiet
    await check(); // quiet
    server.setCredentials?.(credentials(renewed));
    await check(); // a new certificate (renewed: an event)
    await check(); // quiet
    server.setCredentials?.(credentials(wrongName));
    await check(); // invalid: status (and an event)
    server.setCredentials?.(credentials(renewed));
    await check(); // valid again: recovered
    await check(deps({ timelineRefreshMs: 0 })); // unchanged, but the newest row is due a refresh
    // News is named by its event: the renewal as `renewed`.
    expect(changes).toEqual(['first', undefined, undefined, 'renewed', undefined, 'invalid', 'recovered', 'refresh']);

    const rows = await history.recent(target.id, 50);
    expect(rows.map((r) => r.change)).toEqual(['refresh', 'recovered', 'invalid', 'renewed', 'first']);
    // A late run (an older check arriving after a newer one was recorded) adds nothing.
    const older = { ...(rows[4]?.result as NonNullable<(typeof rows)[number]['result']>), status: 'expired' as const };
    const late = await probeTarget({ ...deps(), check: async () => older }, target);
    expect(late.changed).toBeUndefined();
    expect(await history.recent(target.id, 50)).toHaveLength(5);
    expect(rows[0]?.result?.sans).toEqual(['127.0.0.1', 'localhost', 'www.example.com', 'example.com']);

    // The item keeps a compact copy; the admin API adds the lists from the newest row.
    const stored = await store.getTarget(target.id);
    expect(stored?.state?.result).toMatchObject({ status: 'ok', sans: [], chain: [], certificates: [] });
    const raw = (await tables.doc.send(new GetCommand({ TableName: tables.names.targets, Key: { id: target.id } })))
      .Item;
    expect(Object.keys(raw?.state.result)).not.toContain('sans');
    expect(raw?.state.certificate).toBeUndefined(); // the result's own: not repeated
    expect(stored?.state?.timelineAt).toBe(rows[0]?.checkedAt);
    const view = await handleAdminRequest(
      {
        method: 'GET',
        path: `/targets/${encodeURIComponent(target.id)}`,
        query: new URLSearchParams(),
        headers: {},
        body: undefined,
      },
      { targets: store, history, probe: async () => ({}) as never, guard: undefined },
    );
    const lastCheck = JSON.parse(view.body).lastCheck;
    expect(lastCheck.sans).toEqual(['127.0.0.1', 'localhost', 'www.example.com', 'example.com']);
    expect(lastCheck.certificates).toHaveLength(1);
    expect(lastCheck.fingerprint256).toBe(stored?.state?.result.fingerprint256);
  });

  it('keeps the target item small: a quiet check of a typical certificate writes one unit', async () => {
    const target = normalizeTarget({ host: `localhost:${server.port}` });
    await store.putTarget(target, new Date());
    server.setCredentials?.(credentials(healthy));
    await probeTarget(deps(), target);
    await probeTarget(deps(), target);
    const raw = (await tables.doc.send(new GetCommand({ TableName: tables.names.targets, Key: { id: target.id } })))
      .Item;
    // As the store keeps it (JSON overstates DynamoDB's own measure of an item a little).
    expect(Buffer.byteLength(JSON.stringify(raw))).toBeLessThan(1300);
  });
});
