// One target (its settings, latest check, where its certificates are, its timeline of changes) and
// one certificate (where it is served, its replacement, the rollout).

import { problemOf } from '../../policy/problem.ts';
import {
  type CertificateView,
  certificatePath,
  getJson,
  type TargetView,
  type TimelineRow,
  targetPath,
  timelinePath,
} from './api.ts';
import { badge, day, facts, fingerprintLink, h, link, moment, relativeDays, replace, table, text } from './dom.ts';

/** Most endpoints, chain entries, names and certificates one view lists. */
const MAX_LIST = 100;

export function rolloutText(rollout: CertificateView['rollout']): string {
  if (!rollout) return '—';
  return `${rollout.done} of ${rollout.total} location${rollout.total === 1 ? '' : 's'} (since ${day(rollout.since)})`;
}

export function rolloutBar(rollout: CertificateView['rollout']): HTMLElement | null {
  if (!rollout || rollout.total === 0) return null;
  return h('progress', { value: rollout.done, max: rollout.total, 'aria-label': 'rollout progress' });
}

export async function renderTarget(root: HTMLElement, id: string): Promise<void> {
  const [target, timeline] = await Promise.all([
    getJson<TargetView>(targetPath(id)),
    getJson<{ items: TimelineRow[] }>(timelinePath(id)),
  ]);
  const check = target.lastCheck;
  const sections: HTMLElement[] = [
    h(
      'header',
      { class: 'detail-head' },
      h('h2', {}, text(target.id, 200)),
      badge(check?.status ?? 'unchecked'),
      check?.daysLeft !== undefined && check?.daysLeft !== null
        ? h('span', {}, ` expires ${relativeDays(check.daysLeft)}`)
        : null,
    ),
    facts([
      ['Kind', text(target.kind, 20)],
      ['Owner', text(target.owner, 120)],
      ['Tags', text(target.tags.join(' '), 200)],
      ['Notes', text(target.notes, 300)],
      ['Enabled', target.enabled ? 'yes' : 'no'],
      ['Checked', moment(check?.checkedAt)],
      ['Next check', moment(target.nextCheckAt)],
      ['Expires', check?.notAfter ? `${day(check.notAfter)} (${relativeDays(check.daysLeft)})` : '—'],
      ['Subject', text(check?.subject)],
      ['Issuer', text(check?.issuer)],
      ['Fingerprint', check?.fingerprint256 ? fingerprintLink(check.fingerprint256, true) : '—'],
      ['Problem', text(problemOf(check), 500)],
    ]),
  ];
  if (check?.sans?.length) {
    sections.push(
      h('h3', {}, 'Names'),
      h('p', { class: 'names' }, text(check.sans.slice(0, MAX_LIST).join(', '), 4000)),
    );
  }
  if (check?.endpoints?.length) {
    sections.push(
      h('h3', {}, 'Where it is served'),
      table(
        ['Address', 'Status', 'Certificate', 'Expires', 'Error'],
        check.endpoints
          .slice(0, MAX_LIST)
          .map((e) => [
            text(e.address, 64),
            badge(e.status),
            e.fingerprint256 ? fingerprintLink(e.fingerprint256) : '—',
            day(e.notAfter),
            text(e.error?.message ?? null, 200),
          ]),
      ),
    );
  }
  if (check?.chain?.length) {
    sections.push(
      h('h3', {}, 'Chain'),
      table(
        ['Subject', 'Issuer', 'Expires'],
        check.chain.slice(0, MAX_LIST).map((c) => [text(c.subject, 200), text(c.issuer, 200), day(c.notAfter)]),
      ),
    );
  }
  if (check?.certificates?.length && check.kind !== 'tls') {
    sections.push(
      h('h3', {}, 'Certificates'),
      table(
        ['Status', 'Expires', 'Subject', 'Purpose', 'Successor'],
        check.certificates
          .slice(0, MAX_LIST)
          .map((c) => [
            badge(c.status),
            c.fingerprint256 ? link(['certificate', c.fingerprint256], day(c.notAfter)) : day(c.notAfter),
            text(c.subject, 200),
            text([c.role, c.use, c.kid ? `kid ${c.kid}` : null].filter(Boolean).join(' ') || null, 120),
            c.successor ? fingerprintLink(c.successor) : '—',
          ]),
      ),
    );
  }
  sections.push(
    h('h3', {}, 'Timeline of changes'),
    timeline.items.length
      ? table(
          ['When', 'Status', 'Change', 'Expires', 'Certificate'],
          timeline.items.map((row) => [
            moment(row.checkedAt),
            badge(row.status),
            text(row.change, 120),
            day(row.notAfter),
            row.acknowledgement
              ? text(acknowledgementLine(row.acknowledgement), 300)
              : row.error
                ? text(`${row.error.kind}: ${row.error.message}`, 200)
                : text(row.subject, 200),
          ]),
        )
      : h('p', {}, 'No changes recorded yet.'),
  );
  replace(root, ...sections);
}

/** "entered-window, by alice: renewal in OPS-7 (until 2027-01-15 09:00)". */
function acknowledgementLine(a: NonNullable<TimelineRow['acknowledgement']>): string {
  const until = a.until ? ` (until ${a.until.slice(0, 16).replace('T', ' ')})` : '';
  return `${a.event}, by ${a.by}${a.note ? `: ${a.note}` : ''}${until}`;
}

/** Why it is refused, and where: "not trusted: … (at 2 of 3)". */
export function problemCell(c: CertificateView): string {
  if (!c.problem) return '—';
  const where = c.locationCount > 1 ? ` (at ${c.refusedCount} of ${c.locationCount})` : '';
  return `${text(c.problem, 300)}${where}`;
}

export async function renderCertificate(root: HTMLElement, fingerprint: string): Promise<void> {
  const c = await getJson<CertificateView>(certificatePath(fingerprint));
  replace(
    root,
    h('header', { class: 'detail-head' }, h('h2', {}, text(c.subject, 200)), badge(c.status)),
    facts([
      ['Fingerprint', text(c.fingerprint256, 100)],
      ['Issuer', text(c.issuer)],
      ['Valid', `${day(c.notBefore)} to ${day(c.notAfter)}`],
      ['Expires', relativeDays(c.daysLeft)],
      ['Problem', problemCell(c)],
      ['First seen', moment(c.firstSeen)],
      ['Last seen', moment(c.lastSeen)],
      ['Replaced by', c.replacedBy ? link(['certificate', c.replacedBy], c.replacedBy, 100) : '—'],
      ['Rollout', h('span', { class: 'rollout' }, rolloutText(c.rollout), ' ', rolloutBar(c.rollout))],
      [
        'Replaces',
        c.replaces.length
          ? h('span', {}, ...c.replaces.slice(0, 20).flatMap((f) => [link(['certificate', f], f, 100), ' ']))
          : '—',
      ],
    ]),
    h('h3', {}, `Where it is served (${c.locations.length})`),
    c.locations.length
      ? table(
          ['Target', 'Where', 'Verdict'],
          c.locations
            .slice(0, 1000)
            .map((l) => [
              link(['target', l.target], l.target, 120),
              text(l.where, 200),
              l.refused ? badge(c.status === 'revoked' ? 'revoked' : 'invalid') : 'accepted',
            ]),
        )
      : h('p', {}, 'Served nowhere now.'),
  );
}
