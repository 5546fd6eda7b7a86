// The action links' endpoint (issue 31): `/actions/{event}/{ack|snooze}?token=…` on a function URL
// without AWS auth (and on local mode's server). It believes nothing before the token's signature
// holds; a GET shows what the link would do and never acts (mail scanners follow links); a POST
// with the token acts once (the ledger), and the event, the action and the target all come from
// the signed token. Every request is logged (never the token) and rate limited per caller.
import { type AcknowledgementRequest, recordAcknowledgement } from '../admin/acknowledge.ts';
import type { AdminDependencies, AdminRequest } from '../admin/admin-types.ts';
import { type AdminResponse, ProblemError } from '../admin/problem.ts';
import { type ActionClaims, MAX_TOKEN_CHARS, verifyActionToken } from '../notify/action-token.ts';
import { ACK_NOTE_MAX } from '../policy/acknowledgements.ts';
import type { ActionLedger } from '../store/action-ledger.ts';
import { boundText } from '../text-bounds.ts';
import {
  ACTOR_NAME_MAX,
  confirmationPage,
  donePage,
  notOpenPage,
  type Refusal,
  refusalPage,
  SNOOZE_DAYS,
} from './action-pages.ts';

/** Requests per caller and minute, across every instance (the ledger) and within one (memory). */
export const ACTIONS_PER_MINUTE = 20;
/** Largest form body read (bytes): a token, a note and a name. */
const MAX_FORM_BYTES = 16 * 1024;
const PATH = /^\/actions\/([A-Za-z0-9_-]{1,64})\/(ack|snooze)$/;

export interface ActionRequest extends AdminRequest {
  /** The caller's address as the transport saw it (the rate limit's key; logged). */
  sourceIp: string;
}

export interface ActionDependencies extends Pick<AdminDependencies, 'targets' | 'history' | 'runbooks'> {
  /** The signing key (Secrets Manager, cached). */
  key: () => Promise<Uint8Array>;
  ledger: Pick<ActionLedger, 'used' | 'claim' | 'settle' | 'release' | 'count'>;
  /** One line per request: the outcome, never the token. */
  log: (entry: Record<string, unknown>) => void;
  now?: () => Date;
  perMinute?: number | undefined;
}

/** Per-instance counts (a flood is refused before it costs a write); bounded. */
const recent = new Map<string, { minute: number; n: number }>();
const RECENT_MAX = 10_000;

function overLocalLimit(ip: string, now: Date, limit: number): boolean {
  const minute = Math.floor(now.getTime() / 60_000);
  const seen = recent.get(ip);
  if (!seen || seen.minute !== minute) {
    if (recent.size >= RECENT_MAX) recent.clear();
    recent.set(ip, { minute, n: 1 });
    return false;
  }
  seen.n += 1;
  return seen.n > limit;
}

/** Forgets the per-instance counts (tests). */
export function resetActionLimits(): void {
  recent.clear();
}

