import type { ExitCode } from '../policy/status.ts';
import { AWS_KINDS } from '../targets/kinds.ts';
import { UsageError } from '../usage-error.ts';
import { CHECK_USAGE } from './check-usage.ts';
import { failureStatus } from './command-failure.ts';
import { type Io, processIo } from './io.ts';

const VERSION = '0.1.0';

const USAGE = `Usage: certvigil <command> [options]

Commands:
  check TARGET...      read and judge the certificates endpoints serve, documents publish (saml:,
                       jwks:, pem:, file:) or the AWS account holds:
${wrapped(AWS_KINDS.map((k) => `${k}:`).join(', '), 23, 100)}
  local                run the whole monitor on this machine (DynamoDB Local, admin API, dispatcher)
  targets list|add|rm|import, report, check-now, test-alert, certs, where, discover
                       manage a deployed monitor through its admin URL
  events               the open events, most severe first (certvigil ack EVENT to acknowledge one)
  timeline TARGET      one target's changes, newest first
  dispatch [--all]     run a dispatch round now (local mode)
  ack, snooze          acknowledge an open event (until renewed) or hear of it again later
  digest               the weekly digest: what each owner has in trouble, expiring, acknowledged
  owners list|add|remove  the owner directory: which addresses receive each owner's alerts
  maintenance list|add|end  maintenance windows: planned outages are not news (expiry always is)
  dashboard            the dashboard in your browser, reading a deployed admin URL (signed, 127.0.0.1 only)
  doctor               check a deployment: concurrency quota, subscriptions, Slack secret, last round

Run "certvigil <command> --help" for a command's options.`;

/** Text wrapped at word boundaries to `width`, each line indented by `indent` spaces. */
function wrapped(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

interface Command {
  usage: string;
  run: (command: string, argv: string[], io: Io) => Promise<ExitCode>;
}

const remote = async (): Promise<Command> => {
  const { REMOTE_USAGE, runRemote } = await import('./remote-commands.ts');
  return { usage: REMOTE_USAGE, run: (command, argv, io) => runRemote(command, argv, io, io.env) };
};

/**
 * Every command but `check`, loaded on demand, so that `check` does not pay for the AWS SDK,
 * DynamoDB Local or the dashboard at start-up.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  ...Object.fromEntries(
    ['targets', 'report', 'check-now', 'test-alert', 'certs', 'where', 'discover'].map((c) => [c, remote]),
  ),
  ...Object.fromEntries(
    (['ack', 'snooze'] as const).map((c) => [
      c,
      async (): Promise<Command> => {
        const { ACK_USAGE, runAck } = await import('./ack-commands.ts');
        return { usage: ACK_USAGE, run: (_, argv, io) => runAck(c, argv, io, io.env) };
      },
    ]),
  ),
  events: async () => {
    const { EVENTS_USAGE, runEvents } = await import('./event-commands.ts');
    return { usage: EVENTS_USAGE, run: (_, argv, io) => runEvents(argv, io, io.env) };
  },
  timeline: async () => {
    const { TIMELINE_USAGE, runTimeline } = await import('./event-commands.ts');
    return { usage: TIMELINE_USAGE, run: (_, argv, io) => runTimeline(argv, io, io.env) };
  },
  dispatch: async () => {
    const { DISPATCH_USAGE, runDispatch } = await import('./event-commands.ts');
    return { usage: DISPATCH_USAGE, run: (_, argv, io) => runDispatch(argv, io, io.env) };
  },
  digest: async () => {
    const { DIGEST_USAGE, runDigest } = await import('./digest-command.ts');
    return { usage: DIGEST_USAGE, run: (_, argv, io) => runDigest(argv, io, io.env) };
  },
  owners: async () => {
    const { OWNERS_USAGE, runOwners } = await import('./owner-commands.ts');
    return { usage: OWNERS_USAGE, run: (_, argv, io) => runOwners(argv, io, io.env) };
  },
  maintenance: async () => {
    const { MAINTENANCE_USAGE, runMaintenance } = await import('./maintenance-commands.ts');
    return { usage: MAINTENANCE_USAGE, run: (_, argv, io) => runMaintenance(argv, io, io.env) };
  },
  dashboard: async () => {
    const { DASHBOARD_USAGE, runDashboard } = await import('./dashboard-command.ts');
    return { usage: DASHBOARD_USAGE, run: (_, argv, io) => runDashboard(argv, io, io.env) };
  },
  doctor: async () => {
    const { DOCTOR_USAGE, runDoctor } = await import('./doctor-command.ts');
    return { usage: DOCTOR_USAGE, run: (_, argv, io) => runDoctor(argv, io, io.env) };
  },
  local: async () => {
    const { LOCAL_USAGE, runLocal } = await import('./local-command.ts');
    return { usage: LOCAL_USAGE, run: (_, argv, io) => runLocal(argv, io) };
  },
};

/** Runs the certvigil command line with the environment it was started with; returns the exit status. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo(env)): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(`${USAGE}\n`);
      return command === undefined ? 3 : 0;
    }
    if (command === '--version' || command === '-v') {
      io.stdout(`certvigil ${VERSION}\n`);
      return 0;
    }
    if (command === 'check') {
      // Its help without loading the check (CHECK_USAGE is small; check-main.ts is not).
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout(`${CHECK_USAGE}\n`);
        return 0;
      }
      const { checkCommand } = await import('./check-main.ts');
      return await checkCommand(rest, io);
    }
    const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (load) {
      const { usage, run } = await load();
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout(`${usage}\n`);
        return 0;
      }
      return await run(command, rest, io);
    }
    throw new UsageError(`unknown command "${command}" (try certvigil --help)`);
  } catch (error) {
    return failureStatus(error, io);
  }
}
