// Issue 32: certificate expiry as Prometheus reads it. GET /metrics through the admin API's Lambda
// handler over DynamoDB Local, and `certvigil check --format openmetrics` against a real TLS server
// on loopback; each exposition is linted by Debian's promtool, and a real Prometheus server scrapes
// /metrics (negotiating OpenMetrics) so that its own parser is the judge.
import type http from 'node:http';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAX_LABEL_CHARS } from '../../lib/observability/openmetrics.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { adminHandlerOver } from '../fixtures/admin.ts';
import { daysFromNow, importCa, issueCertificate } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { functionUrlEvent, serveOnLoopback } from '../fixtures/function-url.ts';
import { promtoolCheck, type RunningPrometheus, startPrometheus } from '../fixtures/prometheus.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { type ScriptedMonitor, scriptedMonitor } from '../fixtures/scripted-monitor.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let scripted: ScriptedMonitor;
let handler: ReturnType<typeof adminHandlerOver>;
const HOSTILE_OWNER = 'team "x"\\ops\nfake_metric{a="b"} 1';
const targets: Target[] = [];

async function scrape(path: string, accept?: string) {
  const r = (await handler(functionUrlEvent('GET', path, { headers: accept ? { accept } : {} }))) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
    isBase64Encoded?: boolean;
  };
  return { status: r.statusCode, headers: r.headers, text: r.body };
}

/** Sample lines of one metric family, by name. */
const samples = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));

beforeAll(async () => {
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  tables = await createTestTables();
  scripted = scriptedMonitor(tables);
  handler = adminHandlerOver(scripted.monitor);
  const spec: [string, string | undefined, 'ok' | 'warning' | 'critical', number][] = [
    ['ok.metrics.example', 'web', 'ok', 80],
    ['warn.metrics.example', 'web', 'warning', 20],
    ['crit.metrics.example', HOSTILE_OWNER, 'critical', 3],
    ['unowned.metrics.example', undefined, 'ok', 60],
  ];
  for (const [host, owner, status, days] of spec) {
    const target = normalizeTarget({ host, ...(owner ? { owner } : {}) });
    await scripted.monitor.targets.putTarget(target, new Date());
    await scripted.check(target, status, days);
    targets.push(target);
  }
});

afterAll(async () => {
  await tables.drop();
});

describe('GET /metrics', () => {
  it('shows every certificate and target as gauges that promtool accepts', async () => {
    const { status, headers, text } = await scrape('/metrics');
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(promtoolCheck(text)).toEqual({ code: 0, output: '' });
    expect(samples(text, 'certvigil_certificate_not_after_seconds')).toHaveLength(4);
    const crit = samples(text, 'certvigil_target_status').filter((l) => l.includes('crit.metrics.example'));
    expect(crit).toHaveLength(7);
    expect(crit.filter((l) => l.endsWith(' 1'))).toEqual([expect.stringContaining('status="critical"')]);
    // The hostile owner is one escaped label value: no line break, no forged sample.
    // (its line break is written out by the bound every stored text gets: \u000a, as text)
    expect(text).toContain('owner="team \\"x\\"\\\\ops\\\\u000afake_metric{a=\\"b\\"} 1"');
    expect(text.split('\n').filter((l) => l.startsWith('fake_metric'))).toEqual([]);
    expect(samples(text, 'certvigil_target_check_success').every((l) => l.endsWith(' 1'))).toBe(true);
    expect(text).toContain('certvigil_metrics_truncated 0');
    const openmetrics = await scrape('/metrics', 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5');
    expect(openmetrics.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
  });

  it('pages a large inventory, saying so and linking the next page, and filters by owner', async () => {
    const first = await scrape('/metrics?limit=3');
    expect(first.text).toContain('certvigil_metrics_truncated 1');
    const link = /^<(\/metrics\?[^>]+)>; rel="next"$/.exec(first.headers.link ?? '')?.[1];
    expect(link).toContain('limit=3');
    const rest = await scrape(link ?? '');
    expect(rest.headers.link).toBeUndefined();
    expect(rest.text).toContain('certvigil_metrics_truncated 0');
    const seen = [first.text, rest.text].flatMap((t) => samples(t, 'certvigil_target_last_check_seconds'));
    expect(seen).toHaveLength(4);
    const web = await scrape('/metrics?owner=web');
    expect(samples(web.text, 'certvigil_target_last_check_seconds')).toHaveLength(2);
    expect((await scrape('/metrics?limit=0')).status).toBe(400);
  });

  it('bounds every label value', async () => {
    const long = normalizeTarget({ host: `${'l'.repeat(60)}.${'m'.repeat(60)}.example`, owner: 'o'.repeat(200) });
    await scripted.monitor.targets.putTarget(long, new Date());
    await scripted.check(long, 'ok', 50);
    const { text } = await scrape('/metrics?q=llll');
    for (const line of samples(text, 'certvigil_certificate_not_after_seconds')) {
      for (const [, value] of line.matchAll(/="((?:[^"\\]|\\.)*)"/g)) {
        expect((value ?? '').length).toBeLessThanOrEqual(2 * MAX_LABEL_CHARS);
      }
    }
    expect(promtoolCheck(text).code).toBe(0);
  });
});

