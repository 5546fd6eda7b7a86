// GET /events: the events announced and still open.
import type { AdminDependencies, Route } from '../admin-types.ts';
import { OPEN_EVENT_FIELDS, openEventViews } from '../open-events.ts';
import { type AdminResponse, json } from '../problem.ts';

/** Events announced and still open across every target, most severe first. */
async function listOpenEvents(deps: AdminDependencies): Promise<AdminResponse> {
  return json(200, openEventViews(await deps.targets.allTargets(OPEN_EVENT_FIELDS)));
}

export const EVENT_ROUTES: readonly Route[] = [
  { path: '/events', pattern: /^\/events$/, methods: { GET: (_, __, d) => listOpenEvents(d) } },
];
