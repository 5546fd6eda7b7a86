import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DiscoveryUnavailable } from '../discovery/discovery-types.ts';
import type { DiscoverAnswer } from '../discovery/enrol.ts';
import { ipFamily } from '../ip-family.ts';
import type { ProbeOutcome } from '../monitor/probe-target.ts';
import { type Resolver, resolveAddresses, systemResolver } from '../net/resolve-addresses.ts';
import type { EventPublisher } from '../notify/event-publisher.ts';
import { testNotification } from '../notify/render-message.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { STATUSES } from '../policy/status.ts';
import type { CertificateStore } from '../store/certificate-store.ts';
import type { HistoryStore } from '../store/history-store.ts';
import type { StoredTarget, TargetStore } from '../store/target-store.ts';
import { parseTargetFile } from '../targets/import-file.ts';
import { isAwsKind } from '../targets/kinds.ts';
import { parseTarget } from '../targets/parse-target.ts';
import { InvalidTargetError } from '../targets/target-id.ts';
import {
  normalizeTarget,
  singleLabelProblem,
  TARGET_SETTINGS,
  type Target,
  TargetValidationError,
} from '../targets/target-schema.ts';
import { boundText } from '../text-bounds.ts';
import { canonicalFingerprint, certificateView, sortCertificates } from './certificate-views.ts';
import { OPEN_EVENT_FIELDS, openEventViews } from './open-events.ts';
import { type AdminResponse, json, ProblemError, problem } from './problem.ts';
import { certificateRows, certificatesCsv, REPORT_FIELDS, reportCsv, reportRows } from './report.ts';

/** Largest request body the admin API reads (bytes). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Most rows one import may hold. */
export const MAX_IMPORT_ROWS = 5_000;
/** Default and largest page of GET /targets. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** A request to the admin API, independent of Lambda or node:http. Header names are lower-case. */
export interface AdminRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: string | undefined;
  /** Who is asking, when the transport knows (the IAM caller of a function URL). */
  caller?: string | undefined;
}

export interface AdminDependencies {
  targets: TargetStore;
  /** Probes one target now (same as the probe function) and returns the outcome. */
  probe: (target: Target) => Promise<ProbeOutcome>;
  /** Says why an address is refused; undefined when private targets are allowed. */
  guard: ((address: string) => string | undefined) | undefined;
  /** The timeline (GET /targets/{id} shows the latest full result from it). */
  history?: HistoryStore | undefined;
  /** The certificate inventory (GET /certificates); absent: the routes answer 501. */
  certificates?: CertificateStore | undefined;
  /** Accept `file:` targets (local mode: the files are the user's own); never in AWS. */
  allowFiles?: boolean | undefined;
  /** Sends notifications to every subscribed channel (for POST /test-alert). */
  publisher?: Pick<EventPublisher, 'publishNotification'> | undefined;
  /** Runs discovery now (POST /discover); absent: the route answers 501. */
  discover?: (() => Promise<DiscoverAnswer>) | undefined;
  resolver?: Resolver;
  now?: () => Date;
}

