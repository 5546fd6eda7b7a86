// Generic webhook: the notification's fields as JSON, signed with HMAC-SHA256 over
// `<timestamp>.<body>` so that a receiver can reject forgeries (wrong signature) and replays (an
// old timestamp, an id seen before). The recipe is in docs/alert-channels.md.
import { createHash, createHmac } from 'node:crypto';
import { boundText } from '../../text-bounds.ts';
import {
  type Channel,
  ChannelConfigError,
  type ChannelSettings,
  channelUrl,
  type Deliverable,
  retryableStatus,
  secretFields,
} from './channel.ts';
import { alarmHeadline } from './slack.ts';

export const SIGNATURE_HEADER = 'x-certvigil-signature';
export const TIMESTAMP_HEADER = 'x-certvigil-timestamp';
export const DELIVERY_HEADER = 'x-certvigil-id';
/** Shortest signing secret accepted (characters). */
export const MIN_SIGNING_SECRET = 16;

/** `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>` with the signing secret. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function settings(url: string | undefined, secret: string | undefined, where: string): ChannelSettings | undefined {
  if (!url?.trim()) return undefined;
  const parsed = channelUrl(url, 'the webhook URL');
  if (!secret || secret.length < MIN_SIGNING_SECRET) {
    throw new ChannelConfigError(
      `the webhook needs a signing secret of at least ${MIN_SIGNING_SECRET} characters (${where}), so that its receiver can reject forged calls`,
    );
  }
  return { url: parsed, signingSecret: secret };
}

/** The JSON the receiver gets: the notification's fields, or the alarm's, with `type`. */
export function webhookBody(message: Deliverable): Record<string, unknown> {
  if (message.kind === 'notification') return { type: 'notification', ...message.notification };
  const a = message.alarm;
  return {
    type: 'alarm',
    version: 1,
    id: createHash('sha256')
      .update(`${a.AlarmArn ?? a.AlarmName}\n${a.StateChangeTime}\n${a.NewStateValue}`)
      .digest('base64url')
      .slice(0, 22),
    subject: boundText(alarmHeadline(a), 200),
    occurredAt: a.StateChangeTime,
    alarm: a,
  };
}

export const webhook: Channel = {
  name: 'webhook',
  title: 'Webhook',
  resolvesIncidents: false,
  env: ['WEBHOOK_URL', 'WEBHOOK_SECRET'],
  deploy: {
    functionId: 'WebhookNotifier',
    secretId: 'WebhookTarget',
    holds: 'webhook {"url": ..., "secret": <signing secret>}',
    secretValue: '\'{"url":"https://...","secret":"<the generated signing secret>"}\'',
    secretOutput: 'WebhookSecretArn',
    issuer: 'the receiver',
    generated: { template: { url: '' }, key: 'secret' },
  },
  fromSecret(value) {
    const fields = secretFields(value, 'the webhook secret', ['url', 'secret']);
    return fields ? settings(fields.url, fields.secret, 'the "secret" field of the channel secret') : undefined;
  },
  fromEnv(env) {
    return settings(env.WEBHOOK_URL, env.WEBHOOK_SECRET, 'WEBHOOK_SECRET');
  },
  render(message, s, now) {
    const payload = webhookBody(message);
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(now.getTime() / 1000));
    return [
      {
        what: 'notification',
        headers: {
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signature(s.signingSecret as string, timestamp, body),
          [DELIVERY_HEADER]: String(payload.id),
        },
        body,
      },
    ];
  },
  retryable: retryableStatus,
};
