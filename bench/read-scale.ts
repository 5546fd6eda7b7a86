// The admin API's reads against an inventory of N targets (issue 30's baseline): DynamoDB Local in
// memory, one target checked for real (a loopback TLS server), then its stored item copied N times
// with names, owners, certificates, dates and statuses varied (four in ten with an open event).
// Each copy's certificate is in the certificates table, listed as its probe would list it. For each
// read route, through the Lambda handler: time, bytes (plain, and base64 of gzip as the function URL
// sends it), DynamoDB read units and requests, and the process's RSS after. AWS caps a function URL
// response at 6 MB. Then the real dashboard in headless Chromium, served with the handler's answers:
// painted time, JS heap, and the read units and requests one open costs.
// Usage: npm run bench:read -- [N=10000] [N2 ...]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { dashboardPage } from '../lib/dashboard/page-asset.ts';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { monitorDependencies } from '../lib/monitor/monitor-dependencies.ts';
import { probeTarget } from '../lib/monitor/probe-target.ts';
import { SnsPublisher } from '../lib/notify/sns-publisher.ts';
import type { MonitorState } from '../lib/policy/events.ts';
import { ALL_READERS } from '../lib/sources/registry.ts';
import { certificateExpiryKey, SERVED } from '../lib/store/certificate-lists.ts';
import { expandItem } from '../lib/store/compact-result.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { listKeys } from '../lib/store/list-keys.ts';
import { recountSummary } from '../lib/store/summary-recount.ts';
import { encodeFacts, factsOf, type SummaryStore } from '../lib/store/summary-store.ts';
import { createTableInputs } from '../lib/store/table-schema.ts';
import { normalizeTarget } from '../lib/targets/target-schema.ts';
import { adminHandlerOver } from '../test/fixtures/admin.ts';
import { launchBrowser } from '../test/fixtures/browser.ts';
import { createRootCa, daysFromNow, issueCertificate } from '../test/fixtures/cert-factory.ts';
import { functionUrlEvent } from '../test/fixtures/function-url.ts';
import { testServers } from '../test/fixtures/servers.ts';
import { countConsumedCapacity } from './consumed-capacity.ts';

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(10_000);
/** The reads a person makes, paged or summed: each must stay flat in N. */
const PAGED_ROUTES = [
  '/summary',
  '/targets?limit=50',
  '/targets?limit=500',
  '/targets?limit=50&status=critical',
  '/targets?limit=50&owner=team-7',
  '/targets?limit=50&q=host-4242',
  '/events?limit=100',
  '/events',
  '/certificates?limit=50',
  '/certificates?limit=500',
  '/certificates?limit=50&status=critical',
  '/certificates?limit=50&expiringWithin=7',
  '/report?view=certificates&limit=500',
];
/** Whole-inventory reads (a scan), measured only up to this N: the export is to replace them. */
const WHOLE_ROUTES = ['/report', '/report?format=csv', '/certificates'];
/** Dashboard opens measured per N (the first warms the browser). */
const OPENS = 3;
const WHOLE_UP_TO = 20_000;
const CAP = 6 * 1024 * 1024;

mockClient(SNSClient).on(PublishCommand).resolves({ MessageId: 'm' });
const ddb = await startDynamoDbLocal({ warn: console.warn });
const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
const units = countConsumedCapacity(client);
const doc = documentClient(client);
const servers = testServers();
const root = await createRootCa();
const leaf = await issueCertificate(root, { notBefore: daysFromNow(-60), notAfter: daysFromNow(20) });
const server = await servers.serve(leaf);
const hex = (i: number) => (i.toString(16).padStart(64, '0').toUpperCase().match(/../g) ?? []).join(':');
const STATUSES = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'warning', 'critical', 'expired', 'invalid'] as const;

/**
 * Copy k of the checked target's stored item, with what differs between real targets varied
 * (name, owner, certificate, dates, status, its announced condition), so sizes and gzip are
 * not those of N identical rows.
 */
