// GET /digest?owner=NAME|unowned=true[&format=text]: the weekly digest of one owner (or of the
// targets without one), as JSON or the text the email carries.

import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { collectDigests, digestText } from '../digest.ts';
import { choiceOf, listFilter } from '../list-query.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { now } from '../request.ts';

async function digest(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const { owner } = listFilter(request);
  if (owner === undefined) {
    throw new ProblemError(400, 'give owner=NAME, or unowned=true for the targets without an owner', [
      { field: 'owner', message: 'is required' },
    ]);
  }
  const format = choiceOf(request, 'format', ['json', 'text'], 'json');
  const [found] = await collectDigests(deps.targets, now(deps), { owner });
  if (!found) throw new Error('a digest for one owner is always made');
  if (format === 'text') {
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: digestText(found) };
  }
  return json(200, found);
}

export const DIGEST_ROUTES: readonly Route[] = [
  { path: '/digest', pattern: /^\/digest$/, methods: { GET: (r, _, d) => digest(r, d) } },
];
