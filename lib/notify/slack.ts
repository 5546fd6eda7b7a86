import type { Severity } from '../policy/transitions.ts';
import { boundText } from '../text-bounds.ts';
import type { Notification } from './render-message.ts';

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
    context(`fingerprint ${notification.fingerprint256 ?? 'none'} · ${notification.occurredAt}`),
  ]);
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

/** A problem with the webhook URL itself: retrying will not help. Never carries the URL. */
export class SlackConfigError extends Error {
  override name = 'SlackConfigError';
}

/** Slack answered, and kept refusing (or failed) after every retry. Never carries the URL. */
export class SlackDeliveryError extends Error {
  override name = 'SlackDeliveryError';
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** Checks a webhook URL: https, or http to a loopback address (local mode and tests). */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new SlackConfigError('the Slack webhook URL is not a valid URL');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host.startsWith('127.') || host === '::1';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new SlackConfigError('the Slack webhook URL must use https');
  }
  return url;
}

export interface PostOptions {
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** Upper bound for one wait, whatever Retry-After asks. */
  maxDelayMs?: number;
  /** Wait before the first retry when Slack gives no Retry-After; doubles each time. */
  baseDelayMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Posts a message to a Slack incoming webhook. 429 and 5xx (and network failures) are retried,
 * waiting as long as Retry-After says (capped); other 4xx fail at once. The final failure
 * throws, so the caller's retry and failure handling see it. The URL is never put in an error.
 */
export async function postToSlack(webhookUrl: string, payload: unknown, options: PostOptions = {}): Promise<void> {
  const url = parseWebhookUrl(webhookUrl);
  const maxAttempts = options.maxAttempts ?? 4;
  const maxDelayMs = options.maxDelayMs ?? 20_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let delay = options.baseDelayMs ?? 1_000;
  let last: SlackDeliveryError | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        redirect: 'error',
      });
    } catch (error) {
      last = new SlackDeliveryError(
        `could not reach Slack: ${(error as Error).name === 'TimeoutError' ? 'timed out' : networkReason(error)}`,
      );
      if (attempt < maxAttempts) await sleep(Math.min(delay, maxDelayMs));
      delay *= 2;
      continue;
    }
    const reply = (await response.text().catch(() => '')).slice(0, 200);
    if (response.ok) return;
    const retryable = response.status === 429 || response.status >= 500;
    last = new SlackDeliveryError(
      `Slack answered ${response.status}${reply ? ` ${JSON.stringify(reply)}` : ''}`,
      response.status,
    );
    if (!retryable) {
      last.message +=
        response.status === 404 || response.status === 403 ? ' (check the webhook URL in the secret)' : '';
      throw last;
    }
    if (attempt < maxAttempts)
      await sleep(Math.min(retryAfterMs(response.headers.get('retry-after')) ?? delay, maxDelayMs));
    delay *= 2;
  }
  throw last ?? new SlackDeliveryError('Slack delivery failed');
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The cause of a fetch failure without the URL (undici puts it in some messages). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).name ?? 'network error';
}
