// Microsoft Teams: the Workflows webhook ("When a Teams webhook request is received", Power
// Automate) with an Adaptive Card. The Office 365 connectors (…webhook.office.com) are retired
// and refused. Every text from a certificate is a TextRun (plain text: no markdown, no links).
import type { Severity } from '../../policy/events.ts';
import { boundBytes, boundText } from '../../text-bounds.ts';
import { textWithoutLinks } from '../action-links.ts';
import type { Notification } from '../render-message.ts';
import type { AlarmMessage } from '../topic-message.ts';
import {
  type Channel,
  ChannelConfigError,
  channelUrl,
  type Deliverable,
  retryableStatus,
  secretFields,
} from './channel.ts';
import { alarmHeadline, digestParagraphs } from './slack.ts';

/** Teams refuses messages over about 28 KB; cards stay under this many bytes of JSON. */
export const TEAMS_MAX_BYTES = 24 * 1024;
/** The Adaptive Card schema version sent: 1.4 renders on every Teams client. */
export const TEAMS_CARD_VERSION = '1.4';

const STYLE: Record<Severity, string> = { info: 'good', warning: 'warning', critical: 'attention' };

type Element = Record<string, unknown>;

/** A line of literal text (TextRun: never markdown), optionally led by a bold label. */
function line(
  text: string,
  options: { label?: string; size?: string; bold?: boolean; subtle?: boolean } = {},
): Element {
  const inlines: Element[] = [];
  if (options.label) inlines.push({ type: 'TextRun', text: `${options.label} `, weight: 'Bolder' });
  inlines.push({
    type: 'TextRun',
    text: boundText(text, 2000, { keepLines: true }),
    ...(options.size ? { size: options.size } : {}),
    ...(options.bold ? { weight: 'Bolder' } : {}),
    ...(options.subtle ? { isSubtle: true } : {}),
  });
  return { type: 'RichTextBlock', inlines };
}

function card(style: string, body: Element[], actions: Element[] = []): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: TEAMS_CARD_VERSION,
          msteams: { width: 'Full' },
          body: [{ type: 'Container', style, bleed: true, items: body }],
          ...(actions.length ? { actions } : {}),
        },
      },
    ],
  };
}

/** An owner's weekly digest: the headline, then each section with its title in bold. */
function digestCard(n: Notification, maxBytes: number): Record<string, unknown> {
  const build = (rows: number) =>
    card(STYLE.info, [
      line(n.subject, { size: 'Medium', bold: true }),
      ...digestParagraphs(n.text).map((p) =>
        line(
          ['', ...p.lines.slice(0, rows), ...(p.lines.length > rows ? [`… ${p.lines.length - rows} more`] : [])].join(
            '\n',
          ),
          { label: p.title },
        ),
      ),
      line(`digest · ${n.occurredAt}`, { subtle: true }),
    ]);
  let message = build(100);
  // Long target ids: fewer rows per section until the card fits.
  for (const rows of [40, 15, 5, 1]) {
    if (Buffer.byteLength(JSON.stringify(message)) <= maxBytes) break;
    message = build(rows);
  }
  return message;
}

