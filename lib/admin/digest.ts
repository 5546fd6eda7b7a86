// The weekly digest (issue 31): per owner, what needs a person: certificates expiring within 30 days,
// targets in trouble, events acknowledged but not yet renewed, stuck renewals, rollouts in progress;
// for the targets without an owner (the default route) the same, as its own digest. Read from the
// lists index: the partitions of targets in trouble and the first 30 days of the healthy ones,
// filtered by owner on the index or grouped by owner in one pass, never a scan per owner.

import { ABOUT_NO_CERTIFICATE } from '../notify/plain-notifications.ts';
import type { Notification } from '../notify/render-message.ts';
import { acknowledgementOf } from '../policy/acknowledgements.ts';
import type { Status } from '../policy/status.ts';
import { expiryDigits, type ListStatus, OK_WITH_EVENTS } from '../store/list-keys.ts';
import type { StoredTarget } from '../store/stored-target.ts';
import { announcedOpenEvents } from '../store/target-acks.ts';
import { READ_BUDGET } from '../store/target-lists.ts';
import type { TargetStore } from '../store/target-store.ts';
import { boundBytes, boundText, LIMITS } from '../text-bounds.ts';

/** Days ahead a certificate counts as expiring. */
export const DIGEST_DAYS = 30;
/** Most targets one section lists (the count says how many there are). */
export const DIGEST_SECTION_ROWS = 100;

const TROUBLE: readonly ListStatus[] = ['revoked', 'expired', 'invalid', 'critical', 'error'];
const EXPIRING: readonly ListStatus[] = ['warning', 'ok', OK_WITH_EVENTS];
const DAY_MS = 86_400_000;

export interface DigestRow {
  target: string;
  status: Status | 'unchecked';
  daysLeft: number | null;
  notAfter: string | null;
  subject: string | null;
  /** The open events' types, most severe first. */
  events: string[];
  /** Who acknowledged (or snoozed) an open event, when, until when, and the note. */
  acknowledged: { by: string; at: string; until: string | null; note: string | null } | null;
}

export interface DigestSection {
  /** How many targets belong here (the rows are the first DIGEST_SECTION_ROWS, soonest first). */
  count: number;
  rows: DigestRow[];
}

export interface Digest {
  /** The owner; null: the targets without one (the default route's digest). */
  owner: string | null;
  at: string;
  expiring: DigestSection;
  trouble: DigestSection;
  acknowledged: DigestSection;
  stuck: DigestSection;
  rollouts: DigestSection;
  /** The read stopped at its budget: the digest may miss targets (said in its text). */
  incomplete: boolean;
}

/** The item fields a digest reads. */
const FIELDS = ['id', 'owner', 'kind', 'state', 'sent', 'pending', 'acks', 'rolloutHints'] as const;

type SectionKey = 'expiring' | 'trouble' | 'acknowledged' | 'stuck' | 'rollouts';
type Sections = Record<SectionKey, DigestRow[]>;

/** Index entries the weekly run reads at most (every owner at once: a million targets fit). */
export const DIGEST_RUN_BUDGET = 2_000_000;

/**
 * The digests at `now`: of `owner` only when given (`null`: the unowned targets), else of every
 * owner with something to say, the unowned among them. Each page of the index is read, its items
 * fetched and turned into rows before the next: memory holds rows, not items. `budget` bounds the
 * index entries read (past it the digests say they are incomplete).
 */
export async function collectDigests(
  targets: TargetStore,
  now: Date,
  options: { owner?: string | null | undefined; budget?: number } = {},
): Promise<Digest[]> {
  const filter = options.owner === undefined ? undefined : { owner: options.owner };
  const horizon = `${expiryDigits([new Date(now.getTime() + DIGEST_DAYS * DAY_MS).toISOString()])}~`;
  const budget = options.budget ?? READ_BUDGET * 4;
  let read = 0;
  let incomplete = false;
  const byOwner = new Map<string | null, Sections>();
  if (options.owner !== undefined) byOwner.set(options.owner, emptySections());
  for (const [partitions, bounded] of [
    [TROUBLE, false],
    [EXPIRING, true],
  ] as const) {
    let after: string | undefined;
    for (;;) {
      const page = await targets.lists.page({ partitions, limit: 500, after, filter, budget: budget - read });
      read += page.read;
      const within = bounded ? page.entries.filter((e) => e.listExpiry <= horizon) : page.entries;
      const items = await targets.lists.items(
        within.map((e) => e.id),
        FIELDS,
      );
      for (const item of items) {
        const owner = item.owner ?? null;
        const sections = byOwner.get(owner) ?? emptySections();
        classify(item, now, sections);
        byOwner.set(owner, sections);
      }
      const past = bounded && within.length < page.entries.length;
      if (past || page.after === undefined) break;
      if (read >= budget) {
        incomplete = true;
        break;
      }
      after = page.after;
    }
  }
  return [...byOwner]
    .map(([owner, sections]) => finish(owner, sections, now, incomplete))
    .sort((a, b) => (a.owner ?? '\uffff').localeCompare(b.owner ?? '\uffff'));
}

function emptySections(): Sections {
  return { expiring: [], trouble: [], acknowledged: [], stuck: [], rollouts: [] };
}

