// What certvigil costs a month at 1,000, 100,000 and 1,000,000 targets checked daily, computed
// from units measured here on the real probe handler (in-process, warm) against DynamoDB Local
// and a TLS endpoint on loopback:
//  - DynamoDB capacity consumed per quiet check and per changed check (a renewal), and by the
//    dispatcher's scan per stored target (DynamoDB Local reports consumed capacity when asked);
//  - bytes the probe writes to its log per check (log lines and embedded metrics);
//  - the custom metrics the functions emit, and the alarms the stack defines;
//  - the probe's duration and memory.
// Assumed, and printed: the network time a check spends on a real endpoint (DNS, TCP, TLS), the
// share of checks that change something, the dispatcher's time per target (bench:dispatch).
// Prices: AWS list prices, us-east-1, on demand, arm64, November 2026.
// Usage: npm run bench:cost
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.CERTVIGIL_COST_CHILD) {
  // The probe trusts what NODE_EXTRA_CA_CERTS names, read at process start: mint the root here,
  // then measure in a child that trusts it.
  const { createRootCa } = await import('../test/fixtures/cert-factory.ts');
  const dir = mkdtempSync(join(tmpdir(), 'certvigil-cost-'));
  const root = await createRootCa({ subject: 'CN=certvigil cost bench root' });
  writeFileSync(join(dir, 'root.pem'), root.certPem);
  writeFileSync(join(dir, 'root.key'), root.keyPem);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [new URL(import.meta.url).pathname, ...process.argv.slice(2)], {
      env: {
        ...process.env,
        CERTVIGIL_COST_CHILD: dir,
        NODE_EXTRA_CA_CERTS: join(dir, 'root.pem'),
        POWERTOOLS_METRICS_NAMESPACE: 'certvigil',
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
      stdio: 'inherit',
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

const { CreateTableCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
const { BatchWriteCommand, GetCommand, ScanCommand } = await import('@aws-sdk/lib-dynamodb');
const { createHandler } = await import('../lambdas/probe-handler.ts');
const { LOCAL_CREDENTIALS, startDynamoDbLocal } = await import('../lib/local/dynamodb-local.ts');
const { countConsumedCapacity } = await import('./consumed-capacity.ts');
const { monitorDependencies } = await import('../lib/monitor/monitor-dependencies.ts');
const { ALARM_METRICS, FLEET_METRICS } = await import('../lib/observability/metric-names.ts');
const { DEFAULT_CADENCE } = await import('../lib/policy/cadence.ts');
const { TLS_READERS } = await import('../lib/sources/tls/readers.ts');
const { documentClient } = await import('../lib/store/document-client.ts');
const { createTableInputs } = await import('../lib/store/table-schema.ts');
const { SummaryStore } = await import('../lib/store/summary-store.ts');
const { TargetStore } = await import('../lib/store/target-store.ts');
const { normalizeTarget } = await import('../lib/targets/target-schema.ts');
const { daysFromNow, importCa, issueCertificate } = await import('../test/fixtures/cert-factory.ts');
const { credentials, startTlsServer } = await import('../test/fixtures/servers.ts');
const { synthStack } = await import('../test/fixtures/synth.ts');
const settings = await import('./cost-settings.ts');

const dir = process.env.CERTVIGIL_COST_CHILD as string;
const root = await importCa(readFileSync(join(dir, 'root.pem'), 'utf8'), readFileSync(join(dir, 'root.key'), 'utf8'));
// A typical public leaf: a few names, an organisation, issued by an intermediate.
const intermediate = await issueCertificate(root, {
  ca: true,
  subject: 'CN=Example Issuing CA R3, O=Example Trust Services, C=US',
  notAfter: daysFromNow(1500),
});
const leafOptions = {
  subject: 'CN=www.example.com',
  sans: ['127.0.0.1', 'www.example.com', 'example.com', 'api.example.com'],
  notBefore: daysFromNow(-10),
  notAfter: daysFromNow(80),
};
const leaf = await issueCertificate(intermediate, leafOptions);
const renewed = await issueCertificate(intermediate, {
  ...leafOptions,
  notBefore: daysFromNow(0),
  notAfter: daysFromNow(90),
});
const server = await startTlsServer(credentials(leaf));

const ddb = await startDynamoDbLocal({ warn: () => {} });
const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
const units = countConsumedCapacity(client);
const names = {
  targets: 'targets',
  history: 'history',
  certificates: 'certificates',
  summary: 'summary',
  directory: 'directory',
};
for (const input of createTableInputs(names)) await client.send(new CreateTableCommand(input));
const doc = documentClient(client);
const store = new TargetStore(doc, names.targets, new SummaryStore(doc, names.summary));
let published = 0;
const publisher = {
  publish: async () => {
    published++;
  },
  publishNotification: async () => {},
};
const config = {
  targetsTable: names.targets,
  historyTable: names.history,
  certificatesTable: names.certificates,
  summaryTable: names.summary,
  // Maintenance windows: read at most once a minute per process (counted with the checks here).
  directoryTable: names.directory,
  topicArn: 'arn:aws:sns:local:000000000000:certvigil',
  historyTtlDays: 400,
  unreachableAfter: 2,
  endpointTimeoutMs: 15_000,
  warnDays: undefined,
  critDays: undefined,
  allowPrivateTargets: true,
};
const handler = createHandler(monitorDependencies(config, client, publisher, TLS_READERS));
const target = normalizeTarget({ host: `127.0.0.1:${server.port}`, owner: 'web-platform', tags: ['prod'] });
await store.putTarget(target, new Date());

/** One invocation of the handler: its DynamoDB units, the bytes it logged, the metric names it emitted, its time. */
async function invoke() {
  Object.assign(units, { read: 0, write: 0, requests: 0 });
  let bytes = 0;
  const metricNames = new Set<string>();
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    bytes += Buffer.byteLength(text);
    for (const line of text.split('\n')) {
      if (!line.includes('"_aws"')) continue;
      for (const m of JSON.parse(line)._aws.CloudWatchMetrics[0].Metrics) metricNames.add(m.Name);
    }
    return true;
  }) as typeof process.stdout.write;
  const started = performance.now();
  try {
    await handler({ target });
  } finally {
    process.stdout.write = write;
  }
  return { ms: performance.now() - started, ...units, bytes, metricNames };
}

/** Index writes per changed check: its lists-index entry deleted and put again (under 1 KB each). */
const LIST_INDEX_WRITES_PER_CHANGE = 2;
/** A lists-index entry: keys (status, expiry + id, id) and the projected settings, plus DynamoDB's 100 bytes. */
const LIST_INDEX_ENTRY_BYTES = 300;
/**
 * Certificate-lists index writes per changed check (issue 30): the new certificate's entry put,
 * the old one's updated, and marked served nowhere (whole items: ALL projection, about 1 unit each).
 */
const CERTIFICATE_INDEX_WRITES_PER_CHANGE = 3;
/** Certificates kept per target: the one served now and the one it replaced (the inventory keeps both). */
const CERTIFICATES_PER_TARGET = 2;
/**
 * Issue 31's messages. Reminders: a warning target's open event weekly, a troubled one's daily and
 * one escalation, unacknowledged (the worst case: nobody acknowledges); each is a pending event
 * written with the check, then claimed and completed (2 units each, an item of ~1.3 KB), an SNS
 * publish and an email. Digests: weekly, one per owner (assumed: one owner per 100 targets), each a
 * publish and an email; the read covers the targets in trouble or expiring within 30 days (assumed
 * 35%: a 90-day certificate renewed at 60 spends its last 30 days there), an index entry and an
 * eventually consistent item read each.
 */
const REMINDER_WRITE_UNITS = 6;
const TARGETS_PER_OWNER = 100;
const DIGEST_SHARE = 0.35;
const DIGEST_READ_UNITS_PER_TARGET = 0.04 + 0.5;
const WEEKS_PER_MONTH = 30.4 / 7;
const SNS_PUBLISH = 0.5 / 1e6;
const SNS_EMAIL = 2 / 1e5;
/** The summary's recount: daily. */
const RECOUNTS_PER_MONTH = 30.4;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const QUIET_RUNS = 30;
const first = await invoke();
const quiet = [];
for (let i = 0; i < QUIET_RUNS; i++) quiet.push(await invoke());
server.setCredentials?.(credentials(renewed));
const changed = await invoke();
const stored = (await doc.send(new GetCommand({ TableName: names.targets, Key: { id: target.id } }))).Item ?? {};
const itemBytes = Buffer.byteLength(JSON.stringify(stored));
const certificateItems = (await doc.send(new ScanCommand({ TableName: names.certificates }))).Items ?? [];
// A certificate item, and its copy in the certificate lists index (ALL projection).
const certificateBytes = certificateItems.length
  ? certificateItems.reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)), 0) / certificateItems.length
  : 0;
