// The signed links an alert carries (issue 31, opt-in): "acknowledge" and "snooze" for the open
// event the message announces or repeats, each a single-use token (action-token.ts) on the action
// function's URL. The publisher adds them just before the message leaves, so every channel (the
// email text, Slack's and Teams' buttons) shows the same two links.
import { boundBytes } from '../text-bounds.ts';
import { ACTION_LINK_DAYS, type Action, type NotificationActions, signActionToken } from './action-token.ts';
import { MAX_TEXT_BYTES, type Notification } from './render-message.ts';

/** Events whose condition stays open until it ends, so an acknowledgement has something to hold. */
const OPENING = new Set<string>([
  'entered-window',
  'expired',
  'invalid',
  'unreachable',
  'inconsistent',
  'renewal-requested',
  'imported-expiring',
  'renewal-stuck',
  'revoked',
]);

/** The open event a notification is about (its own id, or the one a reminder repeats); none for news that closes nothing. */
export function actionableEvent(notification: Notification): { id: string; type: string } | undefined {
  if (notification.reminderOf) return { id: notification.reminderOf, type: notification.event };
  return OPENING.has(notification.event) ? { id: notification.id, type: notification.event } : undefined;
}

const LINKS_LEAD = '\n\nAcknowledge (no sign-in;';

/** A notification's text without the links' lines (channels that show the links as buttons). */
export function textWithoutLinks(text: string): string {
  const at = text.lastIndexOf(LINKS_LEAD);
  return at < 0 ? text : text.slice(0, at);
}

/** The path of an action on an event: the token must name the same event and action. */
export function actionPath(event: string, action: Action): string {
  return `/actions/${event}/${action}`;
}

export interface ActionLinkOptions {
  /** The action function's URL (or local mode's), origin only: `https://abc.lambda-url.eu-west-1.on.aws`. */
  baseUrl: string;
  /** The signing key (read from Secrets Manager, cached; local mode keeps its own). */
  key: () => Promise<Uint8Array>;
  /** How long a link works, in days (default ACTION_LINK_DAYS.default). */
  days?: number | undefined;
  now?: () => Date;
  /** Told when the key cannot be read: the message then goes without links (an alert is never held for them). */
  onKeyError?: ((error: Error) => void) | undefined;
}

export class ActionLinks {
  private readonly base: string;
  private readonly key: () => Promise<Uint8Array>;
  private readonly days: number;
  private readonly now: () => Date;
  private readonly onKeyError: ((error: Error) => void) | undefined;

  constructor(options: ActionLinkOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw new Error('action links need an https URL (plain http only on loopback, for local mode)');
    }
    this.base = url.origin;
    this.key = options.key;
    this.days = Math.min(Math.max(options.days ?? ACTION_LINK_DAYS.default, 1), ACTION_LINK_DAYS.max);
    this.now = options.now ?? (() => new Date());
    this.onKeyError = options.onKeyError;
  }

  /** The notification with its two links (and their lines in the text), or as it is when nothing can be acknowledged. */
  async attach(notification: Notification): Promise<Notification> {
    const open = actionableEvent(notification);
    if (!open) return notification;
    let key: Uint8Array;
    try {
      key = await this.key();
    } catch (error) {
      this.onKeyError?.(error as Error);
      return notification;
    }
    const expiresAt = Math.floor(this.now().getTime() / 1000) + this.days * 86_400;
    const link = (action: Action) =>
      `${this.base}${actionPath(open.id, action)}?token=${signActionToken(key, {
        target: notification.target,
        event: open.id,
        action,
        type: open.type,
        expiresAt,
      })}`;
    const actions: NotificationActions = {
      ack: link('ack'),
      snooze: link('snooze'),
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
    const until = actions.expiresAt.slice(0, 16).replace('T', ' ');
    const lines = [
      `${LINKS_LEAD.trimStart()} each link works once, until ${until} UTC):`,
      actions.ack,
      'Snooze:',
      actions.snooze,
    ].join('\n');
    // Room is kept for the links: a long text is shortened, never the links.
    const text = `${boundBytes(notification.text, MAX_TEXT_BYTES - Buffer.byteLength(lines) - 2)}\n\n${lines}`;
    return { ...notification, text, actions };
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
