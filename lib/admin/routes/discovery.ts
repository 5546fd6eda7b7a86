// POST /discover: a discovery run now, its summary, or 202 when it outlasts the wait.
import { DiscoveryUnavailable } from '../../discovery/discovery-types.ts';
import type { DiscoverAnswer } from '../../discovery/enrol.ts';
import { boundText } from '../../text-bounds.ts';
import type { AdminDependencies, Route } from '../admin-types.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';

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

export const DISCOVERY_ROUTES: readonly Route[] = [
  { path: '/discover', pattern: /^\/discover$/, methods: { POST: (_, __, d) => discoverNow(d) } },
];
