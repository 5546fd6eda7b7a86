// The query of a paged list (GET /targets, GET /events): limit, cursor and the filters served from
// the lists index, each checked with a message a person can act on.
import { STATUSES, type Status } from '../policy/status.ts';
import type { ListStatus } from '../store/list-keys.ts';
import { UNCHECKED } from '../store/list-keys.ts';
import type { StoredTarget } from '../store/stored-target.ts';
import type { ListFilter } from '../store/target-lists.ts';
import { SOURCE_KINDS } from '../targets/kinds.ts';
import type { AdminDependencies, AdminRequest } from './admin-types.ts';
import { type AdminResponse, json, ProblemError } from './problem.ts';

/** Default and largest page of every paged list. */
export const DEFAULT_PAGE_SIZE = 50;

export const MAX_PAGE_SIZE = 500;

/** Where a page resumes: the partition (events pages read partitions in turn) and the sort key. */
export interface ListCursor {
  partition: number;
  after: string | undefined;
}

/** Longest cursor accepted (a sort key is at most about 700 bytes, base64url adds a third). */
const MAX_CURSOR = 2_000;

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify({ p: cursor.partition, a: cursor.after ?? null })).toString('base64url');
}

export function decodeCursor(text: string | null, partitions = 1): ListCursor {
  if (text === null || text === '') return { partition: 0, after: undefined };
  if (text.length <= MAX_CURSOR) {
    try {
      const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { p?: unknown; a?: unknown };
      const { p, a } = value ?? {};
      if (
        typeof value === 'object' &&
        Number.isInteger(p) &&
        (p as number) >= 0 &&
        (p as number) < partitions &&
        (a === null || (typeof a === 'string' && a.length > 0 && a.length <= 1_100))
      ) {
        return { partition: p as number, after: a ?? undefined };
      }
    } catch {
      // fall through
    }
  }
  throw new ProblemError(400, 'cursor is not one this API returned; start again without it', [
    { field: 'cursor', message: 'is not valid' },
  ]);
}

export function pageLimit(request: AdminRequest, max = MAX_PAGE_SIZE): number {
  const text = request.query.get('limit');
  const limit = text === null ? Math.min(DEFAULT_PAGE_SIZE, max) : Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new ProblemError(400, `limit must be a whole number from 1 to ${max} (got "${clip(text)}")`, [
      { field: 'limit', message: `must be from 1 to ${max}` },
    ]);
  }
  return limit;
}

/**
 * A query parameter that takes one of `allowed` (`fallback` when absent), or a 400 problem naming
 * them, quoting the value given (clipped).
 */
export function choiceOf<T extends string>(
  request: AdminRequest,
  field: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = request.query.get(field) ?? fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const list = `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
  throw new ProblemError(400, `${field} must be ${list} (got "${clip(value)}")`, [
    { field, message: `must be ${list}` },
  ]);
}

/** `status`: one of the check statuses, or `unchecked`. */
export function statusFilter(request: AdminRequest): Status | typeof UNCHECKED | undefined {
  const status = request.query.get('status') ?? undefined;
  const allowed: readonly string[] = [...STATUSES, UNCHECKED];
  if (status !== undefined && !allowed.includes(status)) {
    throw new ProblemError(400, `status must be one of ${allowed.join(', ')} (got "${clip(status)}")`, [
      { field: 'status', message: `must be one of ${allowed.join(', ')}` },
    ]);
  }
  return status as Status | typeof UNCHECKED | undefined;
}

/** `owner`, `unowned=true`, `kind`, `tag` and `q` (a piece of the target id). */
export function listFilter(request: AdminRequest): ListFilter {
  const text = (field: string, max: number): string | undefined => {
    const value = request.query.get(field);
    if (value === null) return undefined;
    if (value.length === 0 || value.length > max) {
      throw new ProblemError(400, `${field} must be 1 to ${max} characters`, [
        { field, message: `must be 1 to ${max} characters` },
      ]);
    }
    return value;
  };
  const owner = text('owner', 200);
  const unowned = request.query.get('unowned');
  if (unowned !== null && unowned !== 'true' && unowned !== 'false') {
    throw new ProblemError(400, `unowned must be true or false (got "${clip(unowned)}")`, [
      { field: 'unowned', message: 'must be true or false' },
    ]);
  }
  if (owner !== undefined && unowned === 'true') {
    throw new ProblemError(400, 'give owner or unowned=true, not both', [
      { field: 'unowned', message: 'conflicts with owner' },
    ]);
  }
  const kind = text('kind', 16);
  const kinds: readonly string[] = SOURCE_KINDS;
  if (kind !== undefined && !kinds.includes(kind)) {
    throw new ProblemError(400, `kind must be one of ${kinds.join(', ')} (got "${clip(kind)}")`, [
      { field: 'kind', message: 'is not a kind' },
    ]);
  }
  return {
    owner: unowned === 'true' ? null : owner,
    kind,
    tag: text('tag', 64),
    search: text('q', 200),
  };
}

/**
 * A page of targets from the lists index as `{items, nextCursor}`: the request's limit and cursor,
 * the partitions and filter given, each item read with `fields` and shown by `view`.
 */
export async function targetsPage<T>(
  request: AdminRequest,
  deps: AdminDependencies,
  options: { partitions: readonly ListStatus[]; filter?: ListFilter | undefined; fields: readonly string[] },
  view: (item: StoredTarget) => T,
): Promise<AdminResponse> {
  const cursor = decodeCursor(request.query.get('cursor'));
  const page = await deps.targets.lists.page({
    partitions: options.partitions,
    limit: pageLimit(request),
    after: cursor.after,
    filter: options.filter,
  });
  const items = await deps.targets.lists.items(
    page.entries.map((e) => e.id),
    options.fields,
  );
  return json(200, {
    items: items.map(view),
    nextCursor: page.after === undefined ? null : encodeCursor({ partition: 0, after: page.after }),
  });
}

/** A value quoted back in a problem: at most 40 characters. */
export function clip(text: string | null): string {
  return text === null ? '' : text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
