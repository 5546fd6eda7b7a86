// Slack: an incoming webhook, Block Kit in an attachment coloured by severity.
import type { Severity } from '../../policy/events.ts';
import { boundText, LIMITS } from '../../text-bounds.ts';
import type { Notification } from '../render-message.ts';
import type { AlarmMessage } from '../topic-message.ts';
import { type Channel, channelUrl, retryableStatus, secretFields } from './channel.ts';

const COLOURS: Record<Severity, string> = { info: '#2eb67d', warning: '#ecb22e', critical: '#e01e5a' };

/** Slack's documented limits for the parts of a message we send (characters). */
export const SLACK_LIMITS = {
  /** Top-level text (the notification fallback); Slack truncates past 40,000. */
  text: 3000,
  /** A section block's text. */
  sectionText: 3000,
  /** One section field, and how many fields a section may have. */
  fieldText: 2000,
  fields: 10,
  /** A context block's element text, and how many elements it may have. */
  contextText: 2000,
  contextElements: 10,
  /** Blocks in one message. */
  blocks: 50,
} as const;

/** Escaped mrkdwn cut to `max` characters, visibly. */
function mrkdwn(text: string, max: number): string {
  return boundText(escapeMrkdwn(text), max, { keepLines: true });
}

/** A Slack incoming-webhook payload: Block Kit inside an attachment, coloured by severity. */
export function slackMessage(notification: Notification): Record<string, unknown> {
  if (notification.event === 'test') {
    return slackBlocks(notification.subject, COLOURS.info, [section(notification.text)]);
  }
  if (notification.event === 'digest') return slackDigest(notification);
  const fields = [
    ['Target', notification.target],
    ['Status', notification.status],
    [
      'Expires',
      notification.notAfter ? `${notification.notAfter.slice(0, 10)} (${notification.daysLeft} days)` : 'unknown',
    ],
    ['Issuer', notification.issuer ?? 'unknown'],
  ].map(([label, value]) => ({ type: 'mrkdwn', text: mrkdwn(`*${label}*\n${value ?? ''}`, SLACK_LIMITS.fieldText) }));
  const addresses = notification.endpoints
    .map((e) => `\`${e.address}\` ${e.status}${e.error ? ` (${e.error.kind}: ${e.error.message})` : ''}`)
    .join('\n');
  return slackBlocks(notification.subject, COLOURS[notification.severity], [
    section(`*${notification.subject}*`),
    { type: 'section', fields },
    ...(addresses ? [section(`*Addresses*\n${addresses}`)] : []),
    ...actionButtons(notification),
    context(`fingerprint ${notification.fingerprint256 ?? 'none'} · ${notification.occurredAt}`),
  ]);
}

/** Slack's longest button URL (characters). */
const BUTTON_URL_MAX = 3000;

/** The signed links (opt-in) as two buttons; links too long for Slack are left to the email. */
function actionButtons(n: Notification): Record<string, unknown>[] {
  const a = n.actions;
  if (!a || a.ack.length > BUTTON_URL_MAX || a.snooze.length > BUTTON_URL_MAX) return [];
  const button = (text: string, url: string, id: string) => ({
    type: 'button',
    text: { type: 'plain_text', text },
    url,
    action_id: id,
  });
  return [
    {
      type: 'actions',
      elements: [button('Acknowledge', a.ack, 'certvigil-ack'), button('Snooze', a.snooze, 'certvigil-snooze')],
    },
  ];
}

/**
 * An owner's weekly digest: its headline, then each of its sections (in trouble, expiring, …) as
 * blocks led by the section's title in bold, a long one split at lines so that no block is cut.
 */
function slackDigest(n: Notification): Record<string, unknown> {
  const blocks = [section(`*${n.subject}*`)];
  for (const paragraph of digestParagraphs(n.text)) {
    let chunk = `*${paragraph.title}*`;
    for (const row of paragraph.lines) {
      // Room for escaping (& < > grow) and the bound's marker.
      if (chunk.length + row.length > SLACK_LIMITS.sectionText / 2) {
        blocks.push(section(chunk));
        chunk = '';
      }
      chunk += `${chunk ? '\n' : ''}${row}`;
    }
    if (chunk) blocks.push(section(chunk));
  }
  const kept = blocks.slice(0, SLACK_LIMITS.blocks - 1);
  if (blocks.length > kept.length)
    kept.push(context(`… ${blocks.length - kept.length} more blocks: certvigil digest prints it whole`));
  return slackBlocks(n.subject, COLOURS.info, kept);
}

