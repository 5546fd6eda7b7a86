// Channel URLs, routing keys and signing secrets are secrets: they must never show up in logs,
// errors or what is sent (beyond what the channel itself needs), whatever happens to delivery.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChannelName } from '../../lib/notify/channels/channel.ts';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { type ScriptedServer, startScriptedServer } from '../fixtures/http-server.ts';
import { lambdaContext } from '../fixtures/lambda-context.ts';

const secrets = mockClient(SecretsManagerClient);
const SECRET_PART = 'secret-token';
let slack: ScriptedServer;
let captured = '';
let handler: (channel: ChannelName, event: SNSEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

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
  const { clearChannelSecrets } = await import('../../lib/notify/channels/channel-secret.ts');
  handler = async (channel, e, c) => {
    clearChannelSecrets();
    return createHandler(
      { channel, secretId: `certvigil/${channel}` },
      new SecretsManagerClient({ region: 'eu-west-1' }),
      { delivery: { baseDelayMs: 1 } },
    )(e, c);
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

/** Each channel's secret, with SECRET_PART where the secret is: URL path, routing key, signing key. */
const SECRETS: Record<ChannelName, (url: string) => string> = {
  slack: (url) => url,
  teams: (url) => JSON.stringify({ webhookUrl: url }),
  pagerduty: (url) =>
    JSON.stringify({ routingKey: `R0${SECRET_PART.replace('-', '')}0000000000000000`, eventsUrl: url }),
  webhook: (url) => JSON.stringify({ url, secret: `signing-${SECRET_PART}-0123456789` }),
};

describe.each(Object.keys(SECRETS) as ChannelName[])('the %s secret never leaks', (channel) => {
  // PagerDuty's Events API takes the routing key in the body: the one place it must be.
  const bodyMayHoldKey = channel === 'pagerduty';
  const marker = channel === 'pagerduty' ? SECRET_PART.replace('-', '') : SECRET_PART;
  it.each([
    ['delivered', () => slack.answer({ status: 202 }), () => slack.url],
    ['refused with 404', () => slack.answer({ status: 404, body: 'no_service' }), () => slack.url],
    [
      'throttled, then delivered',
      () => slack.answer({ status: 429, headers: { 'retry-after': '0' } }, { status: 200 }),
      () => slack.url,
    ],
    ['unreachable', () => undefined, () => slack.url.replace(/:\d+\//, ':1/')],
    ['not https', () => undefined, () => slack.url.replace('http://127.0.0.1', 'http://hooks.example.com')],
    ['not a URL', () => undefined, () => `not a url ${SECRET_PART}`],
  ])('%s', async (_name, setUp, url) => {
    setUp();
    slack.requests.length = 0;
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRETS[channel](url()) });
    const failure = await handler(channel, sns, lambdaContext()).then(
      () => undefined,
      (e: Error) => e,
    );
    const surfaces = [
      captured,
      failure?.message ?? '',
      failure?.stack ?? '',
      JSON.stringify(failure ?? {}),
      ...slack.requests.flatMap((r) => [JSON.stringify(r.headers), bodyMayHoldKey ? '' : r.body]),
    ];
    for (const text of surfaces) expect(text).not.toContain(marker);
    expect(captured.length).toBeGreaterThan(0); // the logs were really on
  });
});
