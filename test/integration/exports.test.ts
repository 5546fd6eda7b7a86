// Issue 30: the deployed export. POST /exports starts the export function; its run reads the targets
// report a page at a time from the lists index (DynamoDB Local) and streams it to S3 (mocked: the
// bucket cannot be reached from here); GET /exports/{id} says running, failed or done, and done
// gives a presigned link that expires in 15 minutes.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../lambdas/admin-handler.ts';
import { EXPORT_LINK_SECONDS, type ExportRequest, ExportService, runExport } from '../../lib/admin/exports.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { functionUrlEvent } from '../fixtures/function-url.ts';
import { type BucketObjects, mockBucket } from '../fixtures/s3-bucket.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';

const BUCKET = 'certvigil-exports-test';
const HOSTILE = '=cmd|" /C calc"!A0';
const COUNT = 730;
const sns = mockClient(SNSClient);
const s3Mock = mockClient(S3Client);
let tables: TestTables;
let scripted: ScriptedMonitor;
/** What the mocked bucket holds: key -> body and metadata. */
const objects: BucketObjects = new Map();
const s3 = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXPORT', secretAccessKey: 'secret' } });

beforeAll(async () => {
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  tables = await createTestTables();
  scripted = scriptedMonitor(tables);
  // More than one page of 500, a hostile note, checked and unchecked targets.
  const rows = Array.from({ length: COUNT }, (_, i) =>
    normalizeTarget({ host: `h${i}.export.example`, owner: `team-${i % 5}`, notes: i === 3 ? HOSTILE : undefined }),
  );
  for (const target of rows) await scripted.monitor.targets.putTarget(target, new Date());
  for (const target of rows.slice(0, 40)) await scripted.check(target, 'warning', 10);
}, 120_000);

afterAll(async () => {
  await tables.drop();
});

beforeEach(() => {
  objects.clear();
  s3Mock.reset();
  mockBucket(s3Mock, objects);
});

