// The owner directory (issue 31): GET /owners (pages by name), GET, PUT and DELETE /owners/{name}.
// PUT takes {emails, escalationEmails, version?}: every message about the owner's targets goes to
// `emails`, its escalations also to `escalationEmails`; deployed, each address is an email
// subscription to the alert topic filtered on the owner (SNS sends it a confirmation email).
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { decodeCursor, encodeCursor, pageLimit } from '../list-query.ts';
import { type OwnerDirectory, ownerName, parseOwnerRoutes } from '../owner-directory.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { now, parseJsonBody } from '../request.ts';

/** Owners per page: an entry holds up to 40 addresses of 254 characters (and as many pending). */
export const MAX_OWNERS_PAGE = 100;

function directoryOf(deps: AdminDependencies): OwnerDirectory {
  if (!deps.owners) {
    throw new ProblemError(501, 'this admin API keeps no owner directory (its DIRECTORY_TABLE is not set)');
  }
  return deps.owners;
}

async function list(request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const directory = directoryOf(deps);
  const { after } = decodeCursor(request.query.get('cursor'));
  const page = await directory.list(pageLimit(request, MAX_OWNERS_PAGE), after);
  return json(200, {
    owners: page.owners,
    ...(page.last ? { cursor: encodeCursor({ partition: 0, after: page.last }) } : {}),
  });
}

async function show(raw: string, deps: AdminDependencies): Promise<AdminResponse> {
  const name = ownerName(raw);
  const entry = await directoryOf(deps).get(name);
  if (!entry) throw new ProblemError(404, `no owner ${name} in the directory; PUT /owners/{name} adds one`);
  return json(200, entry);
}

async function put(raw: string, request: AdminRequest, deps: AdminDependencies): Promise<AdminResponse> {
  const directory = directoryOf(deps);
  const name = ownerName(raw);
  const routes = parseOwnerRoutes(parseJsonBody(request));
  const answer = await directory.put(name, routes, request.caller ?? 'unknown caller', now(deps));
  return json(200, answer);
}

async function remove(raw: string, deps: AdminDependencies): Promise<AdminResponse> {
  const name = ownerName(raw);
  const answer = await directoryOf(deps).remove(name);
  if (!answer) throw new ProblemError(404, `no owner ${name} in the directory`);
  return json(200, answer);
}

export const OWNER_ROUTES: readonly Route[] = [
  { path: '/owners', pattern: /^\/owners$/, methods: { GET: (r, _, d) => list(r, d) } },
  {
    path: '/owners/{name}',
    pattern: /^\/owners\/([^/]{1,1000})$/,
    methods: {
      GET: (_, [name], d) => show(name ?? '', d),
      PUT: (r, [name], d) => put(name ?? '', r, d),
      DELETE: (_, [name], d) => remove(name ?? '', d),
    },
  },
];
