// AWS misbehaving under the probe: DynamoDB and SNS calls fail (injected with aws-sdk-client-mock
// on the clients the probe uses, delegating to DynamoDB Local otherwise). Nothing may be lost,
// corrupted, or sent twice; every failure must surface so Lambda retries.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createHandler, RESERVED_FOR_STORE_MS } from '../../lambdas/probe-handler.ts';
import { LOCAL_CREDENTIALS } from '../../lib/local/dynamodb-local.ts';
import { ALL_READERS } from '../../lib/sources/registry.ts';
import { documentClient } from '../../lib/store/document-client.ts';
import { HistoryStore } from '../../lib/store/history-store.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget, type Target } from '../../lib/targets/target-schema.ts';
import { daysFromNow, importCa, issueCertificate } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables, testMonitor } from '../fixtures/dynamo.ts';
import { lambdaContext } from '../fixtures/lambda-context.ts';
import { credentials, type RunningServer, startTcpServer, startTlsServer } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
let tables: TestTables;
let server: RunningServer;
let silent: RunningServer;
let realDoc: DynamoDBDocumentClient;
let faultyDoc: DynamoDBDocumentClient;
let ddb: ReturnType<typeof mockClient>;
let store: TargetStore;
let handler: ReturnType<typeof createHandler>;
let counter = 0;

const error = (name: string, status = 500) =>
  Object.assign(new Error(`${name} (injected)`), { name, $metadata: { httpStatusCode: status } });

const COMMANDS = [GetCommand, UpdateCommand, PutCommand] as const;
type Command = (typeof COMMANDS)[number];
// biome-ignore lint/suspicious/noExplicitAny: the mock hands over whatever input the command had
const delegate = (Command: Command) => (input: any) =>
  realDoc.send(new (Command as unknown as new (i: unknown) => never)(input));

/** Every call goes to DynamoDB Local unless a test says otherwise. */
function passThrough() {
  ddb.reset();
  for (const Command of COMMANDS) ddb.on(Command as never).callsFake(delegate(Command));
}

/** The next call of this kind fails; the ones after it reach DynamoDB Local again. */
function failOnce(Command: Command, failure: Error) {
  ddb
    .on(Command as never)
    .rejectsOnce(failure)
    .callsFake(delegate(Command));
}

beforeAll(async () => {
  tables = await createTestTables();
  realDoc = tables.doc;
  faultyDoc = documentClient(
    new DynamoDBClient({ endpoint: tables.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS }),
  );
  ddb = mockClient(faultyDoc);
  store = new TargetStore(realDoc, tables.names.targets);
  const deps = testMonitor(tables, ALL_READERS);
  handler = createHandler({
    ...deps,
    targets: new TargetStore(faultyDoc, tables.names.targets),
    history: new HistoryStore(faultyDoc, tables.names.history),
    claimLeaseMs: 60_000,
  });
  const { certPem, keyPem } = inject('testCa');
  const leaf = await issueCertificate(await importCa(certPem, keyPem), {
    notBefore: daysFromNow(-80),
    notAfter: daysFromNow(10.5),
  });
  server = await startTlsServer(credentials(leaf));
  silent = await startTcpServer(() => undefined);
});

afterAll(async () => {
  await server.close();
  await silent.close();
  await tables.drop();
});

beforeEach(() => {
  passThrough();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

async function newTarget(port = server.port): Promise<Target> {
  const target = normalizeTarget({
    host: `fault-${++counter}.example:${port}`,
    addresses: ['127.0.0.1'],
    servername: 'localhost',
  });
  await store.putTarget(target, new Date());
  return target;
}

const invoke = (target: Target, context = lambdaContext()) => handler({ target, roundId: 'r' }, context);

describe('probe under AWS faults', () => {
  it.each([
    ['GetItem throttled', GetCommand, error('ProvisionedThroughputExceededException', 400)],
    ['UpdateItem failing with a 5xx', UpdateCommand, error('InternalServerError', 500)],
    ['history PutItem timing out', PutCommand, error('TimeoutError', 0)],
  ] as const)(
    '%s: the invocation fails, nothing is published; the retry stores the check and notifies once',
    async (_name, Command, failure) => {
      const target = await newTarget();
      failOnce(Command, failure);
      await expect(invoke(target)).rejects.toThrow(failure.message);
      const after = await store.getTarget(target.id);
      if (Command !== PutCommand) expect(after?.state).toBeUndefined();
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);

      await invoke(target); // Lambda's retry
      expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
      const stored = await store.getTarget(target.id);
      expect(stored?.state?.result.status).toBe('warning');
      expect(stored?.pending).toEqual({});
      expect(Object.keys(stored?.sent ?? {})).toHaveLength(1);
    },
  );

  it('a state write that keeps losing the race gives up with an error, leaving the item intact', async () => {
    const target = await newTarget();
    ddb.on(UpdateCommand).rejects(error('ConditionalCheckFailedException', 400));
    await expect(invoke(target)).rejects.toThrow(/too much contention/);
    passThrough();
    const stored = await store.getTarget(target.id);
    expect(stored).toMatchObject({ id: target.id, version: 0, pending: {}, sent: {} });
  });

  it.each([
    ['throttled', error('ThrottledException', 400)],
    ['timing out', error('TimeoutError', 0)],
    ['failing with a 5xx', error('InternalErrorException', 500)],
  ])('SNS %s: the event stays pending, the invocation fails, the retry publishes it once', async (_name, failure) => {
    const target = await newTarget();
    sns.reset();
    sns.on(PublishCommand).rejectsOnce(failure).resolves({ MessageId: 'm' });
    await expect(invoke(target)).rejects.toThrow(/stay pending/);
    expect(Object.values((await store.getTarget(target.id))?.pending ?? {})).toHaveLength(1);
    await invoke(target);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
    expect((await store.getTarget(target.id))?.pending).toEqual({});
  });

  it('records a published event as sent through transient DynamoDB failures, so it is not sent again', async () => {
    const target = await newTarget();
    let completes = 0;
    ddb.on(UpdateCommand).callsFake((input: { UpdateExpression?: string }) => {
      if (input.UpdateExpression?.startsWith('REMOVE pending.#event SET sent') && completes++ < 2) {
        return Promise.reject(error('ProvisionedThroughputExceededException', 400));
      }
      return realDoc.send(new UpdateCommand(input as never));
    });
    await invoke(target);
    await invoke(target);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect((await store.getTarget(target.id))?.pending).toEqual({});
  });

  it('says so, rather than failing silently, when a published event cannot be recorded at all', async () => {
    const target = await newTarget();
    ddb
      .on(UpdateCommand)
      .callsFake((input: { UpdateExpression?: string }) =>
        input.UpdateExpression?.startsWith('REMOVE pending.#event SET sent')
          ? Promise.reject(error('InternalServerError'))
          : realDoc.send(new UpdateCommand(input as never)),
      );
    await expect(invoke(target)).rejects.toThrow(/was published but could not be recorded as sent/);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    // Still claimed: a retry inside the claim lease does not publish it again.
    passThrough();
    await invoke(target);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('records a timeout instead of dying when the function is about to run out of time', async () => {
    const target = await newTarget(silent.port);
    const started = Date.now();
    const result = await invoke(
      target,
      lambdaContext(() => RESERVED_FOR_STORE_MS + 1_500 - (Date.now() - started)),
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(result).toMatchObject({ ok: true, status: 'error' });
    expect((await store.getTarget(target.id))?.state?.result.error?.kind).toBe('timeout');
  });
});