console.log(
  `measured: a target item ${itemBytes} bytes, a certificate item ${certificateBytes.toFixed(0)} bytes (kept ${CERTIFICATES_PER_TARGET} per target, each twice: the table and its lists index)`,
);
const historyItems = (await doc.send(new ScanCommand({ TableName: names.history }))).Items ?? [];
const historyRowBytes = historyItems.length
  ? historyItems.reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)), 0) / historyItems.length
  : 0;

// The dispatcher's scan: 2,000 copies of the stored item, scanned as a round scans them.
const copies = Array.from({ length: 2000 }, (_, i) => ({
  ...stored,
  id: `copy-${i}.example.com:443`,
  host: `copy-${i}.example.com`,
}));
for (let i = 0; i < copies.length; i += 25) {
  await doc.send(
    new BatchWriteCommand({
      RequestItems: { [names.targets]: copies.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
    }),
  );
}
Object.assign(units, { read: 0, write: 0, requests: 0 });
for (let segment = 0; segment < 1; segment++) {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.scans.due({ segment, totalSegments: 1, dueBy: Date.now(), startKey });
    startKey = page.nextKey;
  } while (startKey);
}
const scanUnitsPerTarget = units.read / (copies.length + 1);

const { stack, template } = synthStack();
const resources = Object.values(template.toJSON().Resources) as { Type: string; Properties: Record<string, unknown> }[];
const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
const probeFn = template.toJSON().Resources[stack.getLogicalId(stack.probes.probe.node.defaultChild as never)];
const memoryMb = probeFn.Properties.MemorySize as number;
const probeMetrics = new Set([
  ...first.metricNames,
  ...quiet.flatMap((q) => [...q.metricNames]),
  ...changed.metricNames,
]);
const dashboards = resources.filter((r) => r.Type === 'AWS::CloudWatch::Dashboard').length;
// The metrics the functions emit (each with the one `service` dimension): the alarms' always,
// the dashboard's only with it.
const customMetrics = ALARM_METRICS.length + (dashboards ? FLEET_METRICS.length : 0);

