// GET /events: the events announced and still open, in pages from the lists index (its partitions
// that can hold open events, most severe status first, each soonest expiry first).
import type { Severity } from '../../policy/events.ts';
import { EVENT_PARTITIONS } from '../../store/list-keys.ts';
import { READ_BUDGET } from '../../store/target-lists.ts';
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { decodeCursor, encodeCursor, type ListCursor, listFilter, pageLimit } from '../list-query.ts';
import { bySeverityThenAge, OPEN_EVENT_FIELDS, type OpenEventView, targetEventViews } from '../open-events.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { now } from '../request.ts';

/**
 * Most open events GET /events answers as one array (the form before pages): more answers a
 * problem pointing to the pages and the export. About 0.5 KiB each: well within the 6 MB cap.
 */
export const WHOLE_LIST_EVENTS = 5_000;

const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/**
 * Up to `limit` open events (whole targets: the last target's events all come, so a page may hold a
 * few more) from the cursor on, and where the next page starts (null at the end).
 */
async function eventsPage(
  deps: AdminDependencies,
  options: { limit: number; cursor: ListCursor; request: AdminRequest },
): Promise<{ items: OpenEventView[]; next: ListCursor | null }> {
  const severity = options.request.query.get('severity') ?? undefined;
  if (severity !== undefined && !(SEVERITIES as readonly string[]).includes(severity)) {
    throw new ProblemError(400, `severity must be one of ${SEVERITIES.join(', ')}`, [
      { field: 'severity', message: `must be one of ${SEVERITIES.join(', ')}` },
    ]);
  }
  const filter = { ...listFilter(options.request), open: (severity as Severity | undefined) ?? true };
  const items: OpenEventView[] = [];
  let { partition, after } = options.cursor;
  let read = 0;
  while (partition < EVENT_PARTITIONS.length) {
    const page = await deps.targets.lists.page({
      partitions: [EVENT_PARTITIONS[partition] as (typeof EVENT_PARTITIONS)[number]],
      limit: options.limit - items.length,
      after,
      filter,
      budget: READ_BUDGET - read,
    });
    read += page.read;
    const targets = await deps.targets.lists.items(
      page.entries.map((e) => e.id),
      OPEN_EVENT_FIELDS,
    );
    const byId = new Map(targets.map((t) => [t.id, t]));
    for (const entry of page.entries) {
      const target = byId.get(entry.id);
      if (target) items.push(...targetEventViews(target, now(deps)));
      if (items.length >= options.limit) return { items, next: { partition, after: entry.listExpiry } };
    }
    if (page.after !== undefined) {
      after = page.after;
      if (read >= READ_BUDGET) return { items, next: { partition, after } };
    } else {
      partition += 1;
      after = undefined;
    }
  }
  return { items, next: null };
}

/**
 * With `limit` or `cursor`: a page `{items, nextCursor}`. Without: every open event as one array,
 * most severe first then oldest (the form existing clients read), while they number at most
 * WHOLE_LIST_EVENTS.
 */
async function listOpenEvents(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  if (request.query.has('limit') || request.query.has('cursor')) {
    const page = await eventsPage(deps, {
      limit: pageLimit(request),
      cursor: decodeCursor(request.query.get('cursor'), EVENT_PARTITIONS.length),
      request,
    });
    return json(200, { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
  }
  // The summary counts the open conditions (each announced event is one): past the limit, say so
  // before reading any.
  const conditions = deps.targets.summary
    ? (await deps.targets.summary.counters('events')).reduce((sum, c) => sum + Number(c.n), 0)
    : 0;
  if (conditions > WHOLE_LIST_EVENTS) throw tooMany();
  const all: OpenEventView[] = [];
  let cursor: ListCursor | null = { partition: 0, after: undefined };
  while (cursor) {
    const page = await eventsPage(deps, { limit: 500, cursor, request });
    all.push(...page.items);
    if (all.length > WHOLE_LIST_EVENTS) throw tooMany();
    cursor = page.next;
  }
  return json(200, all.sort(bySeverityThenAge));
}

function tooMany(): ProblemError {
  return new ProblemError(
    413,
    `more than ${WHOLE_LIST_EVENTS} events are open: read them in pages (GET /events?limit=500, then nextCursor)`,
  );
}

export const EVENT_ROUTES: readonly Route[] = [
  { path: '/events', pattern: /^\/events$/, methods: { GET: (r, _, d) => listOpenEvents(r, d) } },
];
