// Signed action tokens (issue 31, "acting from the message"): a link in an alert lets whoever holds
// it acknowledge or snooze that one event without AWS credentials. The token names the target, the
// event, the action and when it expires, carries a random nonce (the ledger makes it single use),
// and is signed with HMAC-SHA-256 under a key kept in Secrets Manager. Nothing in it is secret but
// the signature: it is the credential, so it is never logged.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const ACTIONS = ['ack', 'snooze'] as const;
export type Action = (typeof ACTIONS)[number];

/** What a token grants: one action on one event of one target, until `expiresAt`. */
export interface ActionClaims {
  target: string;
  /** The event's id (events.ts eventId: a digest of target and condition). */
  event: string;
  action: Action;
  /** The event's type, for the confirmation page (`entered-window`); bounded. */
  type: string;
  /** Epoch seconds. */
  expiresAt: number;
  /** Random, base64url: the ledger's key (single use). */
  nonce: string;
}

/** The links a notification carries, and when they stop working. */
export interface NotificationActions {
  ack: string;
  snooze: string;
  expiresAt: string;
}

/** The shortest key accepted (bytes): HMAC-SHA-256 wants at least its output's length. */
export const MIN_KEY_BYTES = 32;
/** Longest token read (characters): a target id is at most 4 KiB; anything longer is refused unread. */
export const MAX_TOKEN_CHARS = 6_000;
/** How long links live by default, and at most (days). */
export const ACTION_LINK_DAYS = { default: 7, max: 30 } as const;

const VERSION = 'v1';
const CONTEXT = 'certvigil-action-v1.';
const EVENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

export class ActionKeyError extends Error {}

function checkedKey(key: Uint8Array): Uint8Array {
  if (key.byteLength < MIN_KEY_BYTES) {
    throw new ActionKeyError(`the action-link key is ${key.byteLength} bytes; it must be at least ${MIN_KEY_BYTES}`);
  }
  return key;
}

function mac(key: Uint8Array, payload: string): Buffer {
  return createHmac('sha256', checkedKey(key))
    .update(CONTEXT + payload)
    .digest();
}

/** A token for `claims` (a fresh nonce unless given). */
export function signActionToken(
  key: Uint8Array,
  claims: Omit<ActionClaims, 'nonce'> & { nonce?: string | undefined },
): string {
  const body = {
    t: claims.target,
    e: claims.event,
    a: claims.action,
    k: claims.type.slice(0, 64),
    x: Math.floor(claims.expiresAt),
    n: claims.nonce ?? randomBytes(18).toString('base64url'),
  };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${VERSION}.${payload}.${mac(key, payload).toString('base64url')}`;
}

export type Verified =
  | { ok: true; claims: ActionClaims }
  /** `malformed`: not a token; `signature`: altered or signed with another key; `expired`. */
  | { ok: false; reason: 'malformed' | 'signature' | 'expired'; claims?: ActionClaims | undefined };

/**
 * Checks a token: its shape, then its signature (in constant time) before anything in it is
 * believed, then its expiry at `now`. Linear in the token's length, which is bounded first.
 */
export function verifyActionToken(key: Uint8Array, token: string, now: Date): Verified {
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, payload = '', signature = ''] = parts;
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = mac(key, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
  const claims = claimsOf(payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.expiresAt * 1000 <= now.getTime()) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

function claimsOf(payload: string): ActionClaims | undefined {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { t, e, a, k, x, n } = body as Record<string, unknown>;
  if (typeof t !== 'string' || t.length === 0 || t.length > 4096) return undefined;
  if (typeof e !== 'string' || !EVENT_ID.test(e)) return undefined;
  if (a !== 'ack' && a !== 'snooze') return undefined;
  if (typeof k !== 'string' || k.length > 64) return undefined;
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) return undefined;
  if (typeof n !== 'string' || !NONCE.test(n)) return undefined;
  return { target: t, event: e, action: a, type: k, expiresAt: x, nonce: n };
}
