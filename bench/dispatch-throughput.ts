// The dispatcher at scale: N targets in DynamoDB Local, and a local stand-in for the Lambda
// Invoke API (invoke mode) or SQS SendMessageBatch (queue mode) that refuses a fraction of calls
// as throttled. The real dispatcher bundle (built as the stack builds it) runs one invocation per
// process; when it hands the round on, the next invocation starts with the continuation, as
// Lambda would. Prints the round's time, throughput, peak memory, and whether every due target
// was delivered exactly once.
// Usage: npm run bench:dispatch -- [N=10000] [MODE=invoke|queue] [THROTTLE=0] [BUDGET_S=900]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { createTableInputs } from '../lib/store/table-schema.ts';
import { normalizeTarget } from '../lib/targets/target-schema.ts';
import { bundleLambda } from './lambda-bundle.ts';

const [nText = '10000', mode = 'invoke', throttleText = '0', budgetText = '900'] = process.argv.slice(2);
const n = Number(nText);
const throttle = Number(throttleText);
const budgetMs = Number(budgetText) * 1000;
if (mode !== 'invoke' && mode !== 'queue') throw new Error('MODE must be invoke or queue');

const dir = mkdtempSync(join(tmpdir(), 'certvigil-dispatch-bench-'));
const bundle = await bundleLambda('dispatcher', dir);

const ddb = await startDynamoDbLocal({ warn: console.warn });
const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
const names = { targets: 'bench-targets', history: 'bench-history', certificates: 'bench-certificates' };
for (const input of createTableInputs(names)) await client.send(new CreateTableCommand(input));
const doc = documentClient(client);
const now = new Date();
const seedStarted = performance.now();
const writes: Promise<unknown>[] = [];
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
  writes.push(
    doc.send(
      new BatchWriteCommand({ RequestItems: { [names.targets]: items.map((Item) => ({ PutRequest: { Item } })) } }),
    ),
  );
  if (writes.length >= 16) await Promise.all(writes.splice(0));
}
await Promise.all(writes);
console.log(`seeded ${n} targets in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

// The stand-in for Lambda and SQS. Deliveries are counted per target; refused calls are not.
const delivered = new Map<string, number>();
let refused = 0;
let continuation: unknown;
const count = (body: string) => {
  const payload = JSON.parse(body) as { target?: { id: string } };
  if (payload.target) delivered.set(payload.target.id, (delivered.get(payload.target.id) ?? 0) + 1);
};
const stub = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    if (req.url?.includes('/functions/')) {
      if (req.url.includes('certvigil-dispatcher')) {
        continuation = JSON.parse(body);
        return res.writeHead(202).end();
      }
      if (Math.random() < throttle) {
        refused++;
        return res
          .writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' })
          .end('{"Type":"User","message":"Rate Exceeded."}');
      }
      count(body);
      return res.writeHead(202).end();
    }
    // SQS (JSON protocol): SendMessageBatch; throttled entries fail on the service side.
    const input = JSON.parse(body) as { Entries: { Id: string; MessageBody: string }[] };
    const successful: unknown[] = [];
    const failed: unknown[] = [];
    for (const entry of input.Entries) {
      if (Math.random() < throttle) {
        refused++;
        failed.push({ Id: entry.Id, Code: 'RequestThrottled', SenderFault: false, Message: 'Request is throttled.' });
        continue;
      }
      count(entry.MessageBody);
      successful.push({
        Id: entry.Id,
        MessageId: entry.Id,
        MD5OfMessageBody: createHash('md5').update(entry.MessageBody).digest('hex'),
      });
    }
    res
      .writeHead(200, { 'content-type': 'application/x-amz-json-1.0' })
      .end(JSON.stringify({ Successful: successful, Failed: failed }));
  });
});
await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', () => resolve()));
const endpoint = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;

const env = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'local',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
  AWS_ENDPOINT_URL_LAMBDA: endpoint,
  AWS_ENDPOINT_URL_SQS: endpoint,
  TARGETS_TABLE: names.targets,
  ...(mode === 'queue'
    ? { PROBE_QUEUE_URL: `${endpoint}/000000000000/certvigil-probes` }
    : { PROBE_FUNCTION_NAME: 'certvigil-probe' }),
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};
function part(
  event: unknown,
): Promise<{ summary: Record<string, number | boolean>; seconds: number; peakRssKiB: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(
      process.execPath,
      [new URL('./dispatch-part.mjs', import.meta.url).pathname, bundle, String(budgetMs), JSON.stringify(event)],
      {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'))
        : reject(new Error(`dispatcher exited with ${code}`)),
    );
  });
}

const parts: Awaited<ReturnType<typeof part>>[] = [];
let event: unknown = { source: 'aws.events' };
for (;;) {
  continuation = undefined;
  parts.push(await part(event));
  if (!continuation) break;
  event = continuation;
}
const seconds = parts.reduce((s, p) => s + p.seconds, 0);
const dispatched = parts.reduce((s, p) => s + Number(p.summary.dispatched), 0);
const failed = parts.reduce((s, p) => s + Number(p.summary.failed), 0);
const throttled = parts.reduce((s, p) => s + Number(p.summary.throttled), 0);
const once = delivered.size === n && [...delivered.values()].every((c) => c === 1);
console.log(
  `node ${process.version}, mode ${mode}, ${n} targets, throttling ${(throttle * 100).toFixed(0)}% of deliveries, budget ${budgetText} s per invocation`,
);
console.log(
  `round: ${parts.length} invocation(s), ${seconds.toFixed(1)} s, ${(dispatched / seconds).toFixed(0)} targets/s (target >= 1000)`,
);
console.log(
  `dispatched ${dispatched}, failed ${failed}; throttled answers ${refused} (dispatcher counted ${throttled}, all retried)`,
);
console.log(`every due target delivered exactly once: ${once} (${delivered.size} distinct)`);
console.log(
  `dispatcher peak RSS: ${(Math.max(...parts.map((p) => p.peakRssKiB)) / 1024).toFixed(1)} MiB (largest invocation)`,
);
stub.close();
client.destroy();
await ddb.stop();
rmSync(dir, { recursive: true, force: true });
