// /targets: list, add, read, change, delete, check now, and a target's timeline.
import { ipFamily } from '../../ip-family.ts';
import { resolveAddresses, systemResolver } from '../../net/resolve-addresses.ts';
import { LIST_STATUSES, partitionsOf } from '../../store/list-keys.ts';
import type { StoredTarget } from '../../store/stored-target.ts';
import { isAwsKind } from '../../targets/kinds.ts';
import { normalizeTarget, singleLabelProblem, TARGET_SETTINGS, type Target } from '../../targets/target-schema.ts';
import type { AdminDependencies, AdminRequest, Route, TargetView } from '../admin-types.ts';
import { listFilter, statusFilter, targetsPage } from '../list-query.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { canonicalId, now, parseJsonBody } from '../request.ts';

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

export async function guardTarget(target: Target, deps: AdminDependencies): Promise<void> {
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
      // An acknowledgement's row is keyed a moment after the check of its millisecond: shown at its time.
      checkedAt: row.acknowledgement?.at ?? row.checkedAt,
      status: row.status,
      change: row.change ?? null,
      daysLeft: row.result?.daysLeft ?? null,
      notAfter: row.result?.notAfter ?? null,
      subject: row.result?.subject ?? null,
      issuer: row.result?.issuer ?? null,
      fingerprint256: row.result?.fingerprint256 ?? null,
      error: row.result?.error ?? null,
      ...(row.acknowledgement ? { acknowledgement: row.acknowledgement } : {}),
    })),
  });
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
export function withSettings(stored: StoredTarget, given: Record<string, unknown>): Target {
  const merged: Record<string, unknown> = {};
  for (const field of TARGET_SETTINGS) merged[field] = stored[field];
  for (const [field, value] of Object.entries(given)) merged[field] = value === null ? undefined : value;
  return normalizeTarget(merged);
}

/** Whether two targets have the same settings (what an import would change). */
export function sameSettings(a: Target, b: Target): boolean {
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

/** The stored attributes a target's view reads (toView): settings, times and the latest check. */
const VIEW_FIELDS = ['id', ...TARGET_SETTINGS, 'createdAt', 'updatedAt', 'nextCheckAt', 'state'];

/**
 * A page of targets, soonest expiry first (never-checked targets last), from the lists index:
 * one status's partitions, or all of them merged, filtered by owner, kind, tag or a piece of the id.
 */
async function listTargets(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const status = statusFilter(request);
  return targetsPage(
    request,
    deps,
    { partitions: status ? partitionsOf(status) : LIST_STATUSES, filter: listFilter(request), fields: VIEW_FIELDS },
    toView,
  );
}

/** /targets and one target's resources. */
export const TARGET_ROUTES: readonly Route[] = [
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
];