export async function handleActionRequest(request: ActionRequest, deps: ActionDependencies): Promise<AdminResponse> {
  const now = deps.now?.() ?? new Date();
  const entry: Record<string, unknown> = {
    method: request.method,
    path: boundText(request.path, 120),
    sourceIp: boundText(request.sourceIp, 64),
  };
  const answer = (response: AdminResponse, outcome: string, claims?: ActionClaims) => {
    deps.log({
      ...entry,
      outcome,
      status: response.status,
      ...(claims
        ? { target: boundText(claims.target, 200), event: claims.event, action: claims.action, nonce: claims.nonce }
        : {}),
    });
    return response;
  };
  const refuse = (reason: Refusal, claims?: ActionClaims, detail?: string, headers?: Record<string, string>) =>
    answer(refusalPage(reason, detail, headers), reason, claims);

  const match = PATH.exec(request.path);
  if (!match) return refuse('not-found');
  const [, pathEvent, pathAction] = match;
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    return refuse('method', undefined, undefined, { allow: 'GET, POST' });
  }
  const limit = deps.perMinute ?? ACTIONS_PER_MINUTE;
  if (overLocalLimit(request.sourceIp, now, limit))
    return refuse('rate', undefined, undefined, { 'retry-after': '60' });

  let form: URLSearchParams | undefined;
  if (method === 'POST') {
    const type = request.headers['content-type'] ?? '';
    if (
      !/^application\/x-www-form-urlencoded\b/i.test(type) ||
      Buffer.byteLength(request.body ?? '') > MAX_FORM_BYTES
    ) {
      return refuse('form');
    }
    form = new URLSearchParams(request.body ?? '');
  }
  const token = (form ?? request.query).get('token') ?? '';
  if (!token || token.length > MAX_TOKEN_CHARS) return refuse('malformed');
  let key: Uint8Array;
  try {
    key = await deps.key();
  } catch (error) {
    return failed(error, answer);
  }
  const verified = verifyActionToken(key, token, now);
  if (!verified.ok) {
    return refuse(
      verified.reason,
      verified.claims,
      verified.reason === 'expired' && verified.claims
        ? `It expired at ${new Date(verified.claims.expiresAt * 1000).toISOString()}.`
        : undefined,
    );
  }
  const claims = verified.claims;
  if (claims.event !== pathEvent || claims.action !== pathAction) return refuse('mismatch', claims);
  try {
    if ((await deps.ledger.count(request.sourceIp, now)) > limit) {
      return refuse('rate', claims, undefined, { 'retry-after': '60' });
    }
    if (!form) {
      const used = await deps.ledger.used(claims.nonce);
      if (used) return refuse('used', claims, `It was used at ${used.at}: ${used.outcome}.`);
      const page = confirmationPage(claims, request.path, token);
      return answer(method === 'HEAD' ? { ...page, body: '' } : page, 'confirmation shown', claims);
    }
    return await act(claims, form, now, deps, answer, refuse);
  } catch (error) {
    return failed(error, answer);
  }
}

/** A failure of a dependency: logged with its name only (an SDK error may quote a request). */
function failed(error: unknown, answer: (r: AdminResponse, outcome: string) => AdminResponse): AdminResponse {
  return answer(
    refusalPage('unavailable', undefined, { 'retry-after': '60' }),
    `unavailable: ${(error as Error)?.name}`,
  );
}

async function act(
  claims: ActionClaims,
  form: URLSearchParams,
  now: Date,
  deps: ActionDependencies,
  answer: (r: AdminResponse, outcome: string, claims?: ActionClaims) => AdminResponse,
  refuse: (reason: Refusal, claims?: ActionClaims, detail?: string) => AdminResponse,
): Promise<AdminResponse> {
  const note = form.get('note') ?? '';
  const name = (form.get('name') ?? '').trim();
  const days = Number(form.get('days') ?? Number.NaN);
  if (note.length > ACK_NOTE_MAX || name.length > ACTOR_NAME_MAX) return refuse('form', claims, 'A field is too long.');
  if (claims.action === 'snooze' && !(SNOOZE_DAYS as readonly number[]).includes(days)) {
    return refuse('form', claims, `Choose how long to snooze: ${SNOOZE_DAYS.join(', ')} days.`);
  }
  if (!(await deps.ledger.claim(claims.nonce, now.toISOString(), claims.expiresAt))) {
    const used = await deps.ledger.used(claims.nonce);
    return refuse('used', claims, used ? `It was used at ${used.at}: ${used.outcome}.` : undefined);
  }
  const request: AcknowledgementRequest = {
    kind: claims.action,
    target: claims.target,
    eventId: claims.event,
    by: name ? `${name} (signed link)` : 'signed link',
    at: now,
    ...(note.trim() ? { note: note.trim() } : {}),
    ...(claims.action === 'snooze' ? { until: new Date(now.getTime() + days * 86_400_000).toISOString() } : {}),
  };
  try {
    const done = await recordAcknowledgement(deps, request);
    await deps.ledger.settle(claims.nonce, claims.action === 'snooze' ? 'snoozed' : 'acknowledged');
    return answer(donePage(claims, done.acknowledged.until), done.acknowledged.kind, claims);
  } catch (error) {
    if (error instanceof ProblemError && error.status === 404) {
      await deps.ledger.settle(claims.nonce, 'nothing to do: the event was no longer open');
      return answer(notOpenPage(claims), 'not open', claims);
    }
    // Nothing was recorded: the link is given back so that the person can try again.
    await deps.ledger.release(claims.nonce).catch(() => undefined);
    return answer(refusalPage('failed'), `failed: ${(error as Error)?.name}`, claims);
  }
}