describe('a real Prometheus server', () => {
  let server: http.Server;
  let prometheus: RunningPrometheus;
  const accepts: string[] = [];
  beforeAll(async () => {
    const served = await serveOnLoopback(async (event) => {
      accepts.push(event.headers.accept ?? '');
      return handler(event);
    });
    server = served.server;
    prometheus = await startPrometheus({ target: new URL(served.url).host, path: '/metrics' });
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    server?.close();
  });

  it('scrapes /metrics and reads each certificate with its labels', async () => {
    let result: Awaited<ReturnType<RunningPrometheus['query']>> = [];
    for (let i = 0; i < 100 && result.length < 4; i++) {
      result = await prometheus.query('certvigil_certificate_not_after_seconds');
      if (result.length < 4) await new Promise((r) => setTimeout(r, 200));
    }
    expect(result.map((r) => r.metric.target).sort()).toEqual(expect.arrayContaining(targets.map((t) => t.id).sort()));
    const crit = result.find((r) => r.metric.target === 'crit.metrics.example:443');
    expect(crit?.metric).toMatchObject({
      kind: 'tls',
      owner: HOSTILE_OWNER.replace('\n', '\\u000a'),
      purpose: 'server',
    });
    const critical = await prometheus.query('certvigil_target_status{status="critical"} == 1');
    expect(critical.map((r) => r.metric.target)).toEqual(['crit.metrics.example:443']);
    const up = await prometheus.query('up{job="certvigil"}');
    expect(up[0]?.value[1]).toBe('1');
    // It asked for OpenMetrics and read the answer with its OpenMetrics parser (strict: # EOF, gauges).
    expect(accepts.at(-1)).toMatch(/^application\/openmetrics-text/);
  }, 60_000);
});

describe('certvigil check --format openmetrics', () => {
  let tls: RunningServer;
  beforeAll(async () => {
    const { certPem, keyPem } = inject('testCa');
    const issuer = await issueCertificate(await importCa(certPem, keyPem), { ca: true });
    tls = await startTlsServer(
      credentials(await issueCertificate(issuer, { notBefore: daysFromNow(-80), notAfter: daysFromNow(12.5) })),
    );
  });
  afterAll(async () => {
    await tls.close();
  });

  it('prints what the textfile collector reads, and refuses two formats at once', async () => {
    const run = await runCli(['check', `127.0.0.1:${tls.port}`, '--format', 'openmetrics']);
    expect(run.code).toBe(1); // a warning: 12 days left
    expect(promtoolCheck(run.stdout)).toEqual({ code: 0, output: '' });
    const [line] = samples(run.stdout, 'certvigil_certificate_expires_in_seconds');
    const left = Number(line?.split(' ').at(-1));
    expect(left / 86_400).toBeGreaterThan(12);
    expect(left / 86_400).toBeLessThan(12.6);
    expect(samples(run.stdout, 'certvigil_target_status').find((l) => l.endsWith(' 1'))).toContain('status="warning"');
    const both = await runCli(['check', `127.0.0.1:${tls.port}`, '--format', 'openmetrics', '--json']);
    expect(both.code).toBe(3);
    expect(both.stderr).toContain('--json and --format openmetrics ask for two formats; give one');
    const bad = await runCli(['check', `127.0.0.1:${tls.port}`, '--format', 'yaml']);
    expect(bad.stderr).toContain('--format takes table, json, openmetrics (got "yaml")');
  });
});
