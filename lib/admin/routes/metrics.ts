// GET /metrics (issue 32): the inventory's certificate expiry as Prometheus reads it (OpenMetrics,
// or its text format 0.0.4 by the scraper's Accept). One scrape reads at most MAX_METRICS_TARGETS
// targets from the lists index; past that it says so (certvigil_metrics_truncated 1 and a `Link`
// to the next page), and the lists' filters (owner, kind, tag) split a large inventory into scrape
// jobs that each fit (docs/metrics.md).
import { metricsContentType, openMetricsPage } from '../../observability/openmetrics.ts';
import { LIST_STATUSES } from '../../store/list-keys.ts';
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { decodeCursor, encodeCursor, listFilter, pageLimit } from '../list-query.ts';
import type { AdminResponse } from '../problem.ts';
import { now } from '../request.ts';

/** Targets per scrape: about 1.5 KB of text each (seven status samples and the certificate's). */
export const MAX_METRICS_TARGETS = 1000;
/**
 * Most bytes of samples per scrape: targets with many certificates or long names end a page early
 * (its gzip stays far under the function URL's 6 MB in any case).
 */
export const MAX_METRICS_BYTES = 4 * 1024 * 1024;

const FIELDS = ['id', 'kind', 'owner', 'state'];

async function metrics(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const cursor = decodeCursor(request.query.get('cursor'));
  const limit = request.query.has('limit') ? pageLimit(request, MAX_METRICS_TARGETS) : MAX_METRICS_TARGETS;
  const filter = listFilter(request);
  const page = await deps.targets.lists.page({ partitions: LIST_STATUSES, limit, after: cursor.after, filter });
  const items = await deps.targets.lists.items(
    page.entries.map((e) => e.id),
    FIELDS,
  );
  const { text, included } = openMetricsPage(
    items.map((t) => ({
      target: t.id,
      kind: t.kind ?? 'tls',
      owner: t.owner ?? null,
      result: t.state?.result ?? null,
    })),
    { truncated: page.after !== undefined, now: now(deps), maxBytes: MAX_METRICS_BYTES },
  );
  // A page cut short by its bytes goes on after its last target; otherwise after the index page.
  const after = included < items.length ? page.entries[included - 1]?.listExpiry : page.after;
  const headers: Record<string, string> = { 'content-type': metricsContentType(request.headers.accept) };
  if (after !== undefined) {
    const next = new URLSearchParams(request.query);
    next.set('cursor', encodeCursor({ partition: 0, after }));
    headers.link = `</metrics?${next.toString()}>; rel="next"`;
  }
  return { status: 200, headers, body: text };
}

export const METRICS_ROUTES: readonly Route[] = [
  { path: '/metrics', pattern: /^\/metrics$/, methods: { GET: (r, _, d) => metrics(r, d) } },
];
