// POST /events/{id}/ack and POST /events/{id}/snooze (issue 31): a person says they have seen an
// open event (optionally until a date) or asks to hear of it again later. The body names the
// target (event ids are digests of target and condition): {target, note?, until?}.
import { ACK_MAX_DAYS, ACK_NOTE_MAX, type AcknowledgementKind } from '../../policy/acknowledgements.ts';
import { recordAcknowledgement } from '../acknowledge.ts';
import type { AdminDependencies, AdminRequest, Route } from '../admin-types.ts';
import { type AdminResponse, json, ProblemError } from '../problem.ts';
import { canonicalId, now, parseJsonBody } from '../request.ts';

const DAY_MS = 86_400_000;

/** Who asks: the IAM caller of the function URL, `local mode` for local mode's token holder. */
function whoAsks(request: AdminRequest): string {
  return request.caller ?? 'unknown caller';
}

async function acknowledge(
  kind: AcknowledgementKind,
  eventId: string,
  request: AdminRequest,
  deps: AdminDependencies,
): Promise<AdminResponse> {
  const body = parseJsonBody(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemError(400, 'send {"target": ID, "note": TEXT, "until": DATE} as a JSON object');
  }
  const { target, note, until } = body as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  if (typeof target !== 'string' || target.length === 0 || target.length > 4096) {
    problems.push({ field: 'target', message: 'is required: the id of the target the event is about' });
  }
  if (note !== undefined && (typeof note !== 'string' || note.length > ACK_NOTE_MAX)) {
    problems.push({ field: 'note', message: `must be text of at most ${ACK_NOTE_MAX} characters` });
  }
  const at = now(deps);
  let untilIso: string | undefined;
  if (until !== undefined) {
    const time = typeof until === 'string' ? Date.parse(until) : Number.NaN;
    if (!Number.isFinite(time) || time <= at.getTime() || time > at.getTime() + ACK_MAX_DAYS * DAY_MS) {
      problems.push({ field: 'until', message: `must be a date and time in the next ${ACK_MAX_DAYS} days` });
    } else untilIso = new Date(time).toISOString();
  } else if (kind === 'snooze') {
    problems.push({ field: 'until', message: 'is required: the date and time to hear of it again' });
  }
  if (problems.length) {
    throw new ProblemError(400, problems.map((p) => `${p.field} ${p.message}`).join('; '), problems);
  }
  const id = canonicalId(encodeURIComponent(target as string));
  return json(
    200,
    await recordAcknowledgement(deps, {
      kind,
      target: id,
      eventId,
      by: whoAsks(request),
      at,
      ...(typeof note === 'string' && note.length ? { note } : {}),
      ...(untilIso ? { until: untilIso } : {}),
    }),
  );
}

export const ACKNOWLEDGEMENT_ROUTES: readonly Route[] = [
  {
    path: '/events/{id}/ack',
    pattern: /^\/events\/([A-Za-z0-9_-]{1,64})\/ack$/,
    methods: { POST: (r, [id], d) => acknowledge('ack', id ?? '', r, d) },
  },
  {
    path: '/events/{id}/snooze',
    pattern: /^\/events\/([A-Za-z0-9_-]{1,64})\/snooze$/,
    methods: { POST: (r, [id], d) => acknowledge('snooze', id ?? '', r, d) },
  },
];
