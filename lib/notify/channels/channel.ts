// What a notification channel is: it renders what arrives on the alert topic into HTTP requests,
// and says which answers are worth another attempt. Delivery (deadline, retries, Retry-After)
// is the same for every channel and lives here. Nothing here ever puts a URL, routing key or
// signing secret into an error or a log line.
import { retryAfterMs } from '../../net/retry-after.ts';
import type { Notification } from '../render-message.ts';
import type { AlarmMessage } from '../topic-message.ts';

export const CHANNEL_NAMES = ['slack', 'teams', 'pagerduty', 'webhook'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** What a channel delivers: a certvigil notification, or a CloudWatch alarm of the monitor itself. */
export type Deliverable = { kind: 'notification'; notification: Notification } | { kind: 'alarm'; alarm: AlarmMessage };

/** Where and how a channel delivers, from its secret (AWS) or environment variables (local mode). */
export interface ChannelSettings {
  url: URL;
  /** PagerDuty: the integration's routing key. */
  routingKey?: string | undefined;
  /** Generic webhook: the key the HMAC-SHA256 signature is made with. */
  signingSecret?: string | undefined;
}

/** One HTTP request a channel sends; `what` names it in logs (`trigger`, `resolve`…). */
export interface ChannelRequest {
  what: string;
  headers: Record<string, string>;
  body: string;
}

export interface Channel {
  name: ChannelName;
  /** How people call it: `Slack`, `Microsoft Teams`… */
  title: string;
  /**
   * Incidents that stay open until resolved (PagerDuty): such a channel must receive the events
   * that end them (`resolves`), whatever its severity filter lets through.
   */
  resolvesIncidents: boolean;
  /** Local mode's environment variables that configure it (named in its errors and the banner). */
  env: readonly string[];
  /** How the stack deploys it (infra/constructs/alerts.ts builds its notifier from this alone). */
  deploy: ChannelDeployment;
  /** The secret's value as this channel's settings; undefined when empty. Throws ChannelConfigError. */
  fromSecret(value: string | undefined): ChannelSettings | undefined;
  /** Local mode's environment variables as settings; undefined when the channel is not configured. */
  fromEnv(env: Record<string, string | undefined>): ChannelSettings | undefined;
  /** The requests for one message, in order; none when the channel has nothing to say about it. */
  render(message: Deliverable, settings: ChannelSettings, now: Date): ChannelRequest[];
  /** Whether an HTTP status is worth another attempt (rate limits and server errors). */
  retryable(status: number): boolean;
}

/** A channel's notifier and secret in the stack. */
export interface ChannelDeployment {
  /** Construct ids of its function and secret (kept across releases: an update replaces nothing). */
  functionId: string;
  secretId: string;
  /** What its secret holds, for descriptions and outputs. */
  holds: string;
  /** What `aws secretsmanager put-secret-value --secret-string` takes (shell-quoted). */
  secretValue: string;
  /** The stack output naming its secret (`certvigil doctor` reads it). */
  secretOutput: string;
  /** Who issues the value (why no rotation function can renew it). */
  issuer: string;
  /** A part the stack generates (the webhook's signing key): the secret starts as `template` plus a random `key`. */
  generated?: { template: Record<string, string>; key: string };
}

/** A problem with a channel's settings (URL, key): retrying will not help. Never carries the value. */
export class ChannelConfigError extends Error {
  override name = 'ChannelConfigError';
}

/** The channel kept refusing (or failing) until attempts or time ran out. Never carries the URL. */
export class ChannelDeliveryError extends Error {
  override name = 'ChannelDeliveryError';
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(message: string, status: number | undefined, retryable: boolean) {
    super(message);
    this.status = status;
    this.retryable = retryable;
  }
}

/** Rate limits and server errors: the usual answer worth another attempt. */
export function retryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * A channel URL: https, or http to a loopback address (local mode and tests). `what` names the
 * setting in the error, which never repeats the URL.
 */
export function channelUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ChannelConfigError(`${what} is not a valid URL`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host.startsWith('127.') || host === '::1';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ChannelConfigError(`${what} must use https`);
  }
  if (url.username || url.password) throw new ChannelConfigError(`${what} must not carry a user name or password`);
  return url;
}

/**
 * A channel secret's fields: undefined when the secret is empty; the named string fields of a
 * JSON object; or, for a secret that is not JSON, its text as `plain` (a bare URL or key) when the
 * channel accepts one. Throws ChannelConfigError, never with the value.
 */
