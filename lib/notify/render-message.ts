import type { CheckResult } from '../policy/check-result.ts';
import type { EventCertificate, MonitorEvent, Severity } from '../policy/events.ts';
import { findingCodes } from '../policy/findings.ts';
import { describeTrustError } from '../policy/renewal-policy.ts';
import { boundBytes } from '../text-bounds.ts';
import type { NotificationActions } from './action-token.ts';

/**
 * Most bytes of a notification's text: an SNS message carries it three times (email, default,
 * and inside the JSON for Lambda, escaped twice), and must stay under 256 KiB.
 */
export const MAX_TEXT_BYTES = 16 * 1024;
/** Most earlier events one notification resolves (a vanished source with every certificate open). */
export const MAX_RESOLVES = 200;

/** What subscribers receive: the event, and the words a person reads. */
export interface Notification {
  version: 1;
  id: string;
  /** A monitor event, `test` for a test notification an operator asked for, or an owner's weekly `digest`. */
  event: MonitorEvent['event'] | 'test' | 'digest';
  severity: Severity;
  target: string;
  occurredAt: string;
  /** Under 100 ASCII characters: the target and the news. */
  subject: string;
  /** Plain text: what happened, the certificate, each address, and what to do. */
  text: string;
  status: CheckResult['status'];
  daysLeft: number | null;
  notAfter: string | null;
  issuer: string | null;
  serialNumber: string | null;
  fingerprint256: string | null;
  previous: MonitorEvent['previous'] | null;
  endpoints: CheckResult['endpoints'];
  error: CheckResult['error'];
  /** Ids of earlier notifications whose condition this one ends (MonitorEvent.resolves). */
  resolves: string[];
  /** A reminder or an escalation: the id of the open event it repeats (incident channels re-alert that one). */
  reminderOf?: string | undefined;
  /** Its target's owner (null: none) and tags: SNS filter policies route by them (`owner`, `tags`). */
  owner: string | null;
  tags: string[];
  /** Signed links to acknowledge or snooze the open event without credentials (opt-in: action-links.ts). */
  actions?: NotificationActions | undefined;
}

const SUBJECT_LIMIT = 99;

export function renderNotification(event: MonitorEvent): Notification {
  if (event.reminder) return renderReminder(event, event.reminder);
  if (event.certificate) return renderCertificateNotification(event, event.certificate);
  const r = event.result;
  const news = headline(event);
  // A CT event is about the logged certificate, not what the target served at its last check.
  const ct = event.ct;
  return {
    ...envelope(event, news, body(event, news)),
    status: r.status,
    daysLeft: ct ? Math.floor((Date.parse(ct.notAfter) - Date.parse(event.occurredAt)) / 86_400_000) : r.daysLeft,
    notAfter: ct ? ct.notAfter : r.notAfter,
    issuer: ct ? ct.issuer : r.issuer,
    serialNumber: ct ? null : r.serialNumber,
    fingerprint256: ct ? ct.fingerprint256 : r.fingerprint256,
    previous: event.previous ?? null,
    endpoints: r.endpoints,
    error: r.error,
  };
}

/**
 * A reminder or an escalation: the open event's own message, its subject led by `reminder N` (or
 * `escalated`), its text by how long it has gone unacknowledged and how to stop the reminders.
 */
function renderReminder(event: MonitorEvent, r: NonNullable<MonitorEvent['reminder']>): Notification {
  const base = renderNotification({ ...event, event: r.of, reminder: undefined });
  const prefix = `[certvigil] ${event.severity.toUpperCase()} ${event.target}: `;
  const news = base.subject.startsWith(prefix) ? base.subject.slice(prefix.length) : base.subject;
  const label = event.event === 'escalation' ? 'escalated' : `reminder ${r.n}`;
  const waited = Math.max(0, Math.floor((Date.parse(event.occurredAt) - Date.parse(r.since)) / 86_400_000));
  const left =
    base.daysLeft === null
      ? ''
      : base.daysLeft < 0
        ? `, expired ${days(base.daysLeft)} ago`
        : `, ${days(base.daysLeft)} left`;
  const lapsed = r.lapsed
    ? ` (${r.lapsed.kind === 'snooze' ? 'snoozed' : 'acknowledged'} by ${r.lapsed.by} until ${r.since.slice(0, 16).replace('T', ' ')} UTC)`
    : '';
  const lead = `${label}: ${news}, unacknowledged for ${days(waited)}${lapsed}${left}.`;
  const stop = `Acknowledge it to stop the reminders until the certificate is renewed: certvigil ack ${r.eventId} --target ${event.target}`;
  return {
    ...base,
    id: event.id,
    event: event.event,
    subject: subjectLine(`${prefix}${label}: ${news}`),
    text: boundBytes(`${lead}\n${stop}\n\n${base.text}`, MAX_TEXT_BYTES),
    resolves: [],
    reminderOf: r.eventId,
  };
}

