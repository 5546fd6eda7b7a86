// GET /report: the inventory by target or by certificate, as JSON or spreadsheet-safe CSV.
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { certificateView, sortCertificates } from '../certificate-views.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { certificateRows, certificatesCsv, REPORT_FIELDS, reportCsv, reportRows } from '../report.ts';
import { now } from '../request.ts';
import { inventory } from './certificates.ts';

async function report(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const format = request.query.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') {
    throw new ProblemError(400, `format must be json or csv (got "${format}")`, [
      { field: 'format', message: 'must be json or csv' },
    ]);
  }
  const view = request.query.get('view') ?? 'targets';
  if (view !== 'targets' && view !== 'certificates') {
    throw new ProblemError(400, `view must be targets or certificates (got "${view}")`, [
      { field: 'view', message: 'must be targets or certificates' },
    ]);
  }
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
    const targetRows = reportRows(await deps.targets.allTargets(REPORT_FIELDS));
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

export const REPORT_ROUTES: readonly Route[] = [
  { path: '/report', pattern: /^\/report$/, methods: { GET: (r, _, d) => report(r, d) } },
];
