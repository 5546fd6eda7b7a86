// The admin API's router: every route module's table, in matching order, behind one entry point
// that answers problem+json for what goes wrong. Handlers are transport-free: the Lambda function
// URL and local mode's HTTP server both call handleAdminRequest, and local mode adds its own
// routes (POST /dispatch) to this table rather than beside it.

import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { TargetValidationError } from '../targets/target-schema.ts';
import type { AdminDependencies, AdminRequest, Method, Route } from './admin-types.ts';
import { type AdminResponse, ProblemError, problem } from './problem.ts';
import { acceptsGzip } from './request.ts';
import { ACKNOWLEDGEMENT_ROUTES } from './routes/acknowledgements.ts';
import { ALERT_ROUTES } from './routes/alerts.ts';
import { CERTIFICATE_ROUTES } from './routes/certificates.ts';
import { DIGEST_ROUTES } from './routes/digest.ts';
import { DISCOVERY_ROUTES } from './routes/discovery.ts';
import { EVENT_ROUTES } from './routes/events.ts';
import { EXPORT_ROUTES } from './routes/exports.ts';
import { IMPORT_ROUTES } from './routes/import.ts';
import { MAINTENANCE_ROUTES } from './routes/maintenance.ts';
import { METRICS_ROUTES } from './routes/metrics.ts';
import { OWNER_ROUTES } from './routes/owners.ts';
import { REPORT_ROUTES } from './routes/reports.ts';
import { SUMMARY_ROUTES } from './routes/summary.ts';
import { TARGET_ROUTES } from './routes/targets.ts';

export type { AdminDependencies, AdminRequest, Method, Route, TargetView } from './admin-types.ts';

/** DynamoDB's refusal to read an index it is still building (ValidationException). */
const BACKFILLING = /backfilling global secondary index/i;

/** Largest request body the admin API reads (bytes). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Every route, in matching order: one module per resource (routes/). */
export const ADMIN_ROUTES: readonly Route[] = [
  ...TARGET_ROUTES,
  ...IMPORT_ROUTES,
  ...REPORT_ROUTES,
  ...EXPORT_ROUTES,
  ...CERTIFICATE_ROUTES,
  ...EVENT_ROUTES,
  ...ACKNOWLEDGEMENT_ROUTES,
  ...SUMMARY_ROUTES,
  ...DIGEST_ROUTES,
  ...OWNER_ROUTES,
  ...MAINTENANCE_ROUTES,
  ...METRICS_ROUTES,
  ...DISCOVERY_ROUTES,
  ...ALERT_ROUTES,
];

export async function handleAdminRequest(
  request: AdminRequest,
  deps: AdminDependencies,
  routes: readonly Route[] = ADMIN_ROUTES,
): Promise<AdminResponse> {
  try {
    if (request.body !== undefined && Buffer.byteLength(request.body) > MAX_BODY_BYTES) {
      throw new ProblemError(
        413,
        `the request body is larger than ${MAX_BODY_BYTES} bytes; split the import into smaller parts`,
      );
    }
    return await compressed(request, await route(request, deps, routes));
  } catch (error) {
    if (error instanceof ProblemError) return problem(error.status, error.message, error.errors);
    if (error instanceof TargetValidationError) {
      return problem(422, `the target is not valid: ${error.message}`, error.problems);
    }
    // Right after an upgrade adds an index, DynamoDB builds it from the table before it can be read.
    if (BACKFILLING.test((error as Error)?.message ?? '')) {
      return problem(
        503,
        'an index of the targets table is being built after an upgrade (minutes for a large inventory); try again shortly',
      );
    }
    throw error;
  }
}

/** Compression on libuv's thread pool: a large answer never holds local mode's event loop. */
const gzipAsync = promisify(gzip);

/** Answers smaller than this go as they are: gzip would save little. */
const GZIP_MIN_BYTES = 1024;

/**
 * Every route's answer, gzipped when the client accepts it and it is worth it: function URLs cap
 * a response at 6 MB, and JSON and CSV of an inventory shrink about sevenfold. Problems stay plain
 * (they are small, and clients read them as they are).
 */
async function compressed(request: AdminRequest, response: AdminResponse): Promise<AdminResponse> {
  if (response.base64 || response.status >= 300 || Buffer.byteLength(response.body) <= GZIP_MIN_BYTES) return response;
  const vary = { ...response.headers, vary: 'accept-encoding' };
  if (!acceptsGzip(request)) return { ...response, headers: vary };
  return {
    ...response,
    headers: { ...vary, 'content-encoding': 'gzip' },
    body: (await gzipAsync(response.body)).toString('base64'),
    base64: true,
  };
}

async function route(request: AdminRequest, deps: AdminDependencies, routes: readonly Route[]): Promise<AdminResponse> {
  const method = request.method.toUpperCase();
  const path = request.path.replace(/\/+$/, '') || '/';
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const handler = candidate.methods[method as Method];
    if (handler) return handler(request, match.slice(1), deps);
    const allowed = Object.keys(candidate.methods).join(', ');
    const response = problem(
      405,
      `${method} is not supported on ${path}; use ${allowed}${candidate.hint ? ` (${candidate.hint})` : ''}`,
    );
    response.headers.allow = allowed;
    return response;
  }
  const paths = routes.map((r) => r.path);
  throw new ProblemError(
    404,
    `there is no ${path}; the API has ${paths.slice(0, -1).join(', ')}${paths.length > 1 ? ' and ' : ''}${paths.at(-1) ?? ''}`,
  );
}
