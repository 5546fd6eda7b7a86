// Adaptive cadence through DynamoDB Local and a real TLS server: a warning brings the next check
// within 6 hours, trouble within 15 minutes (and into the frequent round's sparse index), and a
// healthy certificate puts the target back on its own interval, out of the index. The frequent
// round reads the index alone and dispatches each due target once.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { dispatchRound, invokeSender, type ProbePayload } from '../../lib/dispatch/dispatch-round.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { TLS_READERS } from '../../lib/sources/tls/readers.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let store: TargetStore;
let server: RunningServer;
const certs: Record<'healthy' | 'warning' | 'critical' | 'expired' | 'renewed', Minted> = {} as never;
const MINUTE = 60_000;

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  const { certPem, keyPem } = inject('testCa');
  const root = await importCa(certPem, keyPem);
  const mint = (notBefore: number, notAfter: number) =>
    issueCertificate(root, { sans: ['127.0.0.1'], notBefore: daysFromNow(notBefore), notAfter: daysFromNow(notAfter) });
  certs.healthy = await mint(-10, 80);
  certs.warning = await mint(-345, 20); // a one-year certificate a month ahead
  certs.critical = await mint(-87, 3);
  certs.expired = await mint(-91, -1);
  certs.renewed = await mint(0, 90);
  server = await startTlsServer(credentials(certs.warning));
});
afterAll(async () => {
  await server.close();
  await tables.drop();
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

function deps() {
  return testMonitor(tables, TLS_READERS);
}

async function checkAs(cert: Minted, target: ReturnType<typeof normalizeTarget>) {
  server.setCredentials?.(credentials(cert));
  const outcome = await probeTarget(deps(), target);
  const stored = await store.getTarget(target.id);
  const checkedAt = Date.parse(outcome.result.checkedAt);
  return {
    status: outcome.result.status,
    afterMinutes: ((stored?.nextCheckAt ?? 0) - checkedAt) / MINUTE,
    soon: (stored as { dueSoon?: string } | undefined)?.dueSoon,
    events: outcome.published.map((e) => e.event),
  };
}

describe('adaptive cadence', () => {
  it('checks a warning within 6 h, trouble every 15 min, and a healthy target on its interval again', async () => {
    const target = normalizeTarget({ host: `127.0.0.1:${server.port}` });
    await store.putTarget(target, new Date());
    expect(await checkAs(certs.warning, target)).toMatchObject({
      status: 'warning',
      afterMinutes: 360,
      soon: undefined,
    });
    expect(await checkAs(certs.critical, target)).toMatchObject({ status: 'critical', afterMinutes: 15, soon: 'due' });
    expect(await checkAs(certs.expired, target)).toMatchObject({ status: 'expired', afterMinutes: 15, soon: 'due' });
    // The fix: renewed arrives on the next frequent check, and the target leaves the index.
    expect(await checkAs(certs.renewed, target)).toEqual({
      status: 'ok',
      afterMinutes: 1440,
      soon: undefined,
      events: ['renewed'],
    });
  });

  it('the frequent round reads only the targets in trouble that are due, each once', async () => {
    const troubled = normalizeTarget({ host: `127.0.0.1:${server.port}`, servername: 'trouble.invalid' });
    const healthy = normalizeTarget({ host: `localhost:${server.port}` });
    await store.putTarget(troubled, new Date());
    await store.putTarget(healthy, new Date());
    // The troubled one: a name mismatch (invalid). The healthy one: due now too, but not in trouble.
    server.setCredentials?.(credentials(certs.healthy));
    await probeTarget(deps(), troubled);
    expect((await store.getTarget(troubled.id)) as { dueSoon?: string }).toMatchObject({ dueSoon: 'due' });
    const sent: ProbePayload[] = [];
    const sender = invokeSender(async (p) => {
      sent.push(p);
    });
    // Before it is due: nothing. 15 minutes on: the troubled target alone, once.
    const early = await dispatchRound({ targets: store, sender }, { scope: 'soon', dueSlackMs: 0 });
    expect(early.dispatched).toBe(0);
    const later = new Date(Date.now() + 16 * MINUTE);
    const round = await dispatchRound(
      { targets: store, sender },
      { scope: 'soon', dueSlackMs: 0, now: () => later, pageSize: 1 },
    );
    expect(sent.map((p) => p.target.id)).toEqual([troubled.id]);
    expect(round).toMatchObject({ dispatched: 1, failed: 0, continuation: undefined });
    // A full round at the same time takes the healthy target (due since it was added) as well.
    sent.length = 0;
    await dispatchRound({ targets: store, sender }, { now: () => later });
    expect(sent.map((p) => p.target.id).sort()).toEqual(expect.arrayContaining([troubled.id, healthy.id]));
  });
});