/** The card for a certvigil notification: headline, the facts, the addresses, the full text. */
export function teamsCard(n: Notification, maxBytes = TEAMS_MAX_BYTES): Record<string, unknown> {
  if (n.event === 'digest') return digestCard(n, maxBytes);
  const build = (textBytes: number, addresses: number) =>
    card(
      STYLE[n.severity],
      [
        line(n.subject, { size: 'Medium', bold: true }),
        ...(n.event === 'test'
          ? []
          : [
              line(n.target, { label: 'Target' }),
              line(n.status, { label: 'Status' }),
              line(n.notAfter ? `${n.notAfter.slice(0, 10)} (${n.daysLeft} days)` : 'unknown', { label: 'Expires' }),
              line(n.issuer ?? 'unknown', { label: 'Issuer' }),
              ...n.endpoints.slice(0, addresses).map((e) =>
                line(`${e.address} ${e.status}${e.error ? ` (${e.error.kind}: ${e.error.message})` : ''}`, {
                  label: 'Address',
                }),
              ),
            ]),
        line(boundBytes(textWithoutLinks(n.text), textBytes)),
        line(`${n.event} · ${n.fingerprint256 ?? 'no certificate'} · ${n.occurredAt}`, { subtle: true }),
      ],
      // The signed links (opt-in) as buttons; a link too long for the card is left to the email.
      n.actions && n.actions.ack.length + n.actions.snooze.length < maxBytes / 4
        ? [
            { type: 'Action.OpenUrl', title: 'Acknowledge', url: n.actions.ack },
            { type: 'Action.OpenUrl', title: 'Snooze', url: n.actions.snooze },
          ]
        : [],
    );
  let message = build(12_288, 20);
  // Hostile names escaped into JSON can grow: shrink until the card fits.
  for (const [text, addresses] of [
    [6_000, 10],
    [2_000, 3],
    [500, 1],
  ] as const) {
    if (Buffer.byteLength(JSON.stringify(message)) <= maxBytes) break;
    message = build(text, addresses);
  }
  return message;
}

/** The card for a CloudWatch alarm of the monitor itself. */
export function teamsAlarmCard(alarm: AlarmMessage): Record<string, unknown> {
  const style = alarm.NewStateValue === 'ALARM' ? 'attention' : alarm.NewStateValue === 'OK' ? 'good' : 'default';
  return card(style, [
    line(alarmHeadline(alarm), { size: 'Medium', bold: true }),
    ...(alarm.AlarmDescription ? [line(alarm.AlarmDescription)] : []),
    line(`${boundText(alarm.OldStateValue, 32)} → ${boundText(alarm.NewStateValue, 32)}`, { label: 'State' }),
    line(alarm.NewStateReason, { label: 'Why' }),
    line(`account ${alarm.AWSAccountId} · ${alarm.Region} · ${alarm.StateChangeTime}`, { subtle: true }),
  ]);
}

/** A Workflows webhook URL; the retired Office 365 connector URLs are refused with what to do. */
export function parseTeamsUrl(text: string): URL {
  const url = channelUrl(text, 'the Teams webhook URL');
  const host = url.hostname.toLowerCase();
  if (host.endsWith('.webhook.office.com') || /^outlook\.office(365)?\.com$/.test(host)) {
    throw new ChannelConfigError(
      'the Teams webhook URL is an Office 365 connector, which Microsoft retired; create a Workflows webhook in Teams (Workflows → "Post to a channel when a webhook request is received") and use its URL',
    );
  }
  return url;
}

function render(message: Deliverable) {
  const payload = message.kind === 'alarm' ? teamsAlarmCard(message.alarm) : teamsCard(message.notification);
  return [{ what: 'card', headers: {}, body: JSON.stringify(payload) }];
}

export const teams: Channel = {
  name: 'teams',
  title: 'Microsoft Teams',
  resolvesIncidents: false,
  env: ['TEAMS_WEBHOOK_URL'],
  deploy: {
    functionId: 'TeamsNotifier',
    secretId: 'TeamsWebhook',
    holds: 'Microsoft Teams Workflows webhook URL',
    secretValue: '<Workflows webhook URL>',
    secretOutput: 'TeamsSecretArn',
    issuer: 'Microsoft Teams',
  },
  fromSecret(value) {
    const url = secretFields(value, 'the Teams secret', ['webhookUrl'], 'webhookUrl')?.webhookUrl;
    return url ? { url: parseTeamsUrl(url) } : undefined;
  },
  fromEnv(env) {
    const url = env.TEAMS_WEBHOOK_URL?.trim();
    return url ? { url: parseTeamsUrl(url) } : undefined;
  },
  render,
  retryable: retryableStatus,
};