/** A target as the API shows it: its settings, and its latest check in the check-result fields. */
export interface TargetView extends Target {
  createdAt: string;
  updatedAt: string;
  nextCheckAt: string;
  lastCheck: CheckResult | null;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One resource of the API: its path as people read it, how to match it, and its methods. */
export interface Route {
  /** As the 404 answer lists it, e.g. `/targets/{id}`. */
  path: string;
  /** Matches a request path (trailing slashes removed); the groups are the handlers' parameters. */
  pattern: RegExp;
  methods: Partial<
    Record<Method, (request: AdminRequest, params: string[], deps: AdminDependencies) => Promise<AdminResponse>>
  >;
  /** Said after the allowed methods in a 405 answer. */
  hint?: string;
}

/**
 * The admin API: every route, in matching order. Handlers are transport-free; the Lambda
 * function URL and local mode's HTTP server both call handleAdminRequest, and local mode adds
 * its own routes (POST /dispatch) to this table rather than beside it.
 */
export const ADMIN_ROUTES: readonly Route[] = [
  {
    path: '/targets',
    pattern: /^\/targets$/,
    methods: { GET: (r, _, d) => listTargets(r, d), POST: (r, _, d) => putTarget(r, d) },
  },
  {
    path: '/targets/{id}/timeline',
    pattern: /^\/targets\/(.+?)\/timeline$/,
    methods: { GET: (r, [id], d) => targetTimeline(canonicalId(id ?? ''), r, d) },
  },
  {
    path: '/targets/{id}/check',
    pattern: /^\/targets\/(.+?)\/check$/,
    methods: { POST: (_, [id], d) => checkNow(canonicalId(id ?? ''), d) },
  },
  {
    path: '/targets/{id}',
    pattern: /^\/targets\/(.+)$/,
    methods: {
      GET: (_, [id], d) => getTarget(canonicalId(id ?? ''), d),
      PATCH: (r, [id], d) => patchTarget(canonicalId(id ?? ''), r, d),
      DELETE: (_, [id], d) => deleteTarget(canonicalId(id ?? ''), d),
    },
  },
  { path: '/import', pattern: /^\/import$/, methods: { POST: (r, _, d) => importTargets(r, d) } },
  { path: '/report', pattern: /^\/report$/, methods: { GET: (r, _, d) => report(r, d) } },
  { path: '/certificates', pattern: /^\/certificates$/, methods: { GET: (r, _, d) => listCertificates(r, d) } },
  {
    path: '/certificates/{fingerprint256}',
    pattern: /^\/certificates\/(.+)$/,
    methods: { GET: (_, [fingerprint], d) => getCertificate(fingerprint ?? '', d) },
  },
  { path: '/events', pattern: /^\/events$/, methods: { GET: (_, __, d) => listOpenEvents(d) } },
  { path: '/discover', pattern: /^\/discover$/, methods: { POST: (_, __, d) => discoverNow(d) } },
  { path: '/test-alert', pattern: /^\/test-alert$/, methods: { POST: (r, _, d) => testAlert(r, d) } },
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
    return await route(request, deps, routes);
  } catch (error) {
    if (error instanceof ProblemError) return problem(error.status, error.message, error.errors);
    if (error instanceof TargetValidationError) {
      return problem(422, `the target is not valid: ${error.message}`, error.problems);
    }
    throw error;
  }
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

/** Accepts the id as stored or any way of writing the same endpoint (URL-encoded in the path). */
function canonicalId(encoded: string): string {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    throw new ProblemError(400, 'the target id in the path is not valid URL encoding');
  }
  try {
    return parseTarget(text).id;
  } catch (error) {
    if (error instanceof InvalidTargetError) throw new ProblemError(404, `no target "${text}": ${error.message}`);
    throw error;
  }
}

export function toView(item: StoredTarget): TargetView {
  const view: Record<string, unknown> = { id: item.id };
  for (const field of TARGET_SETTINGS) view[field] = item[field];
  view.tags = item.tags ?? [];
  return {
    ...(view as unknown as Target),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    nextCheckAt: new Date(item.nextCheckAt).toISOString(),
    // The store gives the state back in full (compact-result.ts): no second expansion here.
    lastCheck: item.state?.result ?? null,
  };
}

function parseJsonBody(request: AdminRequest): unknown {
  const type = request.headers['content-type'] ?? 'application/json';
  if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) {
    throw new ProblemError(415, `send the target as application/json (got ${type})`);
  }
  if (!request.body) throw new ProblemError(400, 'the request has no body; send the target as JSON');
  try {
    return JSON.parse(request.body);
  } catch {
    throw new ProblemError(400, 'the body is not valid JSON');
  }
}

