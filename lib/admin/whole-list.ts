// The whole-inventory reads (GET /report without pages, GET /certificates) hold only while the
// inventory fits one answer: past that they answer a problem pointing to the pages and the export.
import type { AdminDependencies, AdminRequest } from './admin-types.ts';
import { ProblemError } from './problem.ts';
import { acceptsGzip } from './request.ts';

/**
 * Largest inventory a whole (unpaged) report or certificate list is read for: within 60 s and
 * under the 6 MB cap. Measured (bench:read, issue 30): a JSON report is 6.3 MiB at 10,000 targets,
 * and its gzip in base64 passes the cap at about 60,000. Above these, pages or the export.
 */
export const WHOLE_LIST_TARGETS = { plain: 9_000, gzip: 50_000 } as const;

/** Refuses a whole-inventory read the summary says cannot fit, pointing to what does. */
export async function guardWholeList(
  request: AdminRequest,
  deps: AdminDependencies,
  what: string,
  pages = '/report?limit=500',
): Promise<void> {
  const summary = deps.targets.summary;
  if (!summary) return;
  const targets = (await summary.counters('status')).reduce((sum, c) => sum + Number(c.n), 0);
  const gzip = acceptsGzip(request);
  const most = gzip ? WHOLE_LIST_TARGETS.gzip : WHOLE_LIST_TARGETS.plain;
  if (targets <= most) return;
  throw new ProblemError(
    413,
    `${what} of all ${targets} targets would not fit the 6 MB answer a function URL allows${gzip ? '' : ' (send Accept-Encoding: gzip for up to 50,000)'}: read it in pages (GET ${pages}, then nextCursor), or write it to a file with "certvigil report --out FILE"`,
  );
}