describe('the export to S3', () => {
  it('writes the whole report as formula-safe CSV, the rows of the whole report, and says so', async () => {
    const request: ExportRequest = { id: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', format: 'csv' };
    const service = new ExportService({ s3, bucket: BUCKET, invoke: async () => undefined });
    expect((await service.status(request, new Date())).status).toBe('running');
    const result = await runExport({ targets: scripted.monitor.targets, s3, bucket: BUCKET }, request);
    expect(result.rows).toBe(COUNT);
    const written = objects.get(`exports/${request.id}.csv`)?.body.split('\r\n').filter(Boolean) ?? [];
    const whole = (await scripted.get('/report?format=json')).json as unknown[];
    expect(written.length).toBe(whole.length + 1);
    expect(written.find((l) => l.includes('calc'))).toContain(`'=cmd`);
    const status = await service.status(request, new Date('2026-12-07T10:00:00Z'));
    expect(status).toMatchObject({
      id: `${request.id}.csv`,
      status: 'done',
      rows: COUNT,
      expiresAt: '2026-12-07T10:15:00.000Z',
    });
    const link = new URL(status.url as string);
    expect(link.hostname).toBe(`${BUCKET}.s3.eu-west-1.amazonaws.com`);
    expect(link.pathname).toBe(`/exports/${request.id}.csv`);
    expect(link.searchParams.get('X-Amz-Expires')).toBe(String(EXPORT_LINK_SECONDS));
    expect(link.searchParams.get('response-content-disposition')).toBe('attachment; filename="certvigil-report.csv"');
  }, 60_000);

  it('writes JSON that parses to the whole report', async () => {
    const request: ExportRequest = { id: '1f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', format: 'json' };
    await runExport({ targets: scripted.monitor.targets, s3, bucket: BUCKET }, request);
    const rows = JSON.parse(objects.get(`exports/${request.id}.json`)?.body ?? 'null') as { target: string }[];
    expect(rows).toHaveLength(COUNT);
    expect(new Set(rows.map((r) => r.target)).size).toBe(COUNT);
  }, 60_000);

  it('writes the report by certificate: the rows of the whole certificates report, named so', async () => {
    const request: ExportRequest = {
      id: '3f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      format: 'json',
      view: 'certificates',
    };
    const deps = { targets: scripted.monitor.targets, certificates: scripted.monitor.certificates, s3, bucket: BUCKET };
    const result = await runExport(deps, request);
    const whole = (await scripted.get('/report?view=certificates')).json as { fingerprint256: string }[];
    expect(whole.length).toBe(40);
    expect(result.rows).toBe(40);
    expect(JSON.parse(objects.get(`exports/${request.id}.certificates.json`)?.body ?? 'null')).toEqual(whole);
    const service = new ExportService({ s3, bucket: BUCKET, invoke: async () => undefined });
    const status = await service.status(request, new Date());
    expect(status).toMatchObject({ id: `${request.id}.certificates.json`, status: 'done', rows: 40 });
    expect(new URL(status.url as string).searchParams.get('response-content-disposition')).toBe(
      'attachment; filename="certvigil-certificates.json"',
    );
    // Without the inventory's table the run fails and says why.
    const csv: ExportRequest = { ...request, id: '4f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', format: 'csv' };
    await expect(runExport({ ...deps, certificates: undefined }, csv)).rejects.toThrow(/CERTIFICATES_TABLE/);
    expect((await service.status(csv, new Date())).status).toBe('failed');
  }, 60_000);

  it('marks a run that failed, with why, and the status says so', async () => {
    s3Mock
      .on(PutObjectCommand, { Key: 'exports/2f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0.csv' })
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const request: ExportRequest = { id: '2f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', format: 'csv' };
    await expect(runExport({ targets: scripted.monitor.targets, s3, bucket: BUCKET }, request)).rejects.toThrow(
      'Access Denied',
    );
    const service = new ExportService({ s3, bucket: BUCKET, invoke: async () => undefined });
    expect(await service.status(request, new Date())).toMatchObject({ status: 'failed', detail: 'Access Denied' });
  }, 60_000);
});

describe('POST /exports and GET /exports/{id}', () => {
  it('starts a run and answers its id; refuses ids it did not issue; says where exports are made otherwise', async () => {
    const started: ExportRequest[] = [];
    const handler = createHandler({
      targets: scripted.monitor.targets,
      probe: (t) => probeTarget(scripted.monitor, t),
      guard: undefined,
      exports: new ExportService({ s3, bucket: BUCKET, invoke: async (r) => void started.push(r) }),
    });
    const call = async (method: string, path: string) => {
      const r = (await handler(functionUrlEvent(method, path))) as { statusCode: number; body: string };
      return { status: r.statusCode, json: JSON.parse(r.body) };
    };
    const answer = await call('POST', '/exports?format=json');
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ status: 'running', format: 'json', poll: `/exports/${answer.json.id}` });
    expect(started).toEqual([{ id: answer.json.id.replace(/\.json$/, ''), format: 'json' }]);
    expect((await call('GET', answer.json.poll)).json.status).toBe('running');
    expect((await call('GET', '/exports/..%2f..%2fsecrets')).status).toBe(404);
    expect((await call('GET', '/exports/not-an-id.csv')).status).toBe(404);
    expect((await call('POST', '/exports?format=xlsx')).status).toBe(400);
    const byCertificate = await call('POST', '/exports?format=csv&view=certificates');
    expect(byCertificate.json).toMatchObject({ view: 'certificates', status: 'running' });
    expect(byCertificate.json.id).toMatch(/\.certificates\.csv$/);
    expect(started.at(-1)).toEqual({
      id: byCertificate.json.id.replace(/\.certificates\.csv$/, ''),
      format: 'csv',
      view: 'certificates',
    });
    expect((await call('GET', byCertificate.json.poll)).json.status).toBe('running');
    expect((await call('POST', '/exports?view=everything')).status).toBe(400);
    // Local mode has no bucket: it points to report --out.
    expect((await scripted.get('/exports/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0.csv')).json.detail).toMatch(
      /certvigil report --out FILE/,
    );
  });
});
