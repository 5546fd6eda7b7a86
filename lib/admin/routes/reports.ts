// GET /report: the inventory by target or by certificate, as JSON or spreadsheet-safe CSV; by
// either view also in pages (soonest expiry first, from the lists indexes) for an inventory of any size.
import { LIST_STATUSES } from '../../store/list-keys.ts';
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { certificatesPage, inventory } from '../certificate-query.ts';
import { certificateView, sortCertificates } from '../certificate-views.ts';
import { choiceOf, targetsPage } from '../list-query.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import {
  certificateRow,
  certificateRows,
  certificatesCsv,
  REPORT_FIELDS,
  reportCsv,
  reportRow,
  reportRows,
} from '../report.ts';
import { now } from '../request.ts';
import { guardWholeList } from '../whole-list.ts';

async function report(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const format = choiceOf(request, 'format', ['json', 'csv'], 'json');
  const view = choiceOf(request, 'view', ['targets', 'certificates'], 'targets');
  if (request.query.has('limit') || request.query.has('cursor')) return reportPage(request, deps, format, view);
  await guardWholeList(
    request,
    deps,
    view === 'certificates' ? 'a report by certificate' : 'a report',
    `/report?view=${view}&limit=500`,
  );
  let rows: unknown[];
  let csv: () => string;
  if (view === 'certificates') {
    const at = now(deps);
    const certificateRowsOf = certificateRows(
      sortCertificates((await inventory(deps).all()).map((i) => certificateView(i, at))),
    );
    rows = certificateRowsOf;
    csv = () => certificatesCsv(certificateRowsOf);
  } else {
    const targetRows = reportRows(await deps.targets.scans.all(REPORT_FIELDS));
    rows = targetRows;
    csv = () => reportCsv(targetRows);
  }
  const response: AdminResponse =
    format === 'csv'
      ? {
          status: 200,
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="certvigil-${view === 'certificates' ? 'certificates' : 'report'}.csv"`,
          },
          body: csv(),
        }
      : json(200, rows);
  return response;
}

/**
 * A page of the report, as JSON `{items, nextCursor}`: by target soonest expiry first (never
 * checked last), by certificate likewise (those served nowhere last), the rows of the whole
 * report in its order. `certvigil report --out` and the export page through these.
 */
async function reportPage(
  request: AdminRequest,
  deps: AdminDependencies,
  format: string,
  view: string,
): Promise<AdminResponse> {
  if (format !== 'json') {
    throw new ProblemError(400, 'pages of the report come as JSON (certvigil report --out FILE writes them as CSV)', [
      { field: 'format', message: 'pages are format=json' },
    ]);
  }
  if (view === 'certificates') {
    return json(200, await certificatesPage(request, deps, (v) => certificateRow(v)));
  }
  return targetsPage(request, deps, { partitions: LIST_STATUSES, fields: REPORT_FIELDS }, reportRow);
}

export const REPORT_ROUTES: readonly Route[] = [
  { path: '/report', pattern: /^\/report$/, methods: { GET: (r, _, d) => report(r, d) } },
];