const q = {
  read: median(quiet.map((x) => x.read)),
  write: median(quiet.map((x) => x.write)),
  bytes: median(quiet.map((x) => x.bytes)),
  ms: median(quiet.map((x) => x.ms)),
};
const billedMs = Math.ceil(q.ms + settings.NETWORK_MS);

console.log(`certvigil cost per month, from measured units (node ${process.version})`);
console.log(
  `per quiet check:   ${q.write} write units, ${q.read} read units, ${q.bytes} bytes logged, ${q.ms.toFixed(1)} ms in-process`,
);
console.log(
  `per changed check: ${changed.write} write units, ${changed.read} read units, ${changed.bytes} bytes logged (a renewal, ${published} event(s) published)`,
);
console.log(`first check:       ${first.write} write units, ${first.read} read units`);
console.log(
  `history: ${historyItems.length} rows for ${QUIET_RUNS + 2} checks, ${historyRowBytes.toFixed(0)} bytes each (JSON)`,
);
console.log(
  `stored target item: ${itemBytes} bytes (JSON); dispatcher scan: ${scanUnitsPerTarget.toFixed(3)} read units per target per round`,
);
console.log(
  `custom metrics: ${customMetrics} (seen from the probe here: ${[...probeMetrics].sort().join(', ') || 'none'}); alarms: ${alarms}; dashboards: ${dashboards}; probe memory ${memoryMb} MB`,
);
console.log(
  `assumed: ${settings.NETWORK_MS} ms of network per check on a real endpoint (billed ${billedMs} ms); ${(settings.CHANGED_SHARE * 100).toFixed(0)}% of checks change something; ${(settings.WARNING_SHARE * 100).toFixed(0)}% of targets in their warning window (checked every ${DEFAULT_CADENCE.warningMinutes} min), ${(settings.TROUBLE_SHARE * 100).toFixed(0)}% in trouble (every ${DEFAULT_CADENCE.troubleMinutes} min): ${settings.checksPerTargetPerMonth(DEFAULT_CADENCE).toFixed(1)} checks per target a month; dispatcher ${settings.DISPATCH_MS_PER_TARGET} ms per target per round (bench:dispatch); ${settings.ROUNDS_PER_MONTH} full and ${settings.SOON_ROUNDS_PER_MONTH} frequent rounds a month`,
);

