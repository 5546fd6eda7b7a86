// Recording an acknowledgement or a snooze of one open event (issue 31): on the target's item (which
// refuses an event that is not open), in its timeline, and on the runbooks' bus. The admin API's
// POST /events/{id}/ack|snooze and the signed action links both come through here.
import type { Acknowledgement, AcknowledgementKind } from '../policy/acknowledgements.ts';
import type { AdminDependencies } from './admin-types.ts';
import { ProblemError } from './problem.ts';

export interface AcknowledgementRequest {
  kind: AcknowledgementKind;
  /** The target's canonical id. */
  target: string;
  eventId: string;
  /** Who (bounded when stored). */
  by: string;
  at: Date;
  note?: string | undefined;
  /** ISO time; a snooze always has one. */
  until?: string | undefined;
}

export interface AcknowledgementAnswer {
  id: string;
  target: string;
  event: string;
  severity: string;
  acknowledged: Acknowledgement;
  /** Whether the runbooks' bus took it (only when runbooks are on). */
  runbookEvent?: string | undefined;
}

/** Records it; a ProblemError 404 when there is no such target or the event is not open. */
export async function recordAcknowledgement(
  deps: Pick<AdminDependencies, 'targets' | 'history' | 'runbooks'>,
  request: AcknowledgementRequest,
): Promise<AcknowledgementAnswer> {
  const { kind, target: id, eventId, at } = request;
  const result = await deps.targets.acks.record(id, eventId, {
    kind,
    by: request.by,
    at: at.toISOString(),
    ...(request.note ? { note: request.note } : {}),
    ...(request.until ? { until: request.until } : {}),
  });
  if (result.outcome === 'no-target') throw new ProblemError(404, `no target ${id}`);
  if (result.outcome === 'not-open') {
    throw new ProblemError(
      404,
      `no open event ${eventId.slice(0, 40)} on ${id}: it ended (a renewal or a recovery closes it) or was never announced; GET /events lists what is open`,
    );
  }
  const answer = {
    id: result.event.id,
    target: id,
    event: result.event.event,
    severity: result.event.severity,
    acknowledged: result.acknowledgement,
  };
  if (!deps.history && !deps.runbooks) return answer;
  const item = await deps.targets.getTarget(id);
  // The target's timeline shows it too (who, when, the note, until when).
  await deps.history?.appendAcknowledgement(id, item?.state?.result.status ?? 'ok', {
    ...result.acknowledgement,
    event: result.event.event,
    eventId: result.event.id,
  });
  if (!deps.runbooks) return answer;
  // Runbooks hear of it too; the acknowledgement holds whether or not the bus takes it.
  try {
    await deps.runbooks.acknowledged(
      {
        ...answer,
        kind: item?.kind ?? 'tls',
        owner: item?.owner ?? null,
        tags: item?.tags ?? [],
        fingerprint256: item?.state?.result.fingerprint256 ?? null,
        acknowledgement: result.acknowledgement,
      },
      at.toISOString(),
    );
    return { ...answer, runbookEvent: 'sent' };
  } catch (error) {
    return {
      ...answer,
      runbookEvent: `not sent (${String((error as Error).name ?? 'error').slice(0, 60)}): the acknowledgement holds`,
    };
  }
}