/** What every notification of an event carries: its identity, subject line and (bounded) text. */
function envelope(event: MonitorEvent, news: string, text: string) {
  return {
    version: 1 as const,
    id: event.id,
    event: event.event,
    severity: event.severity,
    target: event.target,
    occurredAt: event.occurredAt,
    subject: subjectLine(`[certvigil] ${event.severity.toUpperCase()} ${event.target}: ${news}`),
    text: boundBytes(text, MAX_TEXT_BYTES),
    resolves: (event.resolves ?? []).slice(0, MAX_RESOLVES),
    owner: event.owner ?? null,
    tags: event.tags ?? [],
  };
}

/** SNS subjects must be ASCII without line breaks, at most 100 characters. */
function subjectLine(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= SUBJECT_LIMIT ? ascii : `${ascii.slice(0, SUBJECT_LIMIT - 3)}...`;
}

function days(n: number | null): string {
  if (n === null) return 'unknown days';
  const abs = Math.abs(n);
  return `${abs} day${abs === 1 ? '' : 's'}`;
}

function date(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : 'unknown';
}

function headline(event: MonitorEvent): string {
  const r = event.result;
  const chainFirst = r.chainNotAfter !== null && r.notAfter !== null && r.chainNotAfter < r.notAfter;
  switch (event.event) {
    case 'entered-window':
      return chainFirst
        ? `intermediate certificate expires ${date(r.chainNotAfter)}`
        : `certificate expires in ${days(r.daysLeft)} (${date(r.notAfter)})`;
    case 'expired':
      return chainFirst
        ? `intermediate certificate expired ${date(r.chainNotAfter)}`
        : `certificate expired ${days(r.daysLeft)} ago`;
    case 'renewed':
      return `certificate renewed, valid until ${date(r.notAfter)}${event.rollout ? `; new certificate on ${event.rollout.done} of ${event.rollout.total} locations` : ''}`;
    case 'invalid':
      return `certificate is not accepted: ${invalidSummary(r)}`;
    case 'unreachable':
      return `unreachable (${r.error?.kind ?? 'error'})`;
    case 'recovered':
      return 'recovered';
    case 'inconsistent':
      return 'addresses serve different certificates';
    case 'added':
      return 'a new certificate is published';
    case 'removed':
      return 'a certificate is no longer published';
    case 'renewal-stuck':
      return `ACM's renewal is stuck (${event.result.acm?.renewalStatus ?? 'unknown'})`;
    case 'imported-expiring':
      return 'imported certificate expires soon; ACM will not renew it';
    case 'resource-vanished':
      return `the ${event.discovery?.service ?? 'AWS'} resource it was discovered from is gone; checks stopped`;
    case 'renewal-requested': {
      const start = r.renewalInfo?.suggestedStart ?? null;
      return start && start <= event.occurredAt
        ? `the CA asks for renewal now (its window opened ${date(start)})`
        : `the CA asks for renewal from ${date(start)}, before certvigil's window would`;
    }
    case 'revoked':
      return `${r.revocation && r.revocation.fingerprint256 !== r.fingerprint256 ? 'an intermediate certificate' : 'certificate'} was revoked by its CA${r.revocation?.revokedAt ? ` on ${date(r.revocation.revokedAt)}` : ''}${r.revocation?.reason ? ` (${r.revocation.reason})` : ''}`;
    case 'rollout-complete':
      return `rollout complete: the replaced certificate is no longer served at any of its ${event.rollout?.total ?? 0} locations (${duration(event)})`;
    case 'unlisted-certificate':
      return `a certificate for ${event.ct?.unwatched.length ?? 0} name(s) nobody watches was logged in Certificate Transparency`;
    case 'unexpected-issuer':
      return `a certificate was issued by ${event.ct?.issuerOrganization ?? 'a CA'} outside the allowed issuers${
        event.ct?.unwatched.length ? `, for ${event.ct.unwatched.length} name(s) nobody watches` : ''
      }`;
    case 'rollout-stalled':
      return `rollout stalled: the old certificate is still served at ${event.stillAt?.length ?? 0} of ${event.rollout?.total ?? 0} locations, ${duration(event)} after its replacement appeared`;
    case 'reminder':
    case 'escalation':
      return `${event.event === 'reminder' ? 'reminder' : 'escalated'}: an open event is unacknowledged`;
  }
}