/** A digest's text as its sections: the first line is the headline, then blank-line separated sections. */
export function digestParagraphs(text: string): { title: string; lines: string[] }[] {
  return text
    .trim()
    .split(/\n\s*\n/)
    .slice(1)
    .map((block) => {
      const [title = '', ...lines] = block.split('\n');
      return { title: title.trim(), lines: lines.map((l) => l.trim()).filter(Boolean) };
    });
}

/** A section block with bounded mrkdwn text (`*bold*` markers survive escaping). */
export function section(text: string): Record<string, unknown> {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn(text, SLACK_LIMITS.sectionText) } };
}

export function context(text: string): Record<string, unknown> {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(text, SLACK_LIMITS.contextText) }] };
}

/** The message envelope: fallback text plus coloured attachment blocks, within Slack's limits. */
export function slackBlocks(
  fallback: string,
  colour: string,
  blocks: Record<string, unknown>[],
): Record<string, unknown> {
  return {
    text: mrkdwn(fallback, SLACK_LIMITS.text),
    attachments: [{ color: colour, blocks: blocks.slice(0, SLACK_LIMITS.blocks) }],
  };
}

/** Slack's mrkdwn needs &, < and > escaped. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ALARM_COLOURS: Record<string, string> = { ALARM: '#e01e5a', OK: '#2eb67d', INSUFFICIENT_DATA: '#999999' };

/** A readable Slack message for an alarm state change of the monitor itself. */
export function alarmSlackMessage(alarm: AlarmMessage): Record<string, unknown> {
  const headline = alarmHeadline(alarm);
  return slackBlocks(headline, ALARM_COLOURS[alarm.NewStateValue] ?? '#999999', [
    section(`*${headline}*`),
    ...(alarm.AlarmDescription ? [section(alarm.AlarmDescription)] : []),
    section(`*State* ${alarm.OldStateValue} → ${alarm.NewStateValue}\n*Why* ${alarm.NewStateReason}`),
    context(`account ${alarm.AWSAccountId} · ${alarm.Region} · ${alarm.StateChangeTime}`),
  ]);
}

/** One line on an alarm state change of certvigil itself (every channel says the same). */
export function alarmHeadline(alarm: AlarmMessage): string {
  const name = boundText(alarm.AlarmName, 255);
  return alarm.NewStateValue === 'ALARM'
    ? `certvigil itself needs attention: ${name}`
    : alarm.NewStateValue === 'OK'
      ? `certvigil alarm cleared: ${name}`
      : `certvigil alarm ${name} is ${boundText(alarm.NewStateValue, LIMITS.token)}`;
}

/** Checks a Slack webhook URL (https, or http to loopback); never repeats it in the error. */
export function parseSlackUrl(text: string) {
  return channelUrl(text, 'the Slack webhook URL');
}

export const slack: Channel = {
  name: 'slack',
  title: 'Slack',
  resolvesIncidents: false,
  env: ['SLACK_WEBHOOK_URL'],
  deploy: {
    functionId: 'Notifier',
    secretId: 'SlackWebhook',
    holds: 'Slack incoming-webhook URL',
    secretValue: '<webhook URL>',
    secretOutput: 'SlackSecretArn',
    issuer: 'Slack',
  },
  fromSecret(value) {
    const url = secretFields(value, 'the Slack secret', ['webhookUrl'], 'webhookUrl')?.webhookUrl;
    return url ? { url: parseSlackUrl(url) } : undefined;
  },
  fromEnv(env) {
    const url = env.SLACK_WEBHOOK_URL?.trim();
    return url ? { url: parseSlackUrl(url) } : undefined;
  },
  render(message) {
    const payload = message.kind === 'alarm' ? alarmSlackMessage(message.alarm) : slackMessage(message.notification);
    return [{ what: 'message', headers: {}, body: JSON.stringify(payload) }];
  },
  retryable: retryableStatus,
};
