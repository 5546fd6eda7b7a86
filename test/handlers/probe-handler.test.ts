import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { TargetStore } from '../../lib/store/target-store.ts';
import { normalizeTarget } from '../../lib/targets/target-schema.ts';
import { daysFromNow, importCa, issueCertificate } from '../fixtures/cert-factory.ts';
import { createTestTables, type TestTables } from '../fixtures/dynamo.ts';
import { lambdaContext } from '../fixtures/lambda-context.ts';
import { credentials, type RunningServer, startTlsServer } from '../fixtures/servers.ts';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:certvigil';
let tables: TestTables;
let store: TargetStore;
let server: RunningServer;
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

beforeAll(async () => {
  tables = await createTestTables();
  store = new TargetStore(tables.doc, tables.names.targets);
  // Issued under the run's trusted root (NODE_EXTRA_CA_CERTS), 20 days from expiry on a 90-day
  // lifetime: inside the warning window.
  const { certPem, keyPem } = inject('testCa');
  const intermediate = await issueCertificate(await importCa(certPem, keyPem), { ca: true });
  const leaf = await issueCertificate(intermediate, { notBefore: daysFromNow(-70), notAfter: daysFromNow(20.5) });
  server = await startTlsServer(credentials(leaf));
  // Test servers can only live on loopback, which a deployment refuses unless told otherwise.
  for (const [k, v] of Object.entries({ ...tables.env, TOPIC_ARN: TOPIC, ALLOW_PRIVATE_TARGETS: 'true' }))
    vi.stubEnv(k, v);
  ({ handler } = await import('../../lambdas/probe.ts'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await server.close();
  await tables.drop();
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

async function addTarget(host: string) {
  const target = normalizeTarget({ host: `${host}:${server.port}`, addresses: ['127.0.0.1'], servername: 'localhost' });
  await store.putTarget(target, new Date());
  return target;
}

describe('probe handler', () => {
  it('publishes exactly one message when ten invocations for the same target run at once', async () => {
    const target = await addTarget('ten.example');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => handler({ target, roundId: 'r1' }, lambdaContext())),
    );
    expect(results.every((r) => (r as { ok: boolean }).ok)).toBe(true);
    const publishes = sns.commandCalls(PublishCommand);
    expect(publishes).toHaveLength(1);
    const input = publishes[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'warning' },
      event: { DataType: 'String', StringValue: 'entered-window' },
      target: { DataType: 'String', StringValue: target.id },
    });
    expect(input?.Subject).toMatch(/^\[certvigil\] WARNING ten\.example:\d+: certificate expires in 20 days/);
    expect((input?.Subject ?? '').length).toBeLessThan(100);
    const message = JSON.parse(input?.Message ?? '{}');
    expect(message.email).toMatch(/Next step: Renew the certificate/);
    expect(JSON.parse(message.lambda)).toMatchObject({
      event: 'entered-window',
      severity: 'warning',
      target: target.id,
      daysLeft: 20,
    });

    const stored = await store.getTarget(target.id);
    expect(stored?.pending).toEqual({});
    expect(Object.keys(stored?.sent ?? {})).toEqual([expect.stringMatching(/^window:warning:/)]);
    expect(stored?.state?.result.status).toBe('warning');
    // In its warning window: checked again within 6 hours, not a day.
    expect(stored?.nextCheckAt).toBe(Date.parse(stored?.state?.result.checkedAt ?? '') + 360 * 60_000);
    const timeline = async () =>
      (
        await tables.doc.send(
          new (
            await import('@aws-sdk/lib-dynamodb')
          ).QueryCommand({
            TableName: tables.names.history,
            KeyConditionExpression: 'target = :t',
            ExpressionAttributeValues: { ':t': target.id },
          }),
        )
      ).Items ?? [];
    const rows = await timeline();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(rows[0]).toMatchObject({ change: 'first', result: { status: 'warning', sans: expect.any(Array) } });

    // The next check of the same certificate is quiet: no message, and nothing in the timeline.
    await handler({ target, roundId: 'r2' }, lambdaContext());
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(await timeline()).toHaveLength(rows.length);
  });

  it('keeps the event pending and fails when publishing fails, and the retry publishes it once', async () => {
    const target = await addTarget('retry.example');
    sns.reset();
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('SNS is down'), { name: 'InternalErrorException' }))
      .resolves({});
    await expect(handler({ target, roundId: 'r1' }, lambdaContext())).rejects.toThrow(
      /could not be published; they stay pending/,
    );
    const pending = Object.values((await store.getTarget(target.id))?.pending ?? {});
    expect(pending).toHaveLength(1);
    expect(pending[0]?.claim).toBeUndefined();

    await handler({ target, roundId: 'r1' }, lambdaContext()); // Lambda's async retry
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
    const after = await store.getTarget(target.id);
    expect(after?.pending).toEqual({});
    expect(Object.keys(after?.sent ?? {})).toHaveLength(1);
  });

  it('refuses to probe a loopback address when private targets are not allowed, and says why', async () => {
    vi.resetModules();
    vi.stubEnv('ALLOW_PRIVATE_TARGETS', 'false');
    const guarded = (await import('../../lambdas/probe.ts')).handler;
    vi.stubEnv('ALLOW_PRIVATE_TARGETS', 'true');
    const target = await addTarget('guarded.example');
    await guarded({ target, roundId: 'r1' }, lambdaContext());
    const state = (await store.getTarget(target.id))?.state;
    expect(state?.result.error).toEqual({
      kind: 'refused',
      message: 'not probed: 127.0.0.1 is a loopback address; private targets are not allowed in this deployment',
    });
    expect(server.connections).toBeGreaterThan(0); // (from earlier tests) …
    const before = server.connections;
    await guarded({ target, roundId: 'r2' }, lambdaContext());
    expect(server.connections).toBe(before); // …but the guarded probe never connected
  });

  it('drops a malformed payload without retrying it', async () => {
    const result = await handler({ target: { host: '' } }, lambdaContext());
    expect(result).toEqual({ ok: false, reason: 'invalid payload' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('stores nothing for a target deleted before its check was written', async () => {
    const target = normalizeTarget({ host: `gone.example:${server.port}`, addresses: ['127.0.0.1'] });
    await handler({ target, roundId: 'r1' }, lambdaContext());
    expect(await store.getTarget(target.id)).toBeUndefined();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});

describe('probe handler, queue mode', () => {
  const sqsEvent = (...bodies: string[]) => ({
    Records: bodies.map((body, i) => ({ eventSource: 'aws:sqs', messageId: `m${i}`, body })),
  });

  it('probes the target of each message and reports only the failed ones for redelivery', async () => {
    const good = await addTarget('queue-good.example');
    const failing = await addTarget('queue-failing.example');
    sns.reset();
    // The first publish (for whichever target goes first) fails; the second succeeds.
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('down'), { name: 'InternalErrorException' }))
      .resolves({});
    const reply = await handler(
      sqsEvent(
        JSON.stringify({ target: failing, roundId: 'r' }),
        JSON.stringify({ target: good, roundId: 'r' }),
        'not json',
        JSON.stringify({ target: { host: '' } }),
      ),
      lambdaContext(),
    );
    expect(reply).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
    // Redelivered, the failed message publishes its event once.
    await handler(sqsEvent(JSON.stringify({ target: failing, roundId: 'r' })), lambdaContext());
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    expect((await store.getTarget(failing.id))?.pending).toEqual({});
  });
});
