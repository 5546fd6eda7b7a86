// How long one probe invocation takes, measured on the real handler, bundled as the stack bundles
// it: DynamoDB Local as the store,
// a TLS endpoint on loopback serving a trusted, healthy certificate (so nothing is published).
// Prints the handler's load time (cold-start proxy), the first and the median warm invocation.
// Network latency to real endpoints and to DynamoDB in a region comes on top; see README "Cost".
// Usage: npm run bench:probe -- [RUNS=30]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { createTableInputs } from '../lib/store/table-schema.ts';
import { TargetStore } from '../lib/store/target-store.ts';
import { normalizeTarget } from '../lib/targets/target-schema.ts';
import { createChain } from '../test/fixtures/cert-factory.ts';
import { credentials, startTlsServer } from '../test/fixtures/servers.ts';
import { bundleLambda } from './lambda-bundle.ts';

const runs = Number(process.argv[2] ?? 30);
const dir = mkdtempSync(join(tmpdir(), 'certvigil-probe-bench-'));
const bundle = await bundleLambda('probe', dir);
const { root, leaf } = await createChain({ sans: ['127.0.0.1'] });
writeFileSync(join(dir, 'ca.pem'), root.certPem);
const server = await startTlsServer(credentials(leaf));
const ddb = await startDynamoDbLocal({ warn: console.warn });
const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
const names = { targets: 'bench-targets', history: 'bench-history', certificates: 'bench-certificates' };
for (const input of createTableInputs(names)) await client.send(new CreateTableCommand(input));
const target = normalizeTarget({ host: `127.0.0.1:${server.port}` });
await new TargetStore(documentClient(client), names.targets).putTarget(target, new Date());

const output = await new Promise<string>((resolve, reject) => {
  let out = '';
  const child = spawn(
    process.execPath,
    [new URL('./probe-worker.mjs', import.meta.url).pathname, bundle, JSON.stringify(target), String(runs)],
    {
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
        TARGETS_TABLE: names.targets,
        HISTORY_TABLE: names.history,
        CERTIFICATES_TABLE: names.certificates,
        TOPIC_ARN: 'arn:aws:sns:local:000000000000:unused',
        ALLOW_PRIVATE_TARGETS: 'true',
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`probe worker exited with ${code}`))));
});
const { loadMs, durations, peakRssKiB } = JSON.parse(output.trim());
const warm = (durations as number[]).slice(1).sort((a, b) => a - b);
console.log(`node ${process.version}, ${runs} invocations of the bundled probe handler`);
console.log(`handler load: ${loadMs.toFixed(0)} ms; first invocation: ${durations[0].toFixed(1)} ms`);
console.log(
  `warm invocations: median ${warm[Math.floor(warm.length / 2)]?.toFixed(1)} ms, p90 ${warm[Math.floor(warm.length * 0.9)]?.toFixed(1)} ms`,
);
console.log(`peak RSS: ${(peakRssKiB / 1024).toFixed(1)} MiB`);
await server.close();
client.destroy();
await ddb.stop();
rmSync(dir, { recursive: true, force: true });
