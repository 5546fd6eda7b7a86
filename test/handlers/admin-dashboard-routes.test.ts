// The admin API routes the dashboard reads besides the report and the certificates: open events
// and a target's timeline, through the Lambda handler, over DynamoDB Local and real TLS servers.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { createHandler } from '../../lambdas/admin-handler.ts';
import type { monitorDependencies } from '../../lib/monitor/monitor-dependencies.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { adminHandlerOver } from '../fixtures/admin.ts';
import { daysFromNow, importCa, issueCertificate, type Minted } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';
import { credentials, type RunningServer, testServers } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let monitor: ReturnType<typeof monitorDependencies>;
let handler: ReturnType<typeof createHandler>;
let ca: Minted;
const servers = testServers();

async function serve(days: number, lifetime = 90): Promise<RunningServer> {
  const leaf = await issueCertificate(ca, { notBefore: daysFromNow(days - lifetime), notAfter: daysFromNow(days) });
  return servers.serve(leaf);
}

async function get(path: string) {
  const response = await handler(functionUrlEvent('GET', path));
  const r = response as { statusCode: number; body: string; headers: Record<string, string> };
  return { status: r.statusCode, json: JSON.parse(r.body) };
}

async function watch(server: RunningServer, extra: Record<string, unknown> = {}) {
  const target = normalizeTarget({ host: `127.0.0.1:${server.port}`, ...extra });
  await monitor.targets.putTarget(target, new Date());
  return target;
}

beforeAll(async () => {
  tables = await createTestTables();
  monitor = testMonitor(tables, ALL_READERS, { endpointTimeoutMs: 3000 });
  handler = adminHandlerOver(monitor);
  const { certPem, keyPem } = inject('testCa');
  ca = await issueCertificate(await importCa(certPem, keyPem), { ca: true });
});

afterAll(async () => {
  await servers.close();
  await tables.drop();
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('GET /events', () => {
  it('lists announced conditions that still hold, most severe first, with when each was sent', async () => {
    const critical = await watch(await serve(5.5), { owner: 'payments' });
    const warning = await watch(await serve(20.5));
    const healthy = await watch(await serve(70));
    for (const t of [critical, warning, healthy]) await probeTarget(monitor, t);
    const events = (await get('/events')).json as { target: string; event: string; severity: string }[];
    const ours = events.filter((e) => [critical.id, warning.id, healthy.id].includes(e.target));
    expect(ours).toMatchObject([
      { target: critical.id, event: 'entered-window', severity: 'critical', pending: false, owner: 'payments' },
      { target: warning.id, event: 'entered-window', severity: 'warning', pending: false, owner: null },
    ]);
    expect(Date.parse((ours[0] as unknown as { since: string }).since)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('shows an event that could not be published yet as being sent, and drops one that has ended', async () => {
    const server = await serve(20.5);
    const target = await watch(server);
    sns.on(PublishCommand).rejects(Object.assign(new Error('SNS is down'), { name: 'InternalError' }));
    await probeTarget(monitor, target).catch(() => undefined);
    const waiting = ((await get('/events')).json as { target: string; pending: boolean; since: string | null }[]).find(
      (e) => e.target === target.id,
    );
    expect(waiting).toMatchObject({ pending: true, since: null });

    // Renewed: the window event ends, and /events no longer lists it.
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const renewed = await issueCertificate(ca, { notBefore: daysFromNow(-1), notAfter: daysFromNow(89) });
    server.setCredentials?.(credentials(renewed));
    await probeTarget(monitor, target);
    const after = (await get('/events')).json as { target: string }[];
    expect(after.filter((e) => e.target === target.id)).toEqual([]);
  });
});

describe('GET /targets/{id}/timeline', () => {
  it('gives the changes of a target newest first, with the certificate each was about', async () => {
    const server = await serve(20.5);
    const target = await watch(server);
    await probeTarget(monitor, target);
    await probeTarget(monitor, target); // quiet: no new row
    const renewed = await issueCertificate(ca, { notBefore: daysFromNow(-1), notAfter: daysFromNow(89) });
    server.setCredentials?.(credentials(renewed));
    await probeTarget(monitor, target);
    const timeline = await get(`/targets/${encodeURIComponent(target.id)}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.json.target).toBe(target.id);
    const rows = timeline.json.items as { status: string; daysLeft: number; checkedAt: string; change: string }[];
    expect(rows.map((r) => [r.status, r.daysLeft])).toEqual([
      ['ok', 88],
      ['warning', 20],
    ]);
    expect((rows[0]?.checkedAt ?? '') > (rows[1]?.checkedAt ?? '')).toBe(true);
    expect(rows.every((r) => typeof r.change === 'string' && r.change.length > 0)).toBe(true);
    const one = await get(`/targets/${encodeURIComponent(target.id)}/timeline?limit=1`);
    expect(one.json.items).toHaveLength(1);
  });

  it('says what is wrong with a bad limit or an unknown target', async () => {
    const server = await serve(60);
    const target = await watch(server);
    for (const limit of ['0', '201', 'ten', '1.5']) {
      const bad = await get(`/targets/${encodeURIComponent(target.id)}/timeline?limit=${limit}`);
      expect(bad.status).toBe(400);
      expect(bad.json.detail).toMatch(/limit must be a whole number from 1 to 200/);
    }
    const missing = await get('/targets/nowhere.example/timeline');
    expect(missing.status).toBe(404);
    expect(missing.json.detail).toMatch(/no target nowhere\.example:443/);
  });

  it('is named in the API’s answer to an unknown path', async () => {
    const unknown = await get('/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.json.detail).toContain('/targets/{id}/timeline');
    expect(unknown.json.detail).toContain('/events');
  });
});

describe('GET /report', () => {
  it('names each target’s kind, for targets never checked too', async () => {
    const saml = normalizeTarget({ host: 'saml:https://idp.report-kind.example/metadata' });
    await monitor.targets.putTarget(saml, new Date());
    const rows = (await get('/report?format=json')).json as { target: string; kind: string; status: string }[];
    expect(rows.find((r) => r.target === saml.id)).toMatchObject({ kind: 'saml', status: 'unchecked' });
    expect(rows.filter((r) => r.target.startsWith('127.0.0.1:')).every((r) => r.kind === 'tls')).toBe(true);
  });
});
