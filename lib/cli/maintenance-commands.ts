// `certvigil maintenance list|add|end` (issue 31): maintenance windows through the admin API. While
// a window covers a target (by id, or every target with a tag), planned work is not news: an outage
// or addresses disagreeing are announced only if still there when the window ends. Expiry is
// never held.
import { AdminError } from '../net/admin-client.ts';
import type { MaintenanceWindow } from '../policy/maintenance.ts';
import type { ExitCode } from '../policy/status.ts';
import { UsageError } from '../usage-error.ts';
import { untilOf } from './ack-commands.ts';
import type { Io } from './io.ts';
import { adminClientFor, parseRemote } from './remote-options.ts';
import { formatColumns } from './render-table.ts';

export const MAINTENANCE_USAGE = `Maintenance windows (remote: --url or CERTVIGIL_URL, as the other remote commands).

  certvigil maintenance list [--json]
  certvigil maintenance add (--target ID | --tag TAG) --until WHEN [--from WHEN] [--note TEXT] [--json]
  certvigil maintenance end ID

While a window covers a target, "unreachable" and "inconsistent" wait: still there when the window
ends, they are announced at the next check; over inside it, they are never news. Expiry, trust and
revocation are never held. A window lasts at most 30 days; it takes effect within a minute.
WHEN: a date and time (2027-01-15T09:00Z), or a span from now: 12h, 3d, 2w.`;

export async function runMaintenance(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {
    target: { type: 'string' },
    tag: { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
    note: { type: 'string' },
  });
  const [verb, id, ...extra] = positionals;
  if (verb !== 'list' && verb !== 'add' && verb !== 'end') {
    throw new UsageError(`maintenance takes list, add or end${verb ? ` (got "${verb.slice(0, 40)}")` : ''}`);
  }
  if (extra.length || (verb !== 'end' && id !== undefined)) {
    throw new UsageError(`maintenance ${verb} takes ${verb === 'end' ? 'one window ID' : 'no arguments'}`);
  }
  if (verb === 'end' && !id) throw new UsageError('maintenance end takes the window ID (certvigil maintenance list)');
  const admin = adminClientFor(values, env);
  try {
    if (verb === 'list') {
      const { windows } = await admin.json<{ windows: MaintenanceWindow[] }>('GET', '/maintenance');
      if (values.json) io.stdout(`${JSON.stringify(windows, null, 2)}\n`);
      else if (!windows.length) io.stdout('no maintenance windows (certvigil maintenance add --tag TAG --until 2h)\n');
      else
        io.stdout(`${formatColumns(['ID', 'COVERS', 'FROM (UTC)', 'UNTIL (UTC)', 'BY', 'NOTE'], windows.map(row))}\n`);
      return 0;
    }
    if (verb === 'end') {
      await admin.json('DELETE', `/maintenance/${encodeURIComponent(id as string)}`);
      io.stdout(`window ${id} ended\n`);
      return 0;
    }
    if ((values.target === undefined) === (values.tag === undefined)) {
      throw new UsageError('maintenance add takes --target ID or --tag TAG (one of them)');
    }
    if (values.until === undefined) throw new UsageError('maintenance add takes --until WHEN (a date, or 2h, 3d)');
    const body = {
      ...(values.target !== undefined ? { target: values.target } : { tag: values.tag }),
      until: untilOf(values.until),
      ...(values.from !== undefined ? { from: untilOf(values.from) } : {}),
      ...(values.note !== undefined ? { note: values.note } : {}),
    };
    const made = await admin.json<MaintenanceWindow>('POST', '/maintenance', { body: JSON.stringify(body) });
    io.stdout(
      values.json
        ? `${JSON.stringify(made, null, 2)}\n`
        : `window ${made.id}: ${covers(made)} from ${when(made.from)} until ${when(made.until)} UTC (end it early: certvigil maintenance end ${made.id})\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    io.stderr(`certvigil: ${error.message}\n`);
    return 3;
  }
}

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const covers = (w: MaintenanceWindow) => (w.target !== undefined ? w.target : `tag ${w.tag}`);

function row(w: MaintenanceWindow): string[] {
  // Text from the API is shown as text: control characters would move the terminal's cursor.
  const plain = (text: string) => text.replace(/\p{Cc}/gu, ' ');
  return [w.id, plain(covers(w)), when(w.from), when(w.until), plain(w.by), plain(w.note ?? '')];
}