/** How long a rollout has taken so far, in hours or minutes. */
function duration(event: MonitorEvent): string {
  const since = event.rollout?.since ? Date.parse(event.rollout.since) : Number.NaN;
  const ms = Date.parse(event.occurredAt) - since;
  if (!Number.isFinite(ms)) return 'unknown time';
  return ms >= 3_600_000
    ? `${Math.round((ms / 3_600_000) * 10) / 10} h`
    : `${Math.max(0, Math.round(ms / 60_000))} min`;
}

function invalidSummary(r: CheckResult): string {
  if (r.notBefore && r.notBefore > r.checkedAt) return `not valid before ${date(r.notBefore)}`;
  if (r.trusted === false) return describeTrustError(r.trustError);
  if (r.hostnameMatch === false) return 'it does not name this host';
  if (r.findings?.length) return `it is weak (${findingCodes(r.findings).join(', ')})`;
  return 'invalid';
}

const NEXT_STEP: Record<MonitorEvent['event'], string> = {
  'entered-window':
    'Renew the certificate and deploy it to every address, or find out why automatic renewal has not happened.',
  expired: 'Clients are refusing this endpoint now. Renew and deploy the certificate (and intermediate) immediately.',
  renewed: 'Nothing to do: this is a confirmation that a new certificate is being served.',
  invalid: 'Clients will refuse this certificate. Fix the chain, name or validity as described above and redeploy.',
  unreachable: 'Check that the service is up and reachable from the monitor; the certificate could not be read.',
  recovered: 'Nothing to do: the problem reported earlier is gone.',
  inconsistent: 'Finish the rollout: every address should serve the same certificate.',
  added: 'Nothing to do if this is a planned rollover; otherwise find out who published it.',
  removed: 'Nothing to do if this was planned (the end of a rollover).',
  'renewal-stuck':
    "ACM cannot renew this certificate until its validation succeeds: restore the DNS validation record (or answer the validation email), or see ACM's reason above.",
  'imported-expiring':
    'Obtain a new certificate from its issuer and re-import it into ACM (same ARN), before the date above; ACM does not renew imported certificates.',
  'resource-vanished':
    'Delete the target if the resource was retired. If it still serves something, enable the target again (certvigil disabled it so that it does not report it unreachable every day).',
  'rollout-complete': 'Nothing to do: every location that served the old certificate now serves its replacement.',
  'renewal-requested':
    "Renew the certificate within the CA's suggested window (an ACME client that reads ARI does so by itself): a CA asks early ahead of revoking certificates. The CA's explanation is linked above.",
  revoked:
    'Clients that check revocation refuse this certificate now. Obtain and deploy a new certificate at once (with a new key if the reason is keyCompromise), then confirm the CA revoked nothing else you serve.',
  'unlisted-certificate':
    'Find out who requested this certificate and where it is served: it is now watched (tag ct) if certvigil enrols CT finds; delete that target if the service is retired, or give it an owner. If nobody requested it, treat it as a mis-issuance: revoke it with the CA and check your DNS and CAA records.',
  'unexpected-issuer':
    'Find out who obtained this certificate from this CA. If it was not your team, report it to the CA for revocation and add a CAA record naming only your CAs; if it was, add the CA to ctIssuers.',
  reminder: 'Act on the event repeated here, or acknowledge it to stop the reminders until the certificate is renewed.',
  escalation:
    'The owner has not acknowledged this critical event: act on it, or make sure the owner does (certvigil ack).',
  'rollout-stalled':
    'Deploy the new certificate to the locations listed above (load balancers, CDNs, servers that were missed), before the old one expires.',
};

