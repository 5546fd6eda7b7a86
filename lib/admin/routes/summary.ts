// GET /summary: the counts kept on write (summary-store.ts): targets by status, kind and owner,
// open conditions by severity, and expiries per day and status ahead: a few small reads at any
// inventory size, for the dashboard's header and timeline.
import { DAY_MS } from '../../certificate/cert-facts.ts';
import { type CounterItem, type RecountRecord, UNOWNED } from '../../store/summary-store.ts';
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { now } from '../request.ts';

/** Owners listed by name (the most targets first); the rest are counted. */
export const TOP_OWNERS = 100;

const DEFAULT_DAYS = 90;
const MAX_DAYS = 400;

/** What GET /summary answers. */
export interface SummaryView {
  at: string;
  targets: number;
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  owners: { count: number; unowned: number; top: { owner: string; targets: number }[] };
  events: Record<'critical' | 'warning' | 'info', number>;
  expiring: { from: string; to: string; days: ({ day: string } & Record<string, number | string>)[] };
  recount: RecountRecord | null;
}

function record(items: readonly CounterItem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) if (Number(item.n) !== 0) out[item.key] = Number(item.n);
  return out;
}

async function summary(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const store = deps.targets.summary;
  if (!store) throw new ProblemError(501, 'this deployment keeps no summary (its SUMMARY_TABLE is not set)');
  const text = request.query.get('days');
  const days = text === null ? DEFAULT_DAYS : Number(text);
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new ProblemError(400, `days must be a whole number from 1 to ${MAX_DAYS}`, [
      { field: 'days', message: `must be from 1 to ${MAX_DAYS}` },
    ]);
  }
  const today = now(deps);
  const from = today.toISOString().slice(0, 10);
  const to = new Date(today.getTime() + days * DAY_MS).toISOString().slice(0, 10);
  const [statuses, kinds, owners, events, expiring, recount] = await Promise.all([
    store.counters('status'),
    store.counters('kind'),
    store.counters('owner'),
    store.counters('events'),
    // Day keys are `YYYY-MM-DD status`: the range takes every status of the days from..to.
    store.counters('day', { from, to: `${to}~` }),
    store.lastRecount(),
  ]);
  const byStatus = record(statuses);
  const named = owners.filter((o) => o.key !== UNOWNED && Number(o.n) > 0);
  const byDay = new Map<string, Record<string, number>>();
  for (const item of expiring) {
    const [day, status] = item.key.split(' ') as [string, string];
    if (Number(item.n) <= 0) continue;
    const counts = byDay.get(day) ?? {};
    counts[status] = Number(item.n);
    byDay.set(day, counts);
  }
  const view: SummaryView = {
    at: today.toISOString(),
    targets: Object.values(byStatus).reduce((a, b) => a + b, 0),
    byStatus,
    byKind: record(kinds),
    owners: {
      count: named.length,
      unowned: Number(owners.find((o) => o.key === UNOWNED)?.n ?? 0),
      top: named
        .sort((a, b) => Number(b.n) - Number(a.n) || a.key.localeCompare(b.key))
        .slice(0, TOP_OWNERS)
        .map((o) => ({ owner: o.key, targets: Number(o.n) })),
    },
    events: { critical: 0, warning: 0, info: 0, ...record(events) },
    expiring: { from, to, days: [...byDay].map(([day, counts]) => ({ day, ...counts })) },
    recount: recount ?? null,
  };
  return json(200, view);
}

export const SUMMARY_ROUTES: readonly Route[] = [
  { path: '/summary', pattern: /^\/summary$/, methods: { GET: (r, _, d) => summary(r, d) } },
];