export function secretFields<F extends string>(
  value: string | undefined,
  what: string,
  fields: readonly F[],
  plain?: F,
): Partial<Record<F, string>> | undefined {
  const text = value?.trim() ?? '';
  if (text === '' || text === '{}') return undefined;
  if (!text.startsWith('{')) {
    if (plain) return { [plain]: text } as Partial<Record<F, string>>;
    throw new ChannelConfigError(`${what} must be JSON with ${fields.map((f) => `"${f}"`).join(' and ')}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // reported below
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ChannelConfigError(`${what} looks like JSON but is not a JSON object`);
  }
  const out: Partial<Record<F, string>> = {};
  for (const field of fields) {
    const v = (parsed as Record<string, unknown>)[field];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') throw new ChannelConfigError(`${what}: "${field}" must be a string`);
    out[field] = v.trim();
  }
  return out;
}

export interface DeliverOptions {
  /** Attempts in all for one request, the first included. */
  maxAttempts?: number;
  /** When delivery must be over (epoch ms): no attempt or wait goes past it. */
  deadline?: number;
  /** Upper bound for one wait, whatever Retry-After asks. */
  maxDelayMs?: number;
  /** Wait before the first retry when the channel gives no Retry-After; doubles each time. */
  baseDelayMs?: number;
  /** Time limit of one attempt. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Defaults: four attempts, waits of 1, 2, 4 s (or Retry-After, at most 20 s), 10 s per attempt. */
export const DELIVERY_DEFAULTS = { maxAttempts: 4, maxDelayMs: 20_000, baseDelayMs: 1_000, timeoutMs: 10_000 } as const;

/**
 * Sends a channel's requests in order. Each is retried on network failures and on the answers
 * the channel calls retryable, waiting as long as Retry-After says (capped); other answers fail
 * at once. Nothing waits or starts past the deadline: the caller's own retry takes over. The
 * final failure throws a ChannelDeliveryError without the URL.
 */
export async function deliver(
  channel: Pick<Channel, 'title' | 'retryable'>,
  settings: ChannelSettings,
  requests: ChannelRequest[],
  options: DeliverOptions = {},
): Promise<void> {
  for (const request of requests) await deliverOne(channel, settings.url, request, options);
}

async function deliverOne(
  channel: Pick<Channel, 'title' | 'retryable'>,
  url: URL,
  request: ChannelRequest,
  options: DeliverOptions,
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? DELIVERY_DEFAULTS.maxAttempts;
  const maxDelayMs = options.maxDelayMs ?? DELIVERY_DEFAULTS.maxDelayMs;
  const now = options.now ?? Date.now;
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let delay = options.baseDelayMs ?? DELIVERY_DEFAULTS.baseDelayMs;
  let last: ChannelDeliveryError | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const left = deadline - now();
    if (left <= 0) break;
    let wait: number;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'certvigil', ...request.headers },
        body: request.body,
        signal: AbortSignal.timeout(Math.max(1, Math.min(options.timeoutMs ?? DELIVERY_DEFAULTS.timeoutMs, left))),
        // A redirect is never followed: the body and its signature go to the URL configured, nowhere else.
        redirect: 'manual',
      });
      // What the channel says is bounded and kept: it helps, and it never holds our URL.
      const reply = (await response.text().catch(() => '')).slice(0, 200);
      if (response.ok) return;
      if (response.status >= 300 && response.status < 400) {
        last = new ChannelDeliveryError(
          `${channel.title} answered ${response.status} (a redirect) to the ${request.what}; certvigil follows no redirects from a channel (check the URL in the channel secret)`,
          response.status,
          false,
        );
        throw last;
      }
      const retryable = channel.retryable(response.status);
      last = new ChannelDeliveryError(
        `${channel.title} answered ${response.status} to the ${request.what}${reply ? ` ${JSON.stringify(reply)}` : ''}${
          response.status === 401 || response.status === 403 || response.status === 404
            ? ' (check the URL or key in the channel secret)'
            : ''
        }`,
        response.status,
        retryable,
      );
      if (!retryable) throw last;
      wait = retryAfterMs(response.headers.get('retry-after'), now()) ?? delay;
    } catch (error) {
      if (error === last) throw error;
      last = new ChannelDeliveryError(
        `could not reach ${channel.title} for the ${request.what}: ${(error as Error).name === 'TimeoutError' ? 'timed out' : networkReason(error)}`,
        undefined,
        true,
      );
      wait = delay;
    }
    delay *= 2;
    if (attempt === maxAttempts) break;
    const pause = Math.min(wait, maxDelayMs);
    // A wait that would end past the deadline is not worth starting: fail now and let the
    // caller's retry (the Lambda's, then its failure queue) take it.
    if (now() + pause >= deadline) break;
    await sleep(pause);
  }
  throw (
    last ?? new ChannelDeliveryError(`${channel.title}: no time left to deliver the ${request.what}`, undefined, true)
  );
}

/** The cause of a fetch failure without the URL (undici puts it in some messages). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).name ?? 'network error';
}