const P = settings.PRICES;
/** A month at `targets` targets checked daily; with `cadence`, plus the adaptive cadence's extra checks. */
function monthly(targets: number, cadence: boolean) {
  const c = settings.CHANGED_SHARE;
  const daily = targets * 30.4;
  const troubled = cadence ? targets * settings.TROUBLE_SHARE : 0;
  const troubleExtra = troubled * (1440 / DEFAULT_CADENCE.troubleMinutes - 1) * 30.4;
  const warningExtra = cadence
    ? targets * settings.WARNING_SHARE * (1440 / DEFAULT_CADENCE.warningMinutes - 1) * 30.4
    : 0;
  const extra = troubleExtra + warningExtra; // quiet checks: the condition was announced already
  const checks = daily + extra;
  // Troubled targets are in the due-soon index too: each of their writes writes it as well. The
  // lists index is written only when a target's place or projected settings change (a changed
  // check: its entry deleted and put again, 2 units), the certificate lists index when a
  // location's certificate changes (3); DynamoDB Local does not count index writes.
  const writes =
    daily * ((1 - c) * q.write + c * changed.write) +
    extra * q.write +
    troubleExtra * q.write +
    daily * c * (LIST_INDEX_WRITES_PER_CHANGE + CERTIFICATE_INDEX_WRITES_PER_CHANGE);
  // The summary's daily recount reads the whole table once, as a round does.
  const reads =
    daily * ((1 - c) * q.read + c * changed.read) +
    extra * q.read +
    (settings.ROUNDS_PER_MONTH + RECOUNTS_PER_MONTH) * targets * scanUnitsPerTarget +
    (cadence ? settings.SOON_ROUNDS_PER_MONTH * troubled * scanUnitsPerTarget : 0);
  const historyRows = daily * settings.historyRowsPerCheck(c);
  const storageGb =
    (targets * (itemBytes + LIST_INDEX_ENTRY_BYTES + CERTIFICATES_PER_TARGET * 2 * certificateBytes) +
      historyRows * (settings.HISTORY_TTL_DAYS / 30.4) * historyRowBytes) /
    2 ** 30;
  const logGb = (daily * ((1 - c) * q.bytes + c * changed.bytes) + extra * q.bytes) / 2 ** 30;
  const soonRounds = cadence ? settings.SOON_ROUNDS_PER_MONTH : 0;
  const dispatcherS =
    ((settings.ROUNDS_PER_MONTH * targets + soonRounds * troubled) * settings.DISPATCH_MS_PER_TARGET) / 1000;
  const reminders = cadence
    ? targets * (settings.WARNING_SHARE * WEEKS_PER_MONTH + settings.TROUBLE_SHARE * (30.4 + 1))
    : 0;
  const digests = (targets / TARGETS_PER_OWNER) * WEEKS_PER_MONTH;
  const rows = {
    'Lambda: probe': checks * ((billedMs / 1000) * (memoryMb / 1024) * P.lambdaGbSecond + P.lambdaRequest),
    'Lambda: dispatcher':
      dispatcherS * 0.5 * P.lambdaGbSecond + (settings.ROUNDS_PER_MONTH + soonRounds) * P.lambdaRequest,
    'DynamoDB writes': writes * P.writeUnit,
    'DynamoDB reads': reads * P.readUnit,
    'DynamoDB storage and PITR': storageGb * (P.storageGbMonth + P.pitrGbMonth),
    'CloudWatch metrics, alarms, dashboard':
      customMetrics * P.metricMonth + alarms * P.alarmMonth + dashboards * P.dashboardMonth,
    'CloudWatch Logs': logGb * (P.logIngestGb + P.logStoreGbMonth),
    'KMS key, Secrets Manager secret': P.kmsKeyMonth + P.secretMonth,
    'Reminders and weekly digests (SNS, email)':
      reminders * (REMINDER_WRITE_UNITS * P.writeUnit + SNS_PUBLISH + SNS_EMAIL) +
      digests * (SNS_PUBLISH + SNS_EMAIL) +
      WEEKS_PER_MONTH * targets * DIGEST_SHARE * DIGEST_READ_UNITS_PER_TARGET * P.readUnit,
  };
  return { rows, total: Object.values(rows).reduce((a, b) => a + b, 0) };
}

const sizes = [1_000, 100_000, 1_000_000];
const tables = sizes.map((n) => monthly(n, false));
const withCadence = sizes.map((n) => monthly(n, true));
const money = (n: number) => (n < 0.005 ? '< $0.01' : `$${n.toFixed(2)}`);
console.log(
  `\n${'targets checked daily'.padEnd(40)}${sizes.map((n) => n.toLocaleString('en-US').padStart(14)).join('')}`,
);
for (const row of Object.keys(tables[0]?.rows ?? {})) {
  console.log(`${row.padEnd(40)}${tables.map((t) => money(t.rows[row as keyof typeof t.rows]).padStart(14)).join('')}`);
}
console.log(`${'total'.padEnd(40)}${tables.map((t) => money(t.total).padStart(14)).join('')}`);
console.log(
  `${`+ adaptive cadence (${settings.WARNING_SHARE * 100}% warning, ${settings.TROUBLE_SHARE * 100}% in trouble)`.padEnd(40)}${withCadence
    .map((t, i) => `+${money(t.total - (tables[i]?.total ?? 0)).replace('$', '$')}`.padStart(14))
    .join('')}`,
);
console.log(`\nmonthly cost: ${sizes.map((n, i) => `${n}=$${(tables[i]?.total ?? 0).toFixed(2)}`).join(' ')}`);

client.destroy();
await server.close();
await ddb.stop();