/** An event about one certificate of a document or file source. */
function renderCertificateNotification(event: MonitorEvent, c: EventCertificate): Notification {
  const r = event.result;
  const news = certificateHeadline(event, c);
  const lines = [
    `${event.target}: ${news}.`,
    '',
    `Certificate: ${c.label}`,
    `Expires: ${date(c.notAfter)}${c.daysLeft === null ? '' : c.daysLeft < 0 ? ` (${days(c.daysLeft)} ago)` : ` (in ${days(c.daysLeft)})`}`,
    `SHA-256 fingerprint: ${c.fingerprint256}`,
  ];
  if (c.successor) lines.push(`Successor published: ${c.successor}`);
  if (c.problem) lines.push(`Problem: ${c.problem}`);
  for (const f of (r.findings ?? []).filter((x) => x.fingerprint256 === c.fingerprint256)) {
    lines.push(`Finding ${f.code}: ${f.detail}`);
  }
  const acm = r.acm;
  if (acm) {
    lines.push(
      `ACM: ${acm.type ?? 'unknown type'}, renewal ${acm.renewalStatus ?? 'none'}${acm.renewalReason ? ` (${acm.renewalReason})` : ''}, eligibility ${acm.renewalEligibility ?? 'unknown'}`,
    );
    lines.push(acm.inUseCount ? `In use by ${acm.inUseCount}: ${acm.inUseBy.join(', ')}` : 'In use by nothing');
  }
  lines.push(
    `Published in: the ${r.kind} source ${event.target}`,
    '',
    `Next step: ${certificateNextStep(event.event, c)}`,
    '',
    `Checked ${r.checkedAt}.`,
  );
  return {
    ...envelope(event, news, lines.join('\n')),
    status: c.status,
    daysLeft: c.daysLeft,
    notAfter: c.notAfter,
    issuer: null,
    serialNumber: null,
    fingerprint256: c.fingerprint256,
    previous: null,
    endpoints: [],
    error: null,
  };
}

function certificateHeadline(event: MonitorEvent, c: EventCertificate): string {
  switch (event.event) {
    case 'entered-window':
      return `certificate expires in ${days(c.daysLeft)} (${date(c.notAfter)})${c.successor ? ', a successor is published' : ''}`;
    case 'expired':
      return `certificate expired ${days(c.daysLeft)} ago`;
    case 'invalid':
      return `certificate is not usable: ${c.problem ?? 'invalid'}`;
    case 'added':
      return `new certificate published, valid until ${date(c.notAfter)}`;
    case 'removed':
      return 'certificate no longer published';
    case 'imported-expiring':
      return `imported certificate expires in ${days(c.daysLeft)} (${date(c.notAfter)}); ACM will not renew it`;
    case 'renewal-stuck':
      return `ACM's managed renewal is ${event.result.acm?.renewalStatus ?? 'stuck'} while the certificate expires in ${days(c.daysLeft)}`;
    default:
      return headline(event);
  }
}

function certificateNextStep(event: MonitorEvent['event'], c: EventCertificate): string {
  if (event === 'entered-window' && c.successor) {
    return `a later certificate for the same purpose is already published (${c.successor.slice(0, 23)}…). Make sure every party relying on this document has picked it up, and switch signing to it before ${date(c.notAfter)}; certvigil cannot see which key is really in use.`;
  }
  if (event === 'entered-window') {
    return `publish a replacement certificate in this document now, so that the parties relying on it pick it up in time, then switch to it before ${date(c.notAfter)}.`;
  }
  if (event === 'expired') {
    return 'parties relying on this document reject this certificate now. Publish and switch to a valid certificate at once, and remove the expired one.';
  }
  if (event === 'invalid') return 'fix or remove this entry: parties relying on the document will reject it.';
  return NEXT_STEP[event];
}