async function guardTarget(target: Target, deps: AdminDependencies): Promise<void> {
  if (target.kind === 'file') {
    if (deps.allowFiles) return;
    throw new ProblemError(
      422,
      'file targets are read by the CLI and local mode only; serve the file over https and add it as pem:URL',
      [{ field: 'host', message: 'file targets are not monitored in this deployment' }],
    );
  }
  // AWS sources are read through the AWS APIs: no address to guard.
  if (isAwsKind(target.kind)) return;
  const bare = singleLabelProblem(target);
  if (bare)
    throw new ProblemError(422, bare, [{ field: 'host', message: 'is a single label without pinned addresses' }]);
  const guard = deps.guard;
  if (!guard) return;
  const explain = (address: string, reason: string, field: string, via?: string) =>
    new ProblemError(
      422,
      `${via ? `${via} resolves to ${address}, ` : `${address} is `}${reason}; this deployment does not monitor private addresses (an operator can allow them)`,
      [{ field, message: `${address} is ${reason}` }],
    );
  for (const address of target.addresses ?? []) {
    const reason = guard(address);
    if (reason) throw explain(address, reason, 'addresses');
  }
  if (ipFamily(target.host) !== 0) {
    const reason = guard(target.host);
    if (reason) throw explain(target.host, reason, 'host');
    return;
  }
  if (target.addresses?.length) return;
  let addresses: string[];
  try {
    addresses = await resolveAddresses(target.host, {
      resolver: deps.resolver ?? systemResolver,
      timeoutMs: 3_000,
      maxAddresses: 64,
    });
  } catch {
    return; // not resolvable (yet): the probe checks again every time it resolves the name
  }
  for (const address of addresses) {
    const reason = guard(address);
    if (reason) throw explain(address, reason, 'host', target.host);
  }
}

async function putTarget(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const target = normalizeTarget(parseJsonBody(request));
  await guardTarget(target, deps);
  const { created } = await deps.targets.putTarget(target, now(deps));
  const stored = await deps.targets.getTarget(target.id);
  return json(created ? 201 : 200, toView(stored as StoredTarget));
}

async function getTarget(id: string, deps: AdminDependencies): Promise<AdminResponse> {
  const stored = await deps.targets.getTarget(id);
  if (!stored) throw new ProblemError(404, `no target ${id}; add it with POST /targets`);
  const view = toView(stored);
  // The item keeps a compact copy of the latest result; the lists (names, chain, certificates)
  // come from the newest timeline row, when it is about the same certificate.
  const last = view.lastCheck;
  const full = last && deps.history ? (await deps.history.latest(id))?.result : undefined;
  if (last && full && full.fingerprint256 === last.fingerprint256) {
    view.lastCheck = { ...last, sans: full.sans, chain: full.chain, certificates: full.certificates };
  }
  return json(200, view);
}

/** Default and largest number of timeline rows GET /targets/{id}/timeline returns. */
export const DEFAULT_TIMELINE_ROWS = 50;
export const MAX_TIMELINE_ROWS = 200;

/** A target's timeline of changes, newest first: when, the status, why, and the certificate then. */
async function targetTimeline(id: string, request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const limitText = request.query.get('limit');
  const limit = limitText === null ? DEFAULT_TIMELINE_ROWS : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TIMELINE_ROWS) {
    throw new ProblemError(400, `limit must be a whole number from 1 to ${MAX_TIMELINE_ROWS} (got "${limitText}")`, [
      { field: 'limit', message: `must be from 1 to ${MAX_TIMELINE_ROWS}` },
    ]);
  }
  if (!deps.history) throw new ProblemError(501, 'this admin API keeps no timeline');
  if (!(await deps.targets.getTarget(id))) throw new ProblemError(404, `no target ${id}; add it with POST /targets`);
  const rows = await deps.history.recent(id, limit);
  return json(200, {
    target: id,
    items: rows.map((row) => ({
      checkedAt: row.checkedAt,
      status: row.status,
      change: row.change ?? null,
      daysLeft: row.result?.daysLeft ?? null,
      notAfter: row.result?.notAfter ?? null,
      subject: row.result?.subject ?? null,
      issuer: row.result?.issuer ?? null,
      fingerprint256: row.result?.fingerprint256 ?? null,
      error: row.result?.error ?? null,
    })),
  });
}