function variant(stored: Record<string, unknown>, k: number): Record<string, unknown> {
  const state = stored.state as { result: Record<string, unknown>; announced?: Record<string, unknown> };
  const status = STATUSES[k % STATUSES.length] as string;
  const daysLeft =
    status === 'expired'
      ? -(k % 9) - 1
      : status === 'critical'
        ? k % 7
        : status === 'warning'
          ? 8 + (k % 20)
          : 30 + (k % 300);
  const fingerprint = hex(k + 1);
  const key = `${status}:${fingerprint}`;
  const host = `host-${k}.example.com`;
  const item = {
    ...stored,
    id: `${host}:443`,
    host,
    port: 443,
    owner: `team-${k % 40}`,
    sent: status === 'ok' ? {} : { [key]: new Date(Date.now() - (k % 1440) * 60_000).toISOString() },
    state: {
      ...state,
      result: {
        ...state.result,
        status,
        daysLeft,
        notAfter: new Date(Date.now() + daysLeft * 86_400_000).toISOString(),
        fingerprint256: fingerprint,
        serialNumber: fingerprint.slice(0, 47),
        subject: `CN=${host}`,
        checkedAt: new Date(Date.now() - (k % 1440) * 60_000).toISOString(),
      },
      announced: status === 'ok' ? undefined : { key, status },
    },
  } as unknown as Record<string, unknown> & { id: string; state: MonitorState };
  // What a check would write: the item's place in the lists index, and what the summary counts it as.
  const expanded = expandItem(item);
  const keys = listKeys(item.id, expanded.state);
  return {
    ...item,
    listStatus: keys.listStatus,
    listExpiry: keys.listExpiry,
    openSeverity: keys.openSeverity,
    counted: encodeFacts(factsOf(expanded)),
  };
}

