// The pages of the action links (issue 31): the confirmation a GET shows (it never acts: mail
// scanners follow links), what a POST did, and a refusal that says why and what to do instead.
// Every value from a token or a request is escaped and bounded: the pages are plain HTML with one
// inline style sheet, no script, and a policy that forbids everything else.
import type { AdminResponse } from '../admin/problem.ts';
import type { ActionClaims } from '../notify/action-token.ts';
import { ACK_NOTE_MAX } from '../policy/acknowledgements.ts';
import { boundText } from '../text-bounds.ts';

/** Snooze lengths the page offers (days). */
export const SNOOZE_DAYS = [1, 3, 7, 14, 30] as const;
/** Longest name a person may leave with an acknowledgement. */
export const ACTOR_NAME_MAX = 100;

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}code{overflow-wrap:anywhere}label{display:block;margin-top:1rem}
input,textarea,select{font:inherit;width:100%;box-sizing:border-box}button{font:inherit;margin-top:1.2rem;padding:.5rem 1.2rem}
.small{color:#555;font-size:.9rem}`;

/** Headers of every page: no caching, no referrer (the token is in the URL), no framing, no script. */
const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** Escaped and bounded: every value a page shows. */
function shown(text: string, max = 300): string {
  return escapeHtml(boundText(text, max));
}

function page(status: number, title: string, body: string, extra: Record<string, string> = {}): AdminResponse {
  return {
    status,
    headers: { ...HEADERS, ...extra },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)} · certvigil</title><style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

function when(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function about(claims: ActionClaims): string {
  return `<p>Target <code>${shown(claims.target)}</code><br>Event <b>${shown(claims.type || 'event', 64)}</b> <span class="small">(${shown(claims.event, 64)})</span></p>`;
}

/** GET: what the link will do, and a form that does it. Nothing is changed by showing this. */
export function confirmationPage(claims: ActionClaims, path: string, token: string): AdminResponse {
  const snooze = claims.action === 'snooze';
  const fields = snooze
    ? `<label>Remind me again in <select name="days">${SNOOZE_DAYS.map(
        (d) => `<option value="${d}"${d === 7 ? ' selected' : ''}>${d} day${d === 1 ? '' : 's'}</option>`,
      ).join('')}</select></label>`
    : `<label>Note (optional) <textarea name="note" rows="3" maxlength="${ACK_NOTE_MAX}"></textarea></label>`;
  const what = snooze
    ? 'Snoozing stops the reminders and escalation of this event until the date you choose; then they start again if the condition still holds.'
    : 'Acknowledging says someone is on it: the reminders and escalation of this event stop until the certificate is renewed or the condition ends. A worse condition (critical, expired, revoked) is announced again.';
  return page(
    200,
    snooze ? 'Snooze this alert?' : 'Acknowledge this alert?',
    `${about(claims)}<p>${what}</p><form method="post" action="${escapeHtml(path)}">` +
      `<input type="hidden" name="token" value="${escapeHtml(token)}">${fields}` +
      `<label>Your name (optional, shown with it) <input name="name" maxlength="${ACTOR_NAME_MAX}" autocomplete="name"></label>` +
      `<button type="submit">${snooze ? 'Snooze' : 'Acknowledge'}</button></form>` +
      `<p class="small">This link works once, until ${when(claims.expiresAt)}. Anyone who has it can use it: do not forward it.</p>`,
  );
}

/** POST succeeded. */
export function donePage(claims: ActionClaims, until: string | undefined): AdminResponse {
  return page(
    200,
    claims.action === 'snooze' ? 'Snoozed' : 'Acknowledged',
    `${about(claims)}<p>${
      claims.action === 'snooze'
        ? `Reminders of this event are held until ${shown(until?.slice(0, 16).replace('T', ' ') ?? '', 40)} UTC.`
        : 'Reminders and escalation of this event stop until the certificate is renewed or the condition ends.'
    } The target's timeline shows it.</p>`,
  );
}

/** The event ended before the link was used: nothing to do (the token is spent). */
export function notOpenPage(claims: ActionClaims): AdminResponse {
  return page(
    200,
    'Nothing to do',
    `${about(claims)}<p>This event is no longer open: a renewal or a recovery ended it, or its target was removed. Nothing was changed.</p>`,
  );
}

export type Refusal =
  | 'malformed'
  | 'signature'
  | 'expired'
  | 'mismatch'
  | 'used'
  | 'rate'
  | 'method'
  | 'not-found'
  | 'form'
  | 'unavailable'
  | 'failed';

const REFUSALS: Record<Refusal, { status: number; title: string; text: string }> = {
  malformed: {
    status: 400,
    title: 'This link is not complete',
    text: 'The link was cut or changed on its way here (some mail programs break long links). Open it again from the message, or acknowledge with <code>certvigil ack</code>.',
  },
  signature: {
    status: 403,
    title: 'This link is not valid',
    text: 'It was altered, or was not made by this certvigil (or its key was changed since). Nothing was changed.',
  },
  expired: {
    status: 410,
    title: 'This link has expired',
    text: 'Action links work for a limited time. Use a later message’s link, the dashboard, or <code>certvigil ack</code>.',
  },
  mismatch: {
    status: 403,
    title: 'This link is for another alert',
    text: 'The token names a different event or action than the address it was sent to. Nothing was changed.',
  },
  used: {
    status: 410,
    title: 'This link was already used',
    text: 'Each link works once.',
  },
  rate: {
    status: 429,
    title: 'Too many requests',
    text: 'Wait a minute and try again.',
  },
  method: { status: 405, title: 'Not supported', text: 'Open the link in a browser.' },
  'not-found': { status: 404, title: 'Not found', text: 'This address serves certvigil’s action links only.' },
  form: {
    status: 400,
    title: 'The form was not complete',
    text: 'Go back and send the form again.',
  },
  unavailable: {
    status: 503,
    title: 'Not available just now',
    text: 'certvigil could not read what it needs to check the link. Try again in a minute; nothing was changed.',
  },
  failed: {
    status: 500,
    title: 'That did not work',
    text: 'Something failed inside certvigil; nothing was changed and the link still works. Try again in a minute.',
  },
};

/** A refusal: why, and what to do instead (`detail`: more, as text). */
export function refusalPage(reason: Refusal, detail?: string, headers: Record<string, string> = {}): AdminResponse {
  const r = REFUSALS[reason];
  return page(r.status, r.title, `<p>${r.text}</p>${detail ? `<p>${shown(detail, 500)}</p>` : ''}`, headers);
}
