// Maintenance windows (issue 31): GET /maintenance (current and upcoming), POST /maintenance
// {target | tag, from?, until, note?}, DELETE /maintenance/{id} (ends one early). While a window
// covers a target, `unreachable` and `inconsistent` are held (policy/maintenance.ts); expiry never is.
import { randomBytes } from 'node:crypto';
import { ACK_BY_MAX } from '../../policy/acknowledgements.ts';
import {
  MAINTENANCE_AHEAD_DAYS,
  MAINTENANCE_MAX_DAYS,
  MAINTENANCE_NOTE_MAX,
  MAX_WINDOWS,
  type MaintenanceWindow,
  windowEnded,
} from '../../policy/maintenance.ts';
import type { MaintenanceStore } from '../../store/maintenance-store.ts';
import { boundText } from '../../text-bounds.ts';
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { canonicalId, now, parseJsonBody } from '../request.ts';

const DAY_MS = 86_400_000;
/** Longest tag (as the target schema allows). */
const TAG_MAX = 64;

function windowsOf(deps: AdminDependencies): MaintenanceStore {
  if (!deps.windows) {
    throw new ProblemError(501, 'this admin API keeps no maintenance windows (its DIRECTORY_TABLE is not set)');
  }
  return deps.windows;
}

async function list(deps: AdminDependencies): Promise<AdminResponse> {
  const at = now(deps);
  const windows = (await windowsOf(deps).list()).filter((w) => !windowEnded(w, at));
  windows.sort((a, b) => a.from.localeCompare(b.from) || a.id.localeCompare(b.id));
  return json(200, { windows: windows.slice(0, MAX_WINDOWS) });
}

async function create(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const store = windowsOf(deps);
  const body = parseJsonBody(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemError(400, 'send {"target": ID or "tag": TAG, "until": DATE, "from": DATE, "note": TEXT}');
  }
  const { target, tag, from, until, note } = body as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  const at = now(deps);
  if ((target === undefined) === (tag === undefined)) {
    problems.push({ field: 'target', message: 'give either target (an id) or tag, not both' });
  }
  if (target !== undefined && (typeof target !== 'string' || !target.trim() || target.length > 4096)) {
    problems.push({ field: 'target', message: 'must be the id of a target' });
  }
  if (tag !== undefined && (typeof tag !== 'string' || !tag.trim() || tag.length > TAG_MAX || /\p{Cc}/u.test(tag))) {
    problems.push({ field: 'tag', message: `must be a tag of 1 to ${TAG_MAX} characters` });
  }
  if (note !== undefined && (typeof note !== 'string' || note.length > MAINTENANCE_NOTE_MAX)) {
    problems.push({ field: 'note', message: `must be text of at most ${MAINTENANCE_NOTE_MAX} characters` });
  }
  const start = from === undefined ? at.getTime() : typeof from === 'string' ? Date.parse(from) : Number.NaN;
  const end = typeof until === 'string' ? Date.parse(until) : Number.NaN;
  if (!Number.isFinite(start) || start > at.getTime() + MAINTENANCE_AHEAD_DAYS * DAY_MS) {
    problems.push({ field: 'from', message: `must be a date and time within the next ${MAINTENANCE_AHEAD_DAYS} days` });
  }
  if (!Number.isFinite(end) || end <= at.getTime() || end <= start) {
    problems.push({ field: 'until', message: 'is required: a date and time after now and after from' });
  } else if (Number.isFinite(start) && end - start > MAINTENANCE_MAX_DAYS * DAY_MS) {
    problems.push({ field: 'until', message: `a window lasts at most ${MAINTENANCE_MAX_DAYS} days` });
  }
  if (problems.length) {
    throw new ProblemError(400, problems.map((p) => `${p.field} ${p.message}`).join('; '), problems);
  }
  let id: string | undefined;
  if (typeof target === 'string') {
    id = canonicalId(encodeURIComponent(target.trim()));
    if (!(await deps.targets.getTarget(id))) {
      throw new ProblemError(404, `no target ${id}; a window covers a target by its id, or every target with a tag`);
    }
  }
  const open = await store.prune(await store.list(), at);
  if (open.length >= MAX_WINDOWS) {
    throw new ProblemError(
      409,
      `there are ${MAX_WINDOWS} maintenance windows already; end one (DELETE /maintenance/{id}) first`,
    );
  }
  const window: MaintenanceWindow = {
    id: randomBytes(6).toString('hex'),
    ...(id !== undefined ? { target: id } : { tag: (tag as string).trim() }),
    from: new Date(start).toISOString(),
    until: new Date(end).toISOString(),
    ...(typeof note === 'string' && note.trim() ? { note: boundText(note, MAINTENANCE_NOTE_MAX) } : {}),
    by: boundText(request.caller ?? 'unknown caller', ACK_BY_MAX),
    at: at.toISOString(),
  };
  await store.put(window);
  return json(201, window);
}

async function end(windowId: string, deps: AdminDependencies): Promise<AdminResponse> {
  if (!(await windowsOf(deps).remove(windowId))) {
    throw new ProblemError(404, `no maintenance window ${windowId}; GET /maintenance lists them`);
  }
  return json(200, { id: windowId, ended: true });
}

export const MAINTENANCE_ROUTES: readonly Route[] = [
  {
    path: '/maintenance',
    pattern: /^\/maintenance$/,
    methods: { GET: (_, __, d) => list(d), POST: (r, _, d) => create(r, d) },
  },
  {
    path: '/maintenance/{id}',
    pattern: /^\/maintenance\/([0-9a-f]{12})$/,
    methods: { DELETE: (_, [id], d) => end(id ?? '', d) },
  },
];
