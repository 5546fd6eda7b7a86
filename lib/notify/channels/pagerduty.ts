// PagerDuty Events API v2: a condition (warning or critical) triggers an alert whose dedup_key is
// the event's id; the event that ends it (renewed, recovered, a worse window, removed…) names
// that id in `resolves`, and becomes a `resolve` with the same key. Info news that ends nothing
// (a renewal with nothing open, a certificate added) is not an incident and is not sent.
import { createHash } from 'node:crypto';
import { boundBytes, boundText } from '../../text-bounds.ts';
import type { Notification } from '../render-message.ts';
import {
  type Channel,
  ChannelConfigError,
  type ChannelRequest,
  type ChannelSettings,
  channelUrl,
  type Deliverable,
  retryableStatus,
  secretFields,
} from './channel.ts';
import { alarmHeadline } from './slack.ts';

/** PagerDuty's Events API v2 (US service region; EU accounts use events.eu.pagerduty.com). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** The Events API v2's documented limits. */
export const PAGERDUTY_LIMITS = { summary: 1024, dedupKey: 255, source: 255, eventBytes: 512 * 1024 } as const;

const ROUTING_KEY = /^[A-Za-z0-9_-]{16,64}$/;

/** The dedup_key of the alert an event (by id) triggers, and that the event ending it resolves. */
export function dedupKey(eventId: string): string {
  return `certvigil-${eventId}`.slice(0, PAGERDUTY_LIMITS.dedupKey);
}

function settings(routingKey: string | undefined, eventsUrl: string | undefined): ChannelSettings | undefined {
  const key = routingKey?.trim() ?? '';
  if (key === '') return undefined;
  if (!ROUTING_KEY.test(key)) {
    throw new ChannelConfigError(
      'the PagerDuty routing key is not one: use the Integration Key of an "Events API v2" integration (32 characters)',
    );
  }
  return {
    url: channelUrl(eventsUrl?.trim() || PAGERDUTY_EVENTS_URL, 'the PagerDuty events URL'),
    routingKey: key,
  };
}

/** A link to what is monitored, when the target is a web address. */
function links(target: string): { href: string; text: string }[] {
  const document = /^(?:saml|jwks|pem):(https:\/\/\S+)$/.exec(target)?.[1];
  if (document && document.length <= 2048) return [{ href: document, text: 'The monitored document' }];
  const host = /^([a-z0-9.-]+):443$/.exec(target)?.[1];
  return host ? [{ href: `https://${host}/`, text: 'The monitored endpoint' }] : [];
}

/** A `trigger` event: the envelope every alert shares, around its payload. */
function triggerRequest(
  routingKey: string,
  dedup: string,
  payload: Record<string, unknown>,
  links: { href: string; text: string }[] = [],
): ChannelRequest {
  const event = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedup,
    client: 'certvigil',
    payload,
    links,
  };
  return { what: 'trigger', headers: {}, body: JSON.stringify(event) };
}

function trigger(n: Notification, routingKey: string, dedup: string): ChannelRequest {
  return triggerRequest(
    routingKey,
    dedup,
    {
      summary: boundText(n.text.split('\n', 1)[0] || n.subject, PAGERDUTY_LIMITS.summary),
      source: boundText(n.target, PAGERDUTY_LIMITS.source),
      severity: n.severity,
      timestamp: n.occurredAt,
      component: boundText(n.target, PAGERDUTY_LIMITS.source),
      class: n.event,
      custom_details: {
        status: n.status,
        daysLeft: n.daysLeft,
        notAfter: n.notAfter,
        issuer: n.issuer,
        serialNumber: n.serialNumber,
        fingerprint256: n.fingerprint256,
        addresses: n.endpoints
          .slice(0, 10)
          .map((e) => `${e.address} ${e.status}${e.error ? ` ${e.error.kind}: ${e.error.message}` : ''}`),
        details: boundBytes(n.text, 8 * 1024),
        certvigilEventId: n.id,
      },
    },
    links(n.target),
  );
}

function resolve(routingKey: string, dedup: string): ChannelRequest {
  return {
    what: 'resolve',
    headers: {},
    body: JSON.stringify({ routing_key: routingKey, event_action: 'resolve', dedup_key: dedup }),
  };
}

/** Triggers first (someone stays paged), then resolves what the event ends. */
export function pagerdutyRequests(message: Deliverable, routingKey: string): ChannelRequest[] {
  if (message.kind === 'alarm') {
    const a = message.alarm;
    const dedup = `certvigil-alarm-${createHash('sha256')
      .update(a.AlarmArn ?? a.AlarmName)
      .digest('hex')
      .slice(0, 32)}`;
    if (a.NewStateValue === 'OK') return [resolve(routingKey, dedup)];
    if (a.NewStateValue !== 'ALARM') return [];
    return [
      triggerRequest(routingKey, dedup, {
        summary: boundText(alarmHeadline(a), PAGERDUTY_LIMITS.summary),
        source: boundText(`certvigil in ${a.AWSAccountId} ${a.Region}`, PAGERDUTY_LIMITS.source),
        severity: 'error',
        timestamp: new Date(Date.parse(a.StateChangeTime) || Date.now()).toISOString(),
        class: 'certvigil-alarm',
        custom_details: {
          alarm: boundText(a.AlarmName, 255),
          description: a.AlarmDescription ? boundText(a.AlarmDescription, 1024) : null,
          reason: boundText(a.NewStateReason, 1024),
        },
      }),
    ];
  }
  const n = message.notification;
  if (n.event === 'test') return [trigger(n, routingKey, dedupKey(`test-${n.id}`))];
  const requests: ChannelRequest[] = [];
  // A reminder or an escalation alerts again on the open event's own alert (PagerDuty adds it to
  // that incident's log), never a new incident.
  if (n.severity !== 'info') requests.push(trigger(n, routingKey, dedupKey(n.reminderOf ?? n.id)));
  for (const id of n.resolves ?? []) requests.push(resolve(routingKey, dedupKey(id)));
  return requests;
}

export const pagerduty: Channel = {
  name: 'pagerduty',
  title: 'PagerDuty',
  resolvesIncidents: true,
  env: ['PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_EVENTS_URL'],
  deploy: {
    functionId: 'PagerdutyNotifier',
    secretId: 'PagerdutyRoutingKey',
    holds: 'PagerDuty Events API v2 routing key',
    secretValue: '<routing key>',
    secretOutput: 'PagerdutySecretArn',
    issuer: 'PagerDuty',
  },
  fromSecret(value) {
    const fields = secretFields(value, 'the PagerDuty secret', ['routingKey', 'eventsUrl'], 'routingKey');
    return fields ? settings(fields.routingKey, fields.eventsUrl) : undefined;
  },
  fromEnv(env) {
    return settings(env.PAGERDUTY_ROUTING_KEY, env.PAGERDUTY_EVENTS_URL);
  },
  render(message, s) {
    return pagerdutyRequests(message, s.routingKey as string);
  },
  retryable: retryableStatus,
};