/** The certificate a copy serves, as the probe's location write leaves it in the inventory. */
function certificateOf(item: { id: string; state: MonitorState }): Record<string, unknown> {
  const r = item.state.result as unknown as Record<string, string>;
  const fingerprint256 = r.fingerprint256 as string;
  return {
    fingerprint256,
    subject: r.subject,
    issuer: r.issuer ?? 'CN=Bench CA',
    notBefore: new Date(Date.now() - 60 * 86_400_000).toISOString(),
    notAfter: r.notAfter,
    lifetimeDays: 90,
    namesKey: item.id.split(':')[0],
    firstSeen: r.checkedAt,
    lastSeen: r.checkedAt,
    locs: new Set([`${item.id}\t127.0.0.1`]),
    certList: SERVED,
    certExpiry: certificateExpiryKey(fingerprint256, r.notAfter),
  };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const page = await dashboardPage();
const browser = await launchBrowser();

/**
 * The dashboard opened OPENS times against the handler (served on loopback as local mode serves
 * the page): when it painted, its JS heap, and the DynamoDB reads and requests of one open.
 */
async function dashboardOpens(n: number, handler: ReturnType<typeof adminHandlerOver>): Promise<void> {
  const server = http.createServer((req, res) => {
    if (req.url === '/') return void res.writeHead(200, page.headers).end(page.html);
    req.resume();
    req.on('end', async () => {
      const answer = (await handler(
        functionUrlEvent(req.method ?? 'GET', req.url ?? '/', {
          headers: { 'accept-encoding': String(req.headers['accept-encoding'] ?? '') },
        }),
      )) as { statusCode: number; headers?: Record<string, string>; body: string; isBase64Encoded?: boolean };
      res
        .writeHead(answer.statusCode, answer.headers ?? {})
        .end(answer.isBase64Encoded ? Buffer.from(answer.body, 'base64') : answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    for (let open = 1; open <= OPENS; open++) {
      const tab = await browser.browser.newPage();
      await tab.setViewport({ width: 1280, height: 800 });
      let asked = 0;
      tab.on('request', () => void asked++);
      Object.assign(units, { read: 0, write: 0, requests: 0 });
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { waitUntil: 'load' });
      await tab.waitForFunction(() => performance.getEntriesByName('certvigil-painted').length > 0, {
        timeout: 60_000,
      });
      const painted = await tab.evaluate(
        () => performance.getEntriesByName('certvigil-painted')[0]?.startTime ?? Number.NaN,
      );
      const heap = (await tab.metrics()).JSHeapUsedSize ?? Number.NaN;
      console.log(
        `${String(n).padEnd(8)} dashboard open ${open}: painted by ${painted.toFixed(0)} ms, JS heap ${mib(heap)}, ${Math.round(units.read)} read units in ${units.requests} DynamoDB requests, ${asked} HTTP requests`,
      );
      await tab.close();
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

console.log(`node ${process.version}; DynamoDB Local in memory; the function URL cap is 6 MiB`);
console.log(`N        ${'route'.padEnd(36)}     ms   plain        gzip+b64     reads  requests  RSS after`);
for (const n of sizes) {
  const names = {
    targets: `read-${n}-targets`,
    history: `read-${n}-history`,
    certificates: `read-${n}-certificates`,
    summary: `read-${n}-summary`,
  };
  for (const input of createTableInputs(names)) await client.send(new CreateTableCommand(input));
  const config = {
    targetsTable: names.targets,
    historyTable: names.history,
    certificatesTable: names.certificates,
    summaryTable: names.summary,
    topicArn: 'arn:aws:sns:local:000000000000:certvigil',
    historyTtlDays: 400,
    unreachableAfter: 2,
    endpointTimeoutMs: 5_000,
    warnDays: undefined,
    critDays: undefined,
    allowPrivateTargets: true,
  };
  const monitor = monitorDependencies(
    config,
    client,
    new SnsPublisher(new SNSClient({ region: 'local' }), config.topicArn),
    ALL_READERS,
  );
  const target = normalizeTarget({ host: `127.0.0.1:${server.port}`, owner: 'team-0', tags: ['prod'] });
  await monitor.targets.putTarget(target, new Date());
  await probeTarget(monitor, target);
  const stored = (await doc.send(new GetCommand({ TableName: names.targets, Key: { id: target.id } }))).Item ?? {};
  const seeded = performance.now();
  const writes: Promise<unknown>[] = [];
  for (let i = 1; i < n; i += 12) {
    const batch = Array.from({ length: Math.min(12, n - i) }, (_, j) => i + j);
    const requests = batch.flatMap((k) => {
      const item = variant(stored, k);
      return [
        { table: names.targets, item },
        { table: names.certificates, item: certificateOf(item as { id: string; state: MonitorState }) },
      ];
    });
    const byTable: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {};
    for (const r of requests) {
      const puts = byTable[r.table] ?? [];
      puts.push({ PutRequest: { Item: r.item } });
      byTable[r.table] = puts;
    }
    writes.push(doc.send(new BatchWriteCommand({ RequestItems: byTable })));
    if (writes.length >= 16) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  const seedSeconds = (performance.now() - seeded) / 1000;
  // The seeded items carry their facts; the recount sums them into the counters (as it would daily).
  Object.assign(units, { read: 0, write: 0, requests: 0 });
  const recountStarted = performance.now();
  const recount = await recountSummary(monitor.targets, monitor.targets.summary as SummaryStore);
  const recountSeconds = (performance.now() - recountStarted) / 1000;
  const recountUnits = Math.round(units.read);
  const handler = adminHandlerOver(monitor);
  const routes = n <= WHOLE_UP_TO ? [...PAGED_ROUTES, ...WHOLE_ROUTES] : PAGED_ROUTES;
  for (const route of routes) {
    for (const gzip of [false, true]) {
      Object.assign(units, { read: 0, write: 0, requests: 0 });
      const started = performance.now();
      const answer = (await handler(
        functionUrlEvent('GET', route, { headers: gzip ? { 'accept-encoding': 'gzip' } : {} }),
      )) as { statusCode: number; body: string };
      const ms = performance.now() - started;
      const bytes = Buffer.byteLength(answer.body ?? '');
      if (!gzip) {
        process.stdout.write(
          `${String(n).padEnd(8)} ${route.padEnd(36)} ${ms.toFixed(0).padStart(6)}   ${mib(bytes).padStart(9)}${bytes > CAP ? '!' : ' '}  `,
        );
      } else {
        console.log(
          `${mib(bytes).padStart(9)}${bytes > CAP ? '!' : ' '}  ${String(Math.round(units.read)).padStart(6)}  ${String(units.requests).padStart(8)}  ${mib(process.memoryUsage().rss)}`,
        );
      }
      if (answer.statusCode !== 200) console.log(`  (answered ${answer.statusCode})`);
    }
  }
  await dashboardOpens(n, handler);
  console.log(
    `  (seeded ${n} targets and their certificates in ${seedSeconds.toFixed(1)} s; recount ${recountSeconds.toFixed(1)} s, ${recountUnits} read units, ${recount.countersRepaired} counters set; "!" marks an answer over the cap${n > WHOLE_UP_TO ? `; ${WHOLE_ROUTES.join(' and ')} not measured above ${WHOLE_UP_TO}` : ''})`,
  );
  for (const table of Object.values(names)) await client.send(new DeleteTableCommand({ TableName: table }));
}
await browser.close();
await servers.close();
await ddb.stop();
