import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../lambdas/notifier-handler.ts';
import { ChannelConfigError } from '../../lib/notify/channels/channel.ts';
import { clearChannelSecrets } from '../../lib/notify/channels/channel-secret.ts';
import { renderNotification } from '../../lib/notify/render-message.ts';
import { decideTransition } from '../../lib/policy/transitions.ts';
import { checkResult } from '../fixtures/check-results.ts';
import { type ScriptedServer, startScriptedServer } from '../fixtures/http-server.ts';
import { lambdaContext } from '../fixtures/lambda-context.ts';

const secrets = mockClient(SecretsManagerClient);
let slack: ScriptedServer;

const event = decideTransition(
  undefined,
  checkResult({ target: 'api.example.com:443', status: 'critical', daysLeft: 3 }),
).events[0];
if (!event) throw new Error('fixture produced no event');
const notification = renderNotification(event);

/** A CloudWatch alarm state change, as CloudWatch publishes it to SNS. */
const alarmMessage = {
  AlarmName: 'Certvigil-MonitoringNoDispatch-ABC123',
  AlarmDescription: 'certvigil: no dispatch round ran in twice the longest gap of the schedule (rate(1 hour))',
  AWSAccountId: '123456789012',
  AlarmConfigurationUpdatedTimestamp: '2026-11-28T10:00:00.000+0000',
  NewStateValue: 'ALARM',
  NewStateReason: 'Threshold Crossed: 2 datapoints [0.0, 0.0] were less than the threshold (1.0).',
  StateChangeTime: '2026-11-28T12:00:00.000+0000',
  Region: 'EU (Ireland)',
  AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Certvigil-MonitoringNoDispatch-ABC123',
  OldStateValue: 'OK',
  OKActions: [],
  AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:certvigil'],
  InsufficientDataActions: [],
  Trigger: { MetricName: 'Invocations', Namespace: 'AWS/Lambda', Statistic: 'SUM', Period: 3600 },
};

function snsEvent(...messages: unknown[]): SNSEvent {
  return {
    Records: messages.map((m, i) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:certvigil:sub',
      Sns: {
        Message: typeof m === 'string' ? m : JSON.stringify(m),
        MessageId: `m${i}`,
        Type: 'Notification',
        TopicArn: 'arn',
        Timestamp: '',
        SignatureVersion: '1',
        Signature: '',
        SigningCertUrl: '',
        UnsubscribeUrl: '',
        Subject: null,
        MessageAttributes: {},
      },
    })),
  } as unknown as SNSEvent;
}

beforeAll(async () => {
  slack = await startScriptedServer();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  secrets.reset();
  clearChannelSecrets();
  slack.requests.length = 0;
  slack.answer({ status: 200, body: 'ok' });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: slack.url });
});

