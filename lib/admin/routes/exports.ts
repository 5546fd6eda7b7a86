// POST /exports?format=csv|json&view=targets|certificates and GET /exports/{id}: the whole report as
// a file in S3 (deployed), for an inventory of any size, with a download link that expires in minutes.
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { type ExportFormat, type ExportService, parsePublicId, publicId } from '../exports.ts';
import { choiceOf } from '../list-query.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { now } from '../request.ts';

function service(deps: AdminDependencies): ExportService {
  if (!deps.exports) {
    throw new ProblemError(
      501,
      'exports to S3 are made by a deployed stack; here, write the report with "certvigil report --out FILE"',
    );
  }
  return deps.exports;
}

async function startExport(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const format = choiceOf<ExportFormat>(request, 'format', ['csv', 'json'], 'csv');
  const view = choiceOf(request, 'view', ['targets', 'certificates'], 'targets');
  const started = await service(deps).start(format, view);
  const id = publicId(started);
  return json(202, { id, format, view, status: 'running', poll: `/exports/${id}` });
}

async function exportStatus(id: string, deps: AdminDependencies): Promise<AdminResponse> {
  const exports = service(deps);
  const request = parsePublicId(id);
  if (!request) throw new ProblemError(404, 'no such export: POST /exports starts one and answers its id');
  return json(200, await exports.status(request, now(deps)));
}

export const EXPORT_ROUTES: readonly Route[] = [
  { path: '/exports', pattern: /^\/exports$/, methods: { POST: (r, _, d) => startExport(r, d) } },
  {
    path: '/exports/{id}',
    pattern: /^\/exports\/([^/]+)$/,
    methods: { GET: (_, [id], d) => exportStatus(id ?? '', d) },
  },
];