/** Events announced and still open across every target, most severe first. */
async function listOpenEvents(deps: AdminDependencies): Promise<AdminResponse> {
  return json(200, openEventViews(await deps.targets.allTargets(OPEN_EVENT_FIELDS)));
}

async function patchTarget(id: string, request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const stored = await deps.targets.getTarget(id);
  if (!stored) throw new ProblemError(404, `no target ${id}; add it with POST /targets`);
  const changes = parseJsonBody(request);
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
    throw new ProblemError(400, 'send the fields to change as a JSON object');
  }
  const unknown = Object.keys(changes).filter((k) => !(TARGET_SETTINGS as readonly string[]).includes(k));
  if (unknown.length) {
    throw new ProblemError(
      422,
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
      unknown.map((field) => ({ field, message: 'is not a target setting' })),
    );
  }
  const target = withSettings(stored, changes as Record<string, unknown>);
  if (target.id !== id) {
    throw new ProblemError(
      409,
      `changing host, port or protocol would make this a different target (${target.id}); add that one and delete ${id}`,
    );
  }
  await guardTarget(target, deps);
  await deps.targets.putTarget(target, now(deps));
  return json(200, toView((await deps.targets.getTarget(id)) as StoredTarget));
}

/** A stored target with the settings given replaced (null or undefined clears one), the others as they are. */
function withSettings(stored: StoredTarget, given: Record<string, unknown>): Target {
  const merged: Record<string, unknown> = {};
  for (const field of TARGET_SETTINGS) merged[field] = stored[field];
  for (const [field, value] of Object.entries(given)) merged[field] = value === null ? undefined : value;
  return normalizeTarget(merged);
}

/** Whether two targets have the same settings (what an import would change). */
function sameSettings(a: Target, b: Target): boolean {
  const settings = (t: Target) => JSON.stringify(TARGET_SETTINGS.map((f) => t[f] ?? null));
  return settings(a) === settings(b);
}

async function deleteTarget(id: string, deps: AdminDependencies): Promise<AdminResponse> {
  if (!(await deps.targets.deleteTarget(id))) throw new ProblemError(404, `no target ${id}`);
  return { status: 204, headers: {}, body: '' };
}

async function checkNow(id: string, deps: AdminDependencies): Promise<AdminResponse> {
  const stored = await deps.targets.getTarget(id);
  if (!stored) throw new ProblemError(404, `no target ${id}; add it with POST /targets`);
  const outcome = await deps.probe(normalizeTarget(Object.fromEntries(TARGET_SETTINGS.map((f) => [f, stored[f]]))));
  return json(200, {
    ...outcome.result,
    events: outcome.recorded.map((e) => ({ event: e.event, severity: e.severity })),
  });
}