/** Puts a target (in trouble or expiring within DIGEST_DAYS) in the sections it belongs to. */
function classify(item: StoredTarget, now: Date, sections: Sections): void {
  const r = item.state?.result;
  const open = announcedOpenEvents(item);
  const ack = open.map((e) => acknowledgementOf(item.acks, e.key, now)).find((a) => a !== undefined);
  const row: DigestRow = {
    target: item.id,
    status: r?.status ?? 'unchecked',
    daysLeft: r?.notAfter ? Math.floor((Date.parse(r.notAfter) - now.getTime()) / DAY_MS) : null,
    notAfter: r?.notAfter ?? null,
    subject: r?.subject ? boundText(r.subject, LIMITS.name) : null,
    events: open.map((e) => e.event),
    acknowledged: ack ? { by: ack.by, at: ack.at, until: ack.until ?? null, note: ack.note ?? null } : null,
  };
  const status = r?.status;
  if (status && (TROUBLE as readonly string[]).includes(status)) sections.trouble.push(row);
  else if (row.daysLeft !== null && row.daysLeft <= DIGEST_DAYS) sections.expiring.push(row);
  if (ack) sections.acknowledged.push(row);
  if (open.some((e) => e.event === 'renewal-stuck')) sections.stuck.push(row);
  const served = r?.fingerprint256;
  if (served && [...(item.rolloutHints ?? [])].some((hint) => hint.split(' ')[0] === served)) {
    sections.rollouts.push(row);
  }
}

/** An owner's digest from its sections: each sorted soonest first, its first rows and its count. */
function finish(owner: string | null, sections: Sections, now: Date, incomplete: boolean): Digest {
  const section = (rows: DigestRow[]): DigestSection => ({
    count: rows.length,
    rows: rows
      .sort(
        (a, b) => (a.notAfter ?? '\uffff').localeCompare(b.notAfter ?? '\uffff') || a.target.localeCompare(b.target),
      )
      .slice(0, DIGEST_SECTION_ROWS),
  });
  return {
    owner,
    at: now.toISOString(),
    expiring: section(sections.expiring),
    trouble: section(sections.trouble),
    acknowledged: section(sections.acknowledged),
    stuck: section(sections.stuck),
    rollouts: section(sections.rollouts),
    incomplete,
  };
}

const TITLES: Record<'trouble' | 'expiring' | 'acknowledged' | 'stuck' | 'rollouts', string> = {
  trouble: 'In trouble',
  expiring: `Expiring within ${DIGEST_DAYS} days`,
  acknowledged: 'Acknowledged, not yet renewed',
  stuck: 'Renewals stuck',
  rollouts: 'Rollouts in progress',
};

/** The digest as plain text (email, the CLI): a line per target, each section with its count. */
export function digestText(digest: Digest): string {
  const who = digest.owner === null ? 'targets without an owner' : `owner ${digest.owner}`;
  const lines = [`certvigil weekly digest for ${who}, ${digest.at.slice(0, 10)}`];
  let empty = true;
  for (const key of ['trouble', 'expiring', 'acknowledged', 'stuck', 'rollouts'] as const) {
    const s = digest[key];
    if (s.count === 0) continue;
    empty = false;
    lines.push('', `${TITLES[key]} (${s.count})`);
    for (const row of s.rows) {
      const days =
        row.daysLeft === null ? '' : row.daysLeft < 0 ? `, expired ${-row.daysLeft} d ago` : `, ${row.daysLeft} d left`;
      const ack = row.acknowledged
        ? `; acknowledged by ${row.acknowledged.by} ${row.acknowledged.at.slice(0, 10)}${row.acknowledged.note ? `: ${row.acknowledged.note}` : ''}`
        : '';
      lines.push(
        `  ${row.target}  ${row.status}${days}${row.events.length ? ` [${row.events.join(', ')}]` : ''}${ack}`,
      );
    }
    if (s.count > s.rows.length) lines.push(`  … and ${s.count - s.rows.length} more`);
  }
  if (empty) lines.push('', `Nothing needs you: nothing in trouble, nothing expiring within ${DIGEST_DAYS} days.`);
  if (digest.incomplete) lines.push('', 'This digest stopped at its read budget: some targets may be missing.');
  return `${lines.join('\n')}\n`;
}

/** Whether a digest has anything to say (an owner with nothing in any section gets no message). */
export function hasNews(digest: Digest): boolean {
  return (['trouble', 'expiring', 'acknowledged', 'stuck', 'rollouts'] as const).some((k) => digest[k].count > 0);
}

/**
 * A digest as a notification: event `digest`, severity info, routed by its owner (the `owner`
 * attribute; absent for the default route's digest), its text within a notification's bounds.
 */
export function digestNotification(digest: Digest): Notification {
  const who = digest.owner === null ? 'targets without an owner' : digest.owner;
  const subject = `[certvigil] weekly digest for ${who}: ${digest.trouble.count} in trouble, ${digest.expiring.count} expiring`;
  return {
    version: 1,
    id: `digest:${digest.at.slice(0, 10)}:${digest.owner ?? ''}`.slice(0, 300),
    event: 'digest',
    severity: 'info',
    target: 'certvigil-digest',
    occurredAt: digest.at,
    subject: subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 99),
    text: boundBytes(digestText(digest), 16 * 1024),
    ...ABOUT_NO_CERTIFICATE,
    owner: digest.owner,
    tags: [],
  };
}
