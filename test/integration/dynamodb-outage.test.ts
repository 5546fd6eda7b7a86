// DynamoDB goes away in the middle of a dispatch round and of a probe run (DynamoDB Local
// stopped, then started again on the same data): the failure surfaces, nothing stored is lost or
// corrupted, and once DynamoDB is back the work completes with each notification sent once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchRound, invokeSender } from '../../lib/dispatch/dispatch-round.ts';
import { type DynamoDbLocal, LOCAL_CREDENTIALS, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { probeTarget } from '../../lib/monitor/probe-target.ts';
import { SnsPublisher } from '../../lib/notify/sns-publisher.ts';
import { documentClient } from '../../lib/store/document-client.ts';
import { HistoryStore } from '../../lib/store/history-store.ts';
import { createTableInputs } from '../../lib/store/table-schema.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { checkResult } from '../fixtures/check-results.ts';

const names = { targets: 'outage-targets', history: 'outage-history', certificates: 'outage-certificates' };
const sns = mockClient(SNSClient);
let dataDir: string;
let ddb: DynamoDbLocal;
let client: DynamoDBClient;

async function start(): Promise<TargetStore> {
  ddb = await startDynamoDbLocal({ dataDir });
  client = new DynamoDBClient({
    endpoint: ddb.endpoint,
    region: 'local',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  return new TargetStore(documentClient(client), names.targets);
}

async function stop(): Promise<void> {
  client.destroy();
  await ddb.stop();
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'certvigil-outage-'));
  const store = await start();
  for (const input of createTableInputs(names)) await client.send(new CreateTableCommand(input));
  for (let i = 0; i < 200; i++)
    await store.putTarget(normalizeTarget({ host: `t${i}.outage.example`, owner: 'ops' }), new Date(0));
}, 120_000);

afterAll(async () => {
  await stop().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DynamoDB stopped mid-way', () => {
  it('a dispatch round fails loudly, loses nothing, and the next round reaches every target', async () => {
    let store = new TargetStore(documentClient(client), names.targets);
    const delivered: string[] = [];
    let stopping: Promise<void> | undefined;
    const round = dispatchRound(
      {
        targets: store,
        sender: invokeSender(async (payload) => {
          delivered.push(payload.target.id);
          if (delivered.length === 30) stopping = stop(); // DynamoDB goes away mid-round
        }),
      },
      { segments: 2, pageSize: 20, concurrency: 4 },
    );
    await expect(round).rejects.toThrow();
    await stopping;
    expect(delivered.length).toBeLessThan(200);

    store = await start(); // back, on the same data
    const all = await store.scans.all();
    expect(all).toHaveLength(200);
    expect(all.every((t) => t.owner === 'ops' && t.version === 0 && t.enabled)).toBe(true);

    const again: string[] = [];
    const report = await dispatchRound(
      { targets: store, sender: invokeSender(async (p) => void again.push(p.target.id)) },
      { segments: 2, pageSize: 20 },
    );
    expect(report).toMatchObject({ dispatched: 200, failed: 0, continuation: undefined });
    expect(new Set(again).size).toBe(200);
  }, 120_000);

  it('a probe whose write fails is retried after the outage and notifies once', async () => {
    sns.reset();
    sns.on(PublishCommand).resolves({});
    const target = normalizeTarget({ host: 't7.outage.example' });
    const deps = (store: TargetStore) => ({
      targets: store,
      history: new HistoryStore(documentClient(client), names.history),
      publisher: new SnsPublisher(new SNSClient({ region: 'eu-west-1' }), 'arn:aws:sns:eu-west-1:123456789012:t'),
      check: async () => {
        if (outage) await stop(); // the check finishes just as DynamoDB goes away
        return checkResult({ target: target.id, status: 'critical', daysLeft: 3 });
      },
    });
    let outage = true;
    await expect(probeTarget(deps(new TargetStore(documentClient(client), names.targets)), target)).rejects.toThrow();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);

    outage = false;
    const store = await start();
    const outcome = await probeTarget(deps(store), target);
    expect(outcome.published.map((e) => e.event)).toEqual(['entered-window']);
    await probeTarget(deps(store), target);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    const stored = await store.getTarget(target.id);
    expect(stored?.pending).toEqual({});
    expect(stored?.state?.result.status).toBe('critical');
  }, 120_000);
});
