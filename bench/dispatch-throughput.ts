// Dispatcher throughput: N targets (default 10,000) in DynamoDB Local, Lambda Invoke answered by
// a local HTTP endpoint the SDK is pointed at. Prints targets dispatched per second, the
// dispatcher's peak memory, and whether every target was invoked exactly once.
// Usage: npm run bench:dispatch -- [N] [SEGMENTS] [CONCURRENCY]
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { createTableInputs } from '../lib/store/table-schema.ts';
import { normalizeTarget } from '../lib/targets/target-schema.ts';

const [n = 10_000, segments = 4, concurrency = 64] = process.argv.slice(2).map(Number);
const ddb = await startDynamoDbLocal({ warn: console.warn });
const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
const names = { targets: 'bench-targets', history: 'bench-history' };
for (const input of createTableInputs(names)) await client.send(new CreateTableCommand(input));
const doc = documentClient(client);
const now = new Date();
const seedStarted = performance.now();
for (let i = 0; i < n; i += 25) {
  const items = Array.from({ length: Math.min(25, n - i) }, (_, j) => {
    const target = normalizeTarget({ host: `host-${i + j}.bench.example`, tags: ['bench'], owner: 'bench' });
    return {
      ...target,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 0,
      nextCheckAt: now.getTime(),
      pending: {},
      sent: {},
    };
  });
  await doc.send(
    new BatchWriteCommand({ RequestItems: { [names.targets]: items.map((Item) => ({ PutRequest: { Item } })) } }),
  );
}
console.log(`seeded ${n} targets in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

// The stand-in for the Lambda service: accepts async invocations and counts them per target.
const invoked = new Map<string, number>();
const lambda = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    const payload = JSON.parse(body) as { target?: { id: string } };
    if (payload.target) invoked.set(payload.target.id, (invoked.get(payload.target.id) ?? 0) + 1);
    res.writeHead(202, { 'content-type': 'application/json' }).end('');
  });
});
await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', () => resolve()));
const lambdaEndpoint = `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`;

const output = await new Promise<string>((resolve, reject) => {
  let out = '';
  const child = spawn(process.execPath, [new URL('./dispatch-worker.ts', import.meta.url).pathname], {
    env: {
      ...process.env,
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
      TARGETS_TABLE: names.targets,
      PROBE_FUNCTION_NAME: 'certvigil-probe',
      DISPATCH_SEGMENTS: String(segments),
      DISPATCH_CONCURRENCY: String(concurrency),
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`dispatcher exited with ${code}`))));
});
const { summary, seconds, peakRssKiB } = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
const once = [...invoked.values()].every((count) => count === 1);
console.log(`node ${process.version}, segments ${segments}, concurrency ${concurrency}`);
console.log(
  `dispatched ${summary.dispatched} of ${n} (failed ${summary.failed}) in ${seconds.toFixed(2)} s: ${(summary.dispatched / seconds).toFixed(0)} targets/s (target >= 1000)`,
);
console.log(`distinct targets invoked: ${invoked.size}, each exactly once: ${once}`);
console.log(`dispatcher peak RSS: ${(peakRssKiB / 1024).toFixed(1)} MiB`);
lambda.close();
client.destroy();
await ddb.stop();
