// The Slack webhook URL is a secret: it must never show up in logs, errors or notifications,
// whatever happens to the delivery.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { type ScriptedServer, startScriptedServer } from '../fixtures/http-server.ts';
import { lambdaContext } from '../fixtures/lambda-context.ts';

const secrets = mockClient(SecretsManagerClient);
const SECRET_PART = 'secret-token';
let slack: ScriptedServer;
let captured = '';
let handler: (event: SNSEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

const event = decideTransition(undefined, checkResult({ status: 'expired' })).events[0];
if (!event) throw new Error('no event');
const sns = {
  Records: [{ Sns: { Message: JSON.stringify(renderNotification(event)) } }],
} as unknown as SNSEvent;

beforeAll(async () => {
  slack = await startScriptedServer();
  // Logs on, at the most talkative level, for this test only.
  vi.resetModules();
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'certvigil');
  const { createHandler } = await import('../../lambdas/notifier-handler.ts');
  const { clearWebhookCache } = await import('../../lib/notify/webhook-secret.ts');
  handler = async (e, c) => {
    clearWebhookCache();
    return createHandler({ slackSecretId: 'certvigil/slack' }, new SecretsManagerClient({ region: 'eu-west-1' }))(e, c);
  };
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await slack.close();
});

beforeEach(() => {
  captured = '';
  secrets.reset();
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured += String(chunk);
      return write(chunk as never, ...(rest as []));
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the Slack webhook URL never leaks', () => {
  it.each([
    ['delivered', () => slack.answer({ status: 200 }), () => slack.url],
    ['refused with 404', () => slack.answer({ status: 404, body: 'no_service' }), () => slack.url],
    [
      'throttled, then delivered',
      () => slack.answer({ status: 429, headers: { 'retry-after': '0' } }, { status: 200 }),
      () => slack.url,
    ],
    ['unreachable', () => undefined, () => slack.url.replace(/:\d+\//, ':1/')],
    ['not https', () => undefined, () => slack.url.replace('http://127.0.0.1', 'http://hooks.example.com')],
    ['not a URL', () => undefined, () => `not a url ${SECRET_PART}`],
    ['stored as JSON', () => slack.answer({ status: 200 }), () => JSON.stringify({ webhookUrl: slack.url })],
  ])('%s', async (_name, setUp, secret) => {
    setUp();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secret() });
    const failure = await handler(sns, lambdaContext()).then(
      () => undefined,
      (e: Error) => e,
    );
    const surfaces = [
      captured,
      failure?.message ?? '',
      failure?.stack ?? '',
      JSON.stringify(failure ?? {}),
      ...slack.requests.map((r) => r.body),
    ];
    for (const text of surfaces) expect(text).not.toContain(SECRET_PART);
    expect(captured.length).toBeGreaterThan(0); // the logs were really on
  });
});
