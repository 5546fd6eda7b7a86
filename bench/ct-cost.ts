// What Certificate Transparency discovery costs in AWS for 10 and 1,000 watched domains. Runs the
// real CT watch (lib/discovery/ct) against DynamoDB Local and a Cert Spotter stand-in on loopback
// (HTTPS, the documented issuance shape, a certificate this bench mints), twice per size: a first
// run that reads each domain's backlog (5 unexpired issuances, 2 of them for names no target
// watches) and a daily run in which a tenth of the domains logged one new certificate. Measures
// provider requests, DynamoDB capacity (ReturnConsumedCapacity, which DynamoDB Local honours) and
// CPU time; the Lambda duration adds an assumed latency per provider request (printed), 4 domains
// at a time as the watch reads them. Prices: us-east-1 list prices, November 2026. The provider's
// own price is not included: Cert Spotter's free allowance and paid plans are SSLMate's (an API
// token raises the allowance), crt.sh is free and best-effort.
// Usage: npm run bench:ct
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { TrustStore } from '../lib/certificate/trust-store.ts';
import { certSpotterProvider } from '../lib/discovery/ct/certspotter.ts';
import { watchCertificateTransparency } from '../lib/discovery/ct/ct-watch.ts';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { DEFAULT_TIMEOUTS } from '../lib/net/timeouts.ts';
import { SnsPublisher } from '../lib/notify/sns-publisher.ts';
import { CtStateStore } from '../lib/store/ct-state-store.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { createTableInputs } from '../lib/store/table-schema.ts';
import { TargetStore } from '../lib/store/target-store.ts';
import { normalizeTarget } from '../lib/targets/target-schema.ts';
import { createRootCa, issueCertificate } from '../test/fixtures/cert-factory.ts';
import { countConsumedCapacity } from './consumed-capacity.ts';

/** Assumed latency of one CT search request from Lambda (the stand-in answers at once). */
const API_LATENCY_MS = 300;
const DOMAIN_CONCURRENCY = 4;
const MEMORY_GB = 0.5; // the discovery function's memory
const PRICE = {
  lambdaGbSecond: 0.0000133334, // arm64
  writeUnit: 0.625 / 1e6, // DynamoDB on demand
  readUnit: 0.125 / 1e6,
  snsPublish: 0.5 / 1e6,
};

const hex = (n: number) => n.toString(16).padStart(64, '0');
const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const LE = { name: "C=US, O=Let's Encrypt, CN=R11", friendly_name: "Let's Encrypt" };
let serial = 0;
/** Issuances by domain, in log order; the stand-in answers those after `after`. */
const logged = new Map<string, { id: number; names: string[] }[]>();
let requests = 0;

const root = await createRootCa();
const leaf = await issueCertificate(root, { sans: ['127.0.0.1', 'localhost'] });
const server = https.createServer({ key: leaf.keyPem, cert: leaf.chainPem }, (req, res) => {
  requests++;
  const url = new URL(req.url ?? '/', 'https://x');
  const after = Number(url.searchParams.get('after') ?? 0);
  const page = (logged.get(url.searchParams.get('domain') ?? '') ?? []).filter((i) => i.id > after).slice(0, 100);
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify(
      page.map((i) => ({
        id: String(i.id),
        tbs_sha256: hex(i.id),
        cert_sha256: hex(i.id + 1e9),
        dns_names: i.names,
        issuer: LE,
        not_before: later(-5),
        not_after: later(85),
      })),
    ),
  );
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
const provider = certSpotterProvider({
  reach: { trust: new TrustStore([root.certPem]), timeouts: DEFAULT_TIMEOUTS },
  baseUrl: origin,
});

const ddb = await startDynamoDbLocal({ warn: () => {} });
mockClient(SNSClient).on(PublishCommand).resolves({ MessageId: 'm' });
console.log(`CT discovery cost (node ${process.version}; ${API_LATENCY_MS} ms assumed per provider request)`);

for (const size of [10, 1000]) {
  const dynamo = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  const suffix = `${size}-${Date.now()}`;
  const names = { targets: `t-${suffix}`, history: `h-${suffix}`, certificates: `c-${suffix}` };
  for (const input of createTableInputs(names)) await dynamo.send(new CreateTableCommand(input));
  const doc = documentClient(dynamo);
  const targets = new TargetStore(doc, names.targets);
  const domains = Array.from({ length: size }, (_, i) => `d${i}.example`);
  // Each domain: a watched www, and a backlog of 5 certificates, 2 of them for names nobody watches.
  for (const d of domains) {
    await targets.putTarget(normalizeTarget({ host: `www.${d}` }), new Date());
    logged.set(d, [
      ...[`www.${d}`, `www.${d}`, `*.${d}`].map((n) => ({ id: ++serial, names: [n] })),
      { id: ++serial, names: [`shop.${d}`] },
      { id: ++serial, names: [`mail.${d}`, `smtp.${d}`] },
    ]);
  }
  const capacity = countConsumedCapacity(dynamo);
  const deps = {
    targets,
    publisher: new SnsPublisher(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:111111111111:t'),
    ctState: new CtStateStore(doc, names.certificates),
  };
  const run = async (label: string) => {
    const before = { ...capacity, requests };
    const cpu = process.cpuUsage();
    const summaries = await watchCertificateTransparency(
      deps,
      provider,
      { domains },
      { signal: AbortSignal.timeout(600_000) },
    );
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const calls = requests - before.requests;
    const read = capacity.read - before.read;
    const write = capacity.write - before.write;
    const events = summaries.reduce((n, s) => n + s.unlisted + s.unexpectedIssuer, 0);
    const seconds = (cpuMs + Math.ceil(calls / DOMAIN_CONCURRENCY) * API_LATENCY_MS) / 1000;
    const cost =
      seconds * MEMORY_GB * PRICE.lambdaGbSecond +
      read * PRICE.readUnit +
      write * PRICE.writeUnit +
      events * PRICE.snsPublish;
    console.log(
      `  ${label}: ${summaries.reduce((n, s) => n + s.read, 0)} issuances read, ${summaries.reduce((n, s) => n + s.enrolled.length, 0)} enrolled, ${events} events; ${calls} provider requests; DynamoDB ${read.toFixed(1)} read / ${write.toFixed(1)} write units; CPU ${cpuMs.toFixed(0)} ms; Lambda ~${seconds.toFixed(1)} s; $${cost.toFixed(5)}`,
    );
    return cost;
  };
  console.log(`\n${size} domains`);
  await run('first run (backlog)');
  // A day later: a tenth of the domains logged one new certificate for a new name.
  for (const [i, d] of domains.entries())
    if (i % 10 === 0) logged.get(d)?.push({ id: ++serial, names: [`new${i}.${d}`] });
  const daily = await run('daily run');
  console.log(`  monthly (30 daily runs): $${(daily * 30).toFixed(4)}`);
}
server.close();
await ddb.stop();
