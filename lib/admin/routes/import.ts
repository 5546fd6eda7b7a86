// POST /import: a CSV or JSON list of targets, row by row; rows change only the settings they give.
import { parseTargetFile } from '../../targets/import-file.ts';
import { normalizeTarget, type Target, TargetValidationError } from '../../targets/target-schema.ts';
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { now } from '../request.ts';
import { guardTarget, sameSettings, withSettings } from './targets.ts';

/** Most rows one import may hold. */
export const MAX_IMPORT_ROWS = 5_000;

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

export const IMPORT_ROUTES: readonly Route[] = [
  { path: '/import', pattern: /^\/import$/, methods: { POST: (r, _, d) => importTargets(r, d) } },
];