async function listTargets(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const limitText = request.query.get('limit');
  const limit = limitText === null ? DEFAULT_PAGE_SIZE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ProblemError(400, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE} (got "${limitText}")`, [
      { field: 'limit', message: `must be from 1 to ${MAX_PAGE_SIZE}` },
    ]);
  }
  const status = request.query.get('status') ?? undefined;
  const statuses: readonly string[] = STATUSES;
  if (status !== undefined && !statuses.includes(status)) {
    throw new ProblemError(400, `status must be one of ${statuses.join(', ')} (got "${status}")`, [
      { field: 'status', message: `must be one of ${statuses.join(', ')}` },
    ]);
  }
  const page = await deps.targets.listTargets({
    limit,
    startKey: decodeCursor(request.query.get('cursor')),
    status,
    tag: request.query.get('tag') ?? undefined,
  });
  return json(200, { items: page.items.map(toView), nextCursor: page.nextKey ? encodeCursor(page.nextKey) : null });
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string | null): Record<string, unknown> | undefined {
  if (cursor === null || cursor === '') return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const id = (key as { id?: unknown } | null)?.id;
    // Target ids are at most a few hundred characters; DynamoDB refuses empty or huge keys.
    if (
      typeof key === 'object' &&
      key !== null &&
      typeof id === 'string' &&
      id.length > 0 &&
      id.length <= 2048 &&
      Object.keys(key).length === 1
    ) {
      return key as Record<string, unknown>;
    }
  } catch {
    // fall through
  }
  throw new ProblemError(400, 'cursor is not one this API returned; start again without it', [
    { field: 'cursor', message: 'is not valid' },
  ]);
}

interface ImportRowResult {
  row: number;
  id?: string;
  result: 'created' | 'updated' | 'unchanged' | 'rejected';
  problems?: { field: string; message: string }[];
}

async function importTargets(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (!request.body) throw new ProblemError(400, 'the request has no body; send CSV (text/csv) or a JSON array');
  const rows: {
    row: number;
    target?: Target;
    /** The settings the row gives (absent ones stay as they are on a target that exists). */
    given?: Record<string, unknown>;
    problems?: { field: string; message: string }[];
  }[] = [];
  if (type.startsWith('text/csv') || type.startsWith('text/plain')) {
    const parsed = parseTargetFile(request.body);
    for (const t of parsed.targets) rows.push({ row: t.line, target: t.target, given: t.given });
    for (const p of parsed.problems) rows.push({ row: p.line, problems: [{ field: 'row', message: p.message }] });
  } else if (/^application\/(?:[\w.+-]*\+)?json\b/.test(type)) {
    let list: unknown;
    try {
      list = JSON.parse(request.body);
    } catch {
      throw new ProblemError(400, 'the body is not valid JSON');
    }
    if (!Array.isArray(list)) throw new ProblemError(400, 'send a JSON array of targets');
    list.forEach((input, index) => {
      try {
        rows.push({ row: index + 1, target: normalizeTarget(input), given: input as Record<string, unknown> });
      } catch (error) {
        if (!(error instanceof TargetValidationError)) throw error;
        rows.push({ row: index + 1, problems: error.problems });
      }
    });
  } else {
    throw new ProblemError(
      415,
      `send CSV as text/csv or targets as an application/json array (got ${type || 'no content type'})`,
    );
  }
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new ProblemError(413, `an import may hold at most ${MAX_IMPORT_ROWS} rows (got ${rows.length}); split it`);
  }
  rows.sort((a, b) => a.row - b.row);
  const results: ImportRowResult[] = [];
  for (const row of rows) {
    if (!row.target) {
      results.push({ row: row.row, result: 'rejected', problems: row.problems ?? [] });
      continue;
    }
    try {
      const stored = await deps.targets.getTarget(row.target.id);
      const target = stored && row.given ? withSettings(stored, row.given) : row.target;
      if (stored && sameSettings(stored, target)) {
        results.push({ row: row.row, id: target.id, result: 'unchanged' });
        continue;
      }
      await guardTarget(target, deps);
      const { created } = await deps.targets.putTarget(target, now(deps));
      results.push({ row: row.row, id: target.id, result: created ? 'created' : 'updated' });
    } catch (error) {
      if (error instanceof TargetValidationError) {
        results.push({ row: row.row, id: row.target.id, result: 'rejected', problems: error.problems });
        continue;
      }
      if (!(error instanceof ProblemError)) throw error;
      results.push({
        row: row.row,
        id: row.target.id,
        result: 'rejected',
        problems: error.errors ?? [{ field: 'row', message: error.message }],
      });
    }
  }
  const count = (r: ImportRowResult['result']) => results.filter((x) => x.result === r).length;
  return json(200, {
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    rejected: count('rejected'),
    rows: results,
  });
}

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
  // Function URLs cap responses at 6 MB; gzip keeps large inventories under it.
  if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '') && response.body.length > 1024) {
    response.body = gzipSync(response.body).toString('base64');
    response.base64 = true;
    response.headers['content-encoding'] = 'gzip';
  }
  return response;
}

function inventory(deps: AdminDependencies): CertificateStore {
  if (!deps.certificates) throw new ProblemError(501, 'this deployment keeps no certificate inventory');
  return deps.certificates;
}

const CERTIFICATE_STATUSES = ['ok', 'warning', 'critical', 'expired'];

async function listCertificates(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const within = request.query.get('expiringWithin');
  const days = within === null ? undefined : Number(within);
  if (
    days !== undefined &&
    (!Number.isFinite(days) || days < 0 || days > 3650 || !/^\d+(\.\d+)?$/.test(within ?? ''))
  ) {
    throw new ProblemError(400, `expiringWithin must be a number of days from 0 to 3650 (got "${within}")`, [
      { field: 'expiringWithin', message: 'must be a number of days' },
    ]);
  }
  const status = request.query.get('status') ?? undefined;
  if (status !== undefined && !CERTIFICATE_STATUSES.includes(status)) {
    throw new ProblemError(400, `status must be one of ${CERTIFICATE_STATUSES.join(', ')} (got "${status}")`, [
      { field: 'status', message: `must be one of ${CERTIFICATE_STATUSES.join(', ')}` },
    ]);
  }
  const at = now(deps);
  const views = (await inventory(deps).all())
    .map((item) => certificateView(item, at))
    .filter((v) => (days === undefined ? true : v.notAfter !== null && v.daysLeft !== null && v.daysLeft <= days))
    .filter((v) => (status === undefined ? true : v.status === status));
  return json(200, sortCertificates(views));
}

async function getCertificate(encoded: string, deps: AdminDependencies): Promise<AdminResponse> {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    throw new ProblemError(400, 'the fingerprint in the path is not valid URL encoding');
  }
  const fingerprint = canonicalFingerprint(text);
  if (!fingerprint)
    throw new ProblemError(404, 'no certificate: give its SHA-256 fingerprint (64 hex digits, colons optional)');
  const item = await inventory(deps).get(fingerprint);
  if (!item) throw new ProblemError(404, `no certificate ${fingerprint} has been seen`);
  return json(200, certificateView(item, now(deps)));
}

/** Sends a clearly marked test notification through the real channels (SNS: email and Slack). */
async function testAlert(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  if (!deps.publisher) throw new ProblemError(501, 'this admin API has no alert channel to test');
  const notification = testNotification({
    id: randomUUID(),
    at: now(deps),
    requestedBy: request.caller ? boundText(request.caller, 256) : undefined,
  });
  await deps.publisher.publishNotification(notification);
  return json(202, {
    id: notification.id,
    event: notification.event,
    sentAt: notification.occurredAt,
    detail:
      'a test notification was published to the alert topic: every confirmed email subscription and every enabled channel (Slack, Teams, PagerDuty, webhook) should receive it within a minute',
  });
}

/** Runs discovery: 200 with what it found and enrolled, or 202 when it goes on in the background. */
async function discoverNow(deps: AdminDependencies): Promise<AdminResponse> {
  if (!deps.discover) throw new ProblemError(501, 'discovery is not available from this admin API');
  let answer: DiscoverAnswer;
  try {
    answer = await deps.discover();
  } catch (error) {
    if (error instanceof DiscoveryUnavailable) throw new ProblemError(503, error.message);
    throw new ProblemError(502, boundText(`discovery failed: ${(error as Error).message}`, 600));
  }
  return answer.done ? json(200, answer.summary) : json(202, { detail: answer.detail });
}

function now(deps: AdminDependencies): Date {
  return deps.now?.() ?? new Date();
}
