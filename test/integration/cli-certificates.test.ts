// Issue 30: the CLI reads the inventory by certificate in pages, and starts a deployed export. The
// real `certvigil` command against the admin API's Lambda handler served on loopback, over DynamoDB
// Local (S3 mocked: the export bucket cannot be reached from here): `certs` and `report --view
// certificates --out` hold every certificate of more than one page, formula-safe; `report --export`
// starts the export, waits for it and prints its link.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../lambdas/admin-handler.ts';
import type { CertificateView } from '../../lib/admin/certificate-views.ts';
import { ExportService, runExport } from '../../lib/admin/exports.ts';
import { colonHex } from '../../lib/certificate/fingerprint.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import type { CertificateStore } from '../../lib/store/certificate-store.ts';
import { DAY } from '../fixtures/check-results.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { serveOnLoopback } from '../fixtures/function-url.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { type BucketObjects, mockBucket } from '../fixtures/s3-bucket.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';

const COUNT = 620;
const HOSTILE = '=HYPERLINK("http://evil.example","x")';
const BUCKET = 'certvigil-exports-cli';
const s3Mock = mockClient(S3Client);
const objects: BucketObjects = new Map();
let tables: TestTables;
let scripted: ScriptedMonitor;
let server: http.Server;
let url: string;
let dir: string;

function cli(args: string[]) {
  return runCli([...args, '--url', url, '--token', 'unused-by-this-stand-in'], {
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    timeoutMs: 120_000,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certvigil-certs-'));
  tables = await createTestTables();
  scripted = scriptedMonitor(tables);
  const store = scripted.monitor.certificates as CertificateStore;
  const base = Date.now();
  for (let i = 0; i < COUNT; i++) {
    await store.addLocation(
      {
        fingerprint256: colonHex(i.toString(16).padStart(64, '0').toUpperCase()),
        subject: i === 5 ? HOSTILE : `CN=cert-${i}.example.com`,
        issuer: 'CN=Test CA',
        notBefore: new Date(base - 10 * DAY).toISOString(),
        notAfter: new Date(base + ((i * 7) % 120) * DAY).toISOString(),
        lifetimeDays: 90,
        namesKey: `cert-${i}.example.com`,
      },
      `cert-${i}.example.com:443\t192.0.2.1`,
      new Date(),
    );
  }
  // The export's bucket, mocked; an export runs as soon as it is started (the function, in-process).
  mockBucket(s3Mock, objects);
  const s3 = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDCLI', secretAccessKey: 's' } });
  const handler = createHandler({
    targets: scripted.monitor.targets,
    probe: (t) => probeTarget(scripted.monitor, t),
    guard: undefined,
    certificates: scripted.monitor.certificates,
    exports: new ExportService({
      s3,
      bucket: BUCKET,
      invoke: async (request) => {
        setTimeout(() => {
          const deps = { targets: scripted.monitor.targets, certificates: scripted.monitor.certificates, s3 };
          void runExport({ ...deps, bucket: BUCKET }, request);
        }, 100);
      },
    }),
  });
  ({ url, server } = await serveOnLoopback(handler));
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await tables?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the CLI over the certificate inventory', () => {
  it('certs reads every certificate, in pages, in the order of the whole list', async () => {
    const run = await cli(['certs', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const views = JSON.parse(run.stdout) as CertificateView[];
    const whole = (await fetch(`${url}/certificates`).then((r) => r.json())) as CertificateView[];
    expect(views).toHaveLength(COUNT);
    expect(views.map((v) => v.fingerprint256)).toEqual(whole.map((v) => v.fingerprint256));
    // The filter is the server's.
    const soon = JSON.parse((await cli(['certs', '--json', '--expiring', '30'])).stdout) as CertificateView[];
    expect(soon.length).toBeGreaterThan(0);
    expect(soon.every((v) => (v.daysLeft ?? 999) <= 30)).toBe(true);
  }, 120_000);

  it('report --view certificates --out FILE writes every certificate, formula-safe, with progress', async () => {
    const file = join(dir, 'certificates.csv');
    const run = await cli(['report', '--view', 'certificates', '--out', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`report: ${COUNT} certificates written to ${file}`);
    const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(COUNT + 1);
    expect(lines[0]).toMatch(/^fingerprint256,status,daysLeft/);
    expect(lines.find((l) => l.includes('HYPERLINK'))).toContain(`'=HYPERLINK`);
  }, 120_000);

  it('report --export starts the export, waits for it and prints the link', async () => {
    const run = await cli(['report', '--export', '--view', 'certificates', '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/export [0-9a-f-]{36}\.certificates\.json started/);
    expect(run.stderr).toContain(`${COUNT} rows`);
    const link = new URL(run.stdout.trim());
    expect(link.hostname).toBe(`${BUCKET}.s3.eu-west-1.amazonaws.com`);
    expect(link.pathname).toMatch(/^\/exports\/[0-9a-f-]{36}\.certificates\.json$/);
    const written = JSON.parse(objects.get(link.pathname.slice(1))?.body ?? 'null') as unknown[];
    expect(written).toHaveLength(COUNT);
    const refused = await cli(['report', '--export', '--out', join(dir, 'x.csv')]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/--export leaves the file in S3/);
  }, 120_000);
});