function body(event: MonitorEvent, news: string): string {
  const r = event.result;
  const lines = [`${event.target}: ${news}.`, ''];
  if (event.ct) {
    const ct = event.ct;
    lines.push(
      `Logged certificate (${ct.provider}): ${ct.names.join(', ')}`,
      ...(ct.unwatched.length ? [`Not watched before: ${ct.unwatched.join(', ')}`] : []),
      `Issuer: ${ct.issuer}`,
      `Valid: ${ct.notBefore} to ${ct.notAfter}`,
      ...(ct.fingerprint256 ? [`SHA-256 fingerprint: ${ct.fingerprint256}`] : []),
      '',
    );
  }
  if (event.discovery) {
    lines.push(
      `Discovered from: ${event.discovery.resource} (${event.discovery.service}, account ${event.discovery.account}, ${event.discovery.region})`,
    );
  }
  if (event.replaced) {
    lines.push(
      `Replaced certificate: ${event.replaced.subject ?? ''} (valid until ${date(event.replaced.notAfter)}), fingerprint ${event.replaced.fingerprint256}`,
    );
  }
  if (event.rollout)
    lines.push(`Rollout: ${event.rollout.done} of ${event.rollout.total} locations since ${event.rollout.since}`);
  if (event.stillAt?.length) lines.push('Still served at:', ...event.stillAt.map((l) => `  ${l}`));
  if (event.previous) {
    lines.push(
      `Previous certificate: valid until ${date(event.previous.notAfter)}, fingerprint ${event.previous.fingerprint256}`,
    );
  }
  if (r.notAfter) {
    lines.push(
      `Certificate: ${r.subject ?? ''}`,
      `Expires: ${date(r.notAfter)} (${r.daysLeft !== null && r.daysLeft < 0 ? `${days(r.daysLeft)} ago` : `in ${days(r.daysLeft)}`})`,
    );
    if (r.chainNotAfter && r.chainNotAfter < r.notAfter) lines.push(`Intermediate expires: ${date(r.chainNotAfter)}`);
    lines.push(
      `Issuer: ${r.issuer ?? 'unknown'}`,
      `Serial: ${r.serialNumber ?? 'unknown'}`,
      `SHA-256 fingerprint: ${r.fingerprint256 ?? ''}`,
    );
    if (r.trusted === false) lines.push(`Trust: ${describeTrustError(r.trustError)}`);
    if (r.hostnameMatch === false) lines.push(`Name: the certificate does not name ${r.servername ?? r.host}`);
  }
  if (r.error) lines.push(`Error: ${r.error.kind}: ${r.error.message}`);
  for (const f of r.findings ?? []) lines.push(`Finding ${f.code}: ${f.subject}: ${f.detail}`);
  if (r.renewalInfo) {
    lines.push(
      `CA's suggested renewal window: ${r.renewalInfo.suggestedStart} to ${r.renewalInfo.suggestedEnd}${r.renewalInfo.explanationURL ? ` (why: ${r.renewalInfo.explanationURL})` : ''}`,
    );
  }
  const rev = r.revocation;
  if (rev?.status === 'revoked') {
    lines.push(
      `Revoked: ${rev.subject ?? ''}, on ${rev.revokedAt ?? 'an unknown date'}${rev.reason ? `, reason ${rev.reason}` : ''}`,
    );
  } else if (rev?.status === 'unknown') {
    lines.push(`Revocation status unknown: ${rev.detail ?? ''}`);
  }
  if (r.kind !== 'tls') {
    lines.push('', `Next step: ${NEXT_STEP[event.event]}`, '', `Checked ${r.checkedAt} (a ${r.kind} source).`);
    return lines.join('\n');
  }
  lines.push('', 'Addresses:');
  for (const e of r.endpoints) {
    lines.push(
      e.error
        ? `  ${e.address}  ${e.status}  ${e.error.kind}: ${e.error.message}`
        : `  ${e.address}  ${e.status}  expires ${date(e.notAfter)}  ${e.fingerprint256 ?? ''}`,
    );
  }
  if (r.endpoints.length === 0) lines.push('  (none resolved)');
  lines.push('', `Next step: ${NEXT_STEP[event.event]}`, '', `Checked ${r.checkedAt} (${r.protocol}, port ${r.port}).`);
  return lines.join('\n');
}
