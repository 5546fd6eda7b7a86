// `certvigil ack` and `certvigil snooze` (issue 31): say an open event has been seen (until it is
// renewed, or until a date), or ask to hear of it again later. EVENT_OR_TARGET is an event id (from
// `GET /events` or a message) or a target, whose open events are all acknowledged.
import type { TargetView } from '../admin/admin-api.ts';
import type { OpenEventView } from '../admin/open-events.ts';
import { AdminError } from '../net/admin-client.ts';
import type { Acknowledgement } from '../policy/acknowledgements.ts';
import type { ExitCode } from '../policy/status.ts';
import { UsageError } from '../usage-error.ts';
import type { Io } from './io.ts';
import { adminClientFor, idPath, parseRemote } from './remote-options.ts';

export const ACK_USAGE = `Acknowledge or snooze open events (remote: --url or CERTVIGIL_URL, as the other remote commands).

  certvigil ack EVENT_OR_TARGET [--target TARGET] [--note TEXT] [--until WHEN] [--json]
      seen: no reminders for it until its certificate is renewed (which closes it) or WHEN;
      a worse condition (critical, expired, revoked) is news again
  certvigil snooze EVENT_OR_TARGET --until WHEN [--target TARGET] [--note TEXT] [--json]
      hear of it again at WHEN

EVENT_OR_TARGET: an event id (GET /events, a message), or a target: every open event of it.
WHEN: a date and time (2027-01-15T09:00Z), or a span from now: 12h, 3d, 2w.`;

const EVENT_ID = /^[A-Za-z0-9_-]{22}$/;
const SPAN = /^(\d{1,4})([hdw])$/;
const SPAN_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** WHEN as an ISO date: a date and time, or a span from now. */
export function untilOf(text: string, now = Date.now()): string {
  const span = SPAN.exec(text.trim());
  if (span) return new Date(now + Number(span[1]) * SPAN_MS[span[2] as keyof typeof SPAN_MS]).toISOString();
  const time = Date.parse(text);
  if (!Number.isFinite(time)) {
    throw new UsageError(
      `--until takes a date and time (2027-01-15T09:00Z) or a span (12h, 3d, 2w), not "${text.slice(0, 40)}"`,
    );
  }
  return new Date(time).toISOString();
}

export async function runAck(
  command: 'ack' | 'snooze',
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<ExitCode> {
  try {
    return await acknowledge(command, argv, io, env);
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    io.stderr(`certvigil: ${error.message}\n`);
    return 3;
  }
}

async function acknowledge(
  command: 'ack' | 'snooze',
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {
    target: { type: 'string' },
    note: { type: 'string' },
    until: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError(`${command} needs one EVENT_OR_TARGET`);
  if (command === 'snooze' && !values.until) throw new UsageError('snooze needs --until WHEN (a date, or 12h, 3d, 2w)');
  const subject = positionals[0] as string;
  const admin = adminClientFor(values, env);
  const body = {
    note: values.note,
    until: values.until === undefined ? undefined : untilOf(values.until),
  };
  // The events to acknowledge, each with its target.
  let events: { id: string; target: string }[];
  if (EVENT_ID.test(subject) && values.target) events = [{ id: subject, target: values.target }];
  else {
    const target = EVENT_ID.test(subject) ? undefined : (await admin.json<TargetView>('GET', idPath(subject))).id;
    events = [];
    let cursor: string | null = null;
    do {
      const page: { items: OpenEventView[]; nextCursor: string | null } = await admin.json('GET', '/events', {
        query: { limit: '500', ...(target ? { q: target } : {}), ...(cursor ? { cursor } : {}) },
      });
      events.push(...page.items.filter((e) => (target ? e.target === target : e.id === subject)));
      cursor = page.nextCursor;
    } while (cursor);
    if (events.length === 0) {
      io.stderr(
        `certvigil: ${target ? `nothing is open on ${target}` : `no open event ${subject}`}: GET /events lists what is\n`,
      );
      return target ? 0 : 3;
    }
  }
  const done: { id: string; target: string; event: string; severity: string; acknowledged: Acknowledgement }[] = [];
  for (const event of events) {
    done.push(
      await admin.json('POST', `/events/${encodeURIComponent(event.id)}/${command}`, {
        body: JSON.stringify({ ...body, target: event.target }),
      }),
    );
  }
  if (values.json) io.stdout(`${JSON.stringify(done, null, 2)}\n`);
  else {
    for (const d of done) {
      const until = d.acknowledged.until ? ` until ${d.acknowledged.until.slice(0, 16).replace('T', ' ')} UTC` : '';
      io.stdout(
        `${command === 'ack' ? 'acknowledged' : 'snoozed'} ${d.severity} ${d.event} on ${d.target}${until} (${d.id})\n`,
      );
    }
  }
  return 0;
}