describe('notifier handler', () => {
  it('posts a Block Kit message coloured by severity to the webhook from Secrets Manager', async () => {
    const handler = createHandler(
      { channel: 'slack', secretId: 'certvigil/slack' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    expect(await handler(snsEvent(notification), lambdaContext())).toEqual({ delivered: 1, skipped: 0 });
    expect(slack.requests).toHaveLength(1);
    const request = slack.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/services/T000/B000/secret-token');
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '{}');
    expect(body.text).toBe(notification.subject);
    expect(body.attachments[0].color).toBe('#e01e5a');
    expect(JSON.stringify(body.attachments[0].blocks)).toContain('api.example.com:443');
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: 'certvigil/slack' });
  });

  it('reads the secret once per container', async () => {
    const handler = createHandler(
      { channel: 'slack', secretId: 'certvigil/slack' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    await handler(snsEvent(notification), lambdaContext());
    await handler(snsEvent(notification), lambdaContext());
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(slack.requests).toHaveLength(2);
  });

  it('accepts a JSON secret with a webhookUrl field', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ webhookUrl: slack.url }) });
    const handler = createHandler(
      { channel: 'slack', secretId: 'certvigil/slack' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    expect(await handler(snsEvent(notification), lambdaContext())).toEqual({ delivered: 1, skipped: 0 });
  });

  it('delivers nothing, without failing, while the secret is empty', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '' });
    const handler = createHandler(
      { channel: 'slack', secretId: 'certvigil/slack' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    expect(await handler(snsEvent(notification), lambdaContext())).toEqual({ delivered: 0, skipped: 1 });
    expect(slack.requests).toHaveLength(0);
  });

  it('retries a 500 and then delivers', async () => {
    slack.answer({ status: 500, body: 'oops' }, { status: 200, body: 'ok' });
    const handler = createHandler(
      { channel: 'slack', secretId: 'certvigil/slack' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    expect(await handler(snsEvent(notification), lambdaContext())).toEqual({ delivered: 1, skipped: 0 });
    expect(slack.requests).toHaveLength(2);
  });

  it('fails at once on a 404 without putting the webhook URL in the error', async () => {
    slack.answer({ status: 404, body: 'no_service' });
    const handler = createHandler(
      { channel: 'slack', secretId: 'certvigil/slack' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    const failure = await handler(snsEvent(notification), lambdaContext()).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      'Slack answered 404 to the message "no_service" (check the URL or key in the channel secret)',
    );
    expect(String((failure as Error).stack)).not.toContain('secret-token');
    expect(slack.requests).toHaveLength(1);
  });

  it('turns CloudWatch alarm state changes into readable Slack messages', async () => {
    const handler = createHandler(
      { channel: 'slack', secretId: 'certvigil/slack' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    const cleared = { ...alarmMessage, NewStateValue: 'OK', OldStateValue: 'ALARM', NewStateReason: 'back above' };
    expect(await handler(snsEvent(alarmMessage, cleared), lambdaContext())).toEqual({ delivered: 2, skipped: 0 });
    const [raised, ok] = slack.requests.map((r) => JSON.parse(r.body));
    expect(raised.text).toBe('certvigil itself needs attention: Certvigil-MonitoringNoDispatch-ABC123');
    expect(raised.attachments[0].color).toBe('#e01e5a');
    const text = JSON.stringify(raised.attachments[0].blocks);
    expect(text).toContain('no dispatch round ran');
    expect(text).toContain('OK → ALARM');
    expect(text).toContain('Threshold Crossed');
    expect(ok.text).toBe('certvigil alarm cleared: Certvigil-MonitoringNoDispatch-ABC123');
    expect(ok.attachments[0].color).toBe('#2eb67d');
  });

  it('delivers a test notification as a plainly marked Slack message', async () => {
    const { testNotification } = await import('../../lib/notify/plain-notifications.ts');
    const handler = createHandler(
      { channel: 'slack', secretId: 'certvigil/slack' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    const test = testNotification({ id: 't1', at: new Date('2026-11-28T12:00:00Z') });
    expect(await handler(snsEvent(test), lambdaContext())).toEqual({ delivered: 1, skipped: 0 });
    const body = JSON.parse(slack.requests[0]?.body ?? '{}');
    expect(body.text).toBe('[certvigil] TEST notification: alerts reach this channel');
    expect(JSON.stringify(body.attachments[0].blocks)).toContain('No certificate is affected');
  });

  it('logs and skips messages it does not know, delivering the rest, instead of failing (and retrying) forever', async () => {
    const handler = createHandler(
      { channel: 'slack', secretId: 'certvigil/slack' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    const reply = await handler(
      snsEvent('plain text someone published', { hello: 'world' }, { version: 1, id: 5 }, notification),
      lambdaContext(),
    );
    expect(reply).toEqual({ delivered: 1, skipped: 3 });
    expect(slack.requests).toHaveLength(1);
    expect(JSON.parse(slack.requests[0]?.body ?? '{}').text).toBe(notification.subject);
  });

  it('refuses a secret that is not an https URL, without echoing it', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'http://hooks.example.com/services/secret-token' });
    const handler = createHandler(
      { channel: 'slack', secretId: 'certvigil/slack' },
      new SecretsManagerClient({ region: 'eu-west-1' }),
    );
    const failure = await handler(snsEvent(notification), lambdaContext()).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(ChannelConfigError);
    expect((failure as Error).message).toBe('the Slack webhook URL must use https');
  });
});
