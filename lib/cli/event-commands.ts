// `certvigil events`, `certvigil timeline TARGET` and `certvigil dispatch` (issue 32): the open
// events (most severe first), one target's changes (newest first), and a dispatch round now (local
// mode's POST /dispatch). Read through the admin API, in pages: never the whole inventory at once.
import type { OpenEventView } from '../admin/open-events.ts';
import { AdminError, describeFailure } from '../net/admin-client.ts';
import type { ExitCode } from '../policy/status.ts';
import { parseTarget } from '../targets/parse-target.ts';
import { InvalidTargetError } from '../targets/target-id.ts';
import { boundText } from '../text-bounds.ts';
import { UsageError } from '../usage-error.ts';
import { type Io, numberOption } from './io.ts';
import { adminClientFor, idPath, parseRemote } from './remote-options.ts';
import { formatColumns } from './render-table.ts';

export const EVENTS_USAGE = `The open events: announced, and still true (remote: --url or CERTVIGIL_URL).

  certvigil events [--severity info|warning|critical] [--owner NAME | --unowned] [--limit N] [--json]
      most severe first, then oldest; at most N (default 100); acknowledged ones say by whom

Acknowledge one with "certvigil ack EVENT --target TARGET".`;

export const TIMELINE_USAGE = `One target's timeline of changes, newest first (remote: --url or CERTVIGIL_URL).

  certvigil timeline TARGET [--limit N] [--json]
      N rows (1 to 200, default 50): when, the status, the change, the certificate then`;

export const DISPATCH_USAGE = `Run a dispatch round now (local mode: POST /dispatch).

  certvigil dispatch [--all] [--json]
      checks the targets that are due; with --all, every enabled target

Deployed, the schedule runs the rounds: invoke the dispatcher function (stack output
DispatcherFunctionName) to run one now.`;

async function guarded(io: Io, run: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    io.stderr(`certvigil: ${error.message}\n`);
    return 3;
  }
}

export async function runEvents(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {
    severity: { type: 'string' },
    owner: { type: 'string' },
    unowned: { type: 'boolean' },
    limit: { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`events takes no arguments (got "${positionals[0]?.slice(0, 40)}")`);
  if (values.owner !== undefined && values.unowned) throw new UsageError('give --owner NAME or --unowned, not both');
  const limit = numberOption(values.limit, '--limit', { min: 1, max: 10_000, integer: true }) ?? 100;
  const admin = adminClientFor(values, env);
  return guarded(io, async () => {
    const events: OpenEventView[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.json<{ items: OpenEventView[]; nextCursor: string | null }>('GET', '/events', {
        query: {
          limit: String(Math.min(500, limit - events.length)),
          cursor,
          severity: values.severity,
          owner: values.owner,
          ...(values.unowned ? { unowned: 'true' } : {}),
        },
      });
      events.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && events.length < limit);
    if (values.json) {
      io.stdout(`${JSON.stringify(events, null, 2)}\n`);
      return 0;
    }
    if (!events.length) {
      io.stdout('no open events\n');
      return 0;
    }
    const table = formatColumns(
      ['SEVERITY', 'EVENT', 'TARGET', 'SINCE (UTC)', 'OWNER', 'ACKNOWLEDGED', 'ID', 'PROBLEM'],
      events.map((e) => [
        e.severity,
        e.event,
        e.target,
        e.since ? e.since.slice(0, 16).replace('T', ' ') : 'pending',
        e.owner ?? '-',
        e.acknowledged
          ? `${e.acknowledged.kind === 'snooze' ? 'snoozed' : 'yes'} (${e.acknowledged.by}${e.acknowledged.until ? ` until ${e.acknowledged.until.slice(0, 10)}` : ''})`
          : '-',
        e.id,
        e.problem ? boundText(e.problem, 80) : '-',
      ]),
    );
    io.stdout(`${table}\n${cursor ? `(the first ${events.length}; --limit shows more)\n` : ''}`);
    return 0;
  });
}

interface TimelineRow {
  checkedAt: string;
  status: string;
  change: string | null;
  daysLeft: number | null;
  fingerprint256: string | null;
  error: { kind: string; message: string } | null;
  acknowledgement?: { kind: string; by: string; note?: string };
}

export async function runTimeline(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, { limit: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('timeline takes one TARGET (as listed, or host:port)');
  let id: string;
  try {
    id = parseTarget(positionals[0] as string).id;
  } catch (error) {
    if (error instanceof InvalidTargetError) throw new UsageError(`target "${positionals[0]}": ${error.message}`);
    throw error;
  }
  const limit = numberOption(values.limit, '--limit', { min: 1, max: 200, integer: true });
  const admin = adminClientFor(values, env);
  return guarded(io, async () => {
    const answer = await admin.json<{ target: string; items: TimelineRow[] }>('GET', idPath(id, '/timeline'), {
      query: { limit: limit === undefined ? undefined : String(limit) },
    });
    if (values.json) {
      io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
      return 0;
    }
    const rows = answer.items.map((r) => [
      r.checkedAt.slice(0, 19).replace('T', ' '),
      r.status,
      r.change ?? '-',
      r.daysLeft === null ? '-' : String(r.daysLeft),
      r.acknowledgement
        ? `${r.acknowledgement.kind === 'snooze' ? 'snoozed' : 'acknowledged'} by ${r.acknowledgement.by}${r.acknowledgement.note ? `: ${r.acknowledgement.note}` : ''}`
        : r.error
          ? `${r.error.kind}: ${r.error.message}`
          : (r.fingerprint256 ?? '-'),
    ]);
    io.stdout(`${formatColumns(['WHEN (UTC)', 'STATUS', 'CHANGE', 'DAYS', 'DETAIL'], rows, { rightAlign: [3] })}\n`);
    return 0;
  });
}

export async function runDispatch(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, { all: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`dispatch takes no arguments (got "${positionals[0]?.slice(0, 40)}")`);
  const admin = adminClientFor(values, env);
  return guarded(io, async () => {
    const reply = await admin.send('POST', '/dispatch', { query: values.all ? { all: 'true' } : {} });
    if (reply.status === 404) {
      throw new AdminError(
        404,
        'this admin API runs no round on request (a deployed stack runs them on its schedule): invoke the dispatcher function (stack output DispatcherFunctionName) to run one now',
      );
    }
    if (reply.status >= 400) throw new AdminError(reply.status, describeFailure(reply));
    const summary = JSON.parse(reply.text) as { dispatched: number; checked?: number; probeFailures?: number };
    io.stdout(
      values.json
        ? `${JSON.stringify(summary, null, 2)}\n`
        : `dispatched ${summary.dispatched} target${summary.dispatched === 1 ? '' : 's'}${values.all ? ' (every enabled target)' : ' (those due)'}, ${summary.checked ?? summary.dispatched} checked, ${summary.probeFailures ?? 0} failed\n`,
    );
    return summary.probeFailures ? 1 : 0;
  });
}
