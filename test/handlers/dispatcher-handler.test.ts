import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DispatchCursor, ProbePayload } from '../../lib/dispatch/dispatch-round.ts';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { lambdaContext } from '../fixtures/lambda-context.ts';

const lambda = mockClient(LambdaClient);
const PROBE = 'certvigil-probe';
let tables: TestTables;
let store: TargetStore;
type Summary = { dispatched: number; failed: number; throttled: number; continuation: boolean; part: number };
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<Summary>;
const TARGETS = 120;

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  const now = new Date();
  for (let i = 0; i < TARGETS; i++) await store.putTarget(normalizeTarget({ host: `t${i}.dispatch.example` }), now);
  await store.putTarget(normalizeTarget({ host: 'disabled.dispatch.example', enabled: false }), now);
  for (const [k, v] of Object.entries({
    ...tables.env,
    PROBE_FUNCTION_NAME: PROBE,
    DISPATCH_SEGMENTS: '3',
    DUE_SLACK_MINUTES: '10',
  })) {
    vi.stubEnv(k, v);
  }
  ({ handler } = (await import('../../lambdas/dispatcher.ts')) as unknown as { handler: typeof handler });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await tables.drop();
});

beforeEach(() => {
  lambda.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

function probePayloads(): ProbePayload[] {
  return lambda
    .commandCalls(InvokeCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.FunctionName === PROBE)
    .map((input) => JSON.parse(Buffer.from(input.Payload as Uint8Array).toString()) as ProbePayload);
}

describe('dispatcher handler', () => {
  it('invokes the probe asynchronously once for every enabled due target, with the target as payload', async () => {
    const summary = await handler({ source: 'aws.events' }, lambdaContext());
    expect(summary).toMatchObject({ dispatched: TARGETS, failed: 0, continuation: false });
    const calls = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(calls.every((c) => c.InvocationType === 'Event' && c.FunctionName === PROBE)).toBe(true);
    const payloads = probePayloads();
    const ids = payloads.map((p) => p.target.id);
    expect(new Set(ids).size).toBe(TARGETS);
    expect(ids).not.toContain('disabled.dispatch.example:443');
    expect(payloads[0]).toEqual({
      roundId: expect.any(String),
      target: expect.objectContaining({
        id: expect.stringMatching(/dispatch\.example:443$/),
        port: 443,
        protocol: 'tls',
        intervalMinutes: 1440,
      }),
    });
    expect(new Set(payloads.map((p) => p.roundId)).size).toBe(1);
  });

  it('retries throttled invocations and counts them', async () => {
    lambda.reset();
    const throttle = Object.assign(new Error('Rate exceeded'), {
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 429 },
    });
    lambda
      .on(InvokeCommand)
      .rejectsOnce(throttle)
      .rejectsOnce(throttle)
      .rejectsOnce(throttle)
      .resolves({ StatusCode: 202 });
    const summary = await handler({}, lambdaContext());
    expect(summary).toMatchObject({ dispatched: TARGETS, failed: 0, throttled: 3 });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(TARGETS + 3);
  });

  it('reports targets whose invocation keeps failing, and does not retry errors that will not pass', async () => {
    lambda.reset();
    const missing = Object.assign(new Error('Function not found'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    lambda.on(InvokeCommand).rejects(missing);
    const summary = await handler({}, lambdaContext());
    expect(summary).toMatchObject({ dispatched: 0, failed: TARGETS });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(TARGETS);
  });

  it('hands the rest of the round to a fresh invocation before its time runs out, and nothing is sent twice', async () => {
    // 45 s left at first, then 10 s: below the 30 s safety margin after the first pages.
    let calls = 0;
    const shrinking = () => (calls++ < 2 ? 45_000 : 10_000);
    const first = await handler({}, lambdaContext(shrinking, 'certvigil-dispatcher'));
    expect(first.continuation).toBe(true);
    const selfCalls = lambda
      .commandCalls(InvokeCommand)
      .filter((c) => c.args[0].input.FunctionName?.endsWith(':function:certvigil-dispatcher'));
    expect(selfCalls).toHaveLength(1);
    const { continuation } = JSON.parse(Buffer.from(selfCalls[0]?.args[0].input.Payload as Uint8Array).toString()) as {
      continuation: DispatchCursor;
    };
    expect(continuation.part).toBe(1);
    const firstPart = probePayloads().map((p) => p.target.id);
    expect(firstPart.length).toBeLessThan(TARGETS);

    lambda.resetHistory();
    const second = await handler({ continuation }, lambdaContext());
    expect(second).toMatchObject({ continuation: false, part: 2 });
    const secondPart = probePayloads();
    expect(secondPart.every((p) => p.roundId === continuation.roundId)).toBe(true);
    const all = [...firstPart, ...secondPart.map((p) => p.target.id)];
    expect(all).toHaveLength(TARGETS);
    expect(new Set(all).size).toBe(TARGETS);
  });

  it('fails at cold start with one error naming every missing variable', async () => {
    vi.resetModules();
    vi.stubEnv('TARGETS_TABLE', '');
    vi.stubEnv('PROBE_FUNCTION_NAME', '');
    vi.stubEnv('DISPATCH_CONCURRENCY', 'lots');
    await expect(import('../../lambdas/dispatcher.ts')).rejects.toThrow(
      'certvigil configuration: missing environment variables TARGETS_TABLE, PROBE_FUNCTION_NAME; DISPATCH_CONCURRENCY must be a whole number from 1 to 1000 (got "lots")',
    );
  });
});

describe('dispatcher handler, queue mode (the scale path)', () => {
  const sqs = mockClient(SQSClient);
  const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/certvigil-probes';
  let queued: typeof handler;

  beforeAll(async () => {
    vi.resetModules();
    for (const [k, v] of Object.entries({
      ...tables.env,
      PROBE_FUNCTION_NAME: '',
      PROBE_QUEUE_URL: QUEUE,
      DISPATCH_SEGMENTS: '3',
      DISPATCH_CONCURRENCY: '64',
    })) {
      vi.stubEnv(k, v);
    }
    ({ handler: queued } = (await import('../../lambdas/dispatcher.ts')) as unknown as { handler: typeof handler });
  });

  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
      Failed: [],
    }));
  });

  function queuedPayloads(): ProbePayload[] {
    return sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => JSON.parse(e.MessageBody ?? '{}') as ProbePayload);
  }

  it('sends every due target once, in batches of ten, to the probe queue', async () => {
    const summary = await queued({}, lambdaContext());
    expect(summary).toMatchObject({ dispatched: TARGETS, failed: 0 });
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.every((c) => c.args[0].input.QueueUrl === QUEUE && (c.args[0].input.Entries?.length ?? 0) <= 10)).toBe(
      true,
    );
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(TARGETS / 10) + 3);
    const ids = queuedPayloads().map((p) => p.target.id);
    expect(ids).toHaveLength(TARGETS);
    expect(new Set(ids).size).toBe(TARGETS);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('resends only the entries SQS failed, and counts throttling', async () => {
    let first = true;
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => {
      const failOne = first;
      first = false;
      return {
        Successful: input.Entries.slice(failOne ? 1 : 0).map((e) => ({
          Id: e.Id,
          MessageId: 'm',
          MD5OfMessageBody: '',
        })),
        Failed: failOne
          ? [{ Id: input.Entries[0]?.Id, Code: 'RequestThrottled', SenderFault: false, Message: 'slow down' }]
          : [],
      };
    });
    const summary = await queued({}, lambdaContext());
    expect(summary).toMatchObject({ dispatched: TARGETS, failed: 0, throttled: 1 });
    const ids = queuedPayloads().map((p) => p.target.id);
    expect(ids).toHaveLength(TARGETS + 1); // the throttled entry was sent twice: once refused, once taken
    expect(new Set(ids).size).toBe(TARGETS);
  });

  it('gives up on entries SQS refuses as malformed, and reports them', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.slice(1).map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: '' })),
      Failed: [{ Id: input.Entries[0]?.Id, Code: 'InvalidMessageContents', SenderFault: true }],
    }));
    const summary = await queued({}, lambdaContext());
    const batches = sqs.commandCalls(SendMessageBatchCommand).length;
    expect(summary).toMatchObject({ dispatched: TARGETS - batches, failed: batches });
  });
});
