import type { ExitCode } from '../policy/status.ts';
import { CHECK_USAGE, runCheck } from './check-command.ts';
import { type Io, processIo, UsageError } from './io.ts';

const VERSION = '0.1.0';

const USAGE = `Usage: certvigil <command> [options]

Commands:
  check TARGET...      read and judge the certificates endpoints serve, documents publish (saml:,
                       jwks:, pem:, file:) or the AWS account holds (acm:, iam:, secret:, ssm:)
  local                run the whole monitor on this machine (DynamoDB Local, admin API, dispatcher)
  targets list|add|rm|import, report, check-now, test-alert, certs, where, discover
                       manage a deployed monitor through its admin URL
  doctor               check a deployment: concurrency quota, subscriptions, Slack secret, last round

Run "certvigil <command> --help" for a command's options.`;

/** Runs the certvigil command line; returns the exit status. */
export async function main(argv: string[], io: Io = processIo()): Promise<ExitCode> {
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
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout(`${CHECK_USAGE}\n`);
        return 0;
      }
      return await runCheck(rest, io);
    }
    if (['targets', 'report', 'check-now', 'test-alert', 'certs', 'where', 'discover'].includes(command)) {
      // Loaded on demand, so that `check` does not pay for the AWS SDK at start-up.
      const { REMOTE_USAGE, runRemote } = await import('./remote-commands.ts');
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout(`${REMOTE_USAGE}\n`);
        return 0;
      }
      return await runRemote(command, rest, io, process.env);
    }
    if (command === 'doctor') {
      const { DOCTOR_USAGE, runDoctor } = await import('./doctor-command.ts');
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout(`${DOCTOR_USAGE}\n`);
        return 0;
      }
      return await runDoctor(rest, io, process.env);
    }
    if (command === 'local') {
      const { LOCAL_USAGE, runLocal } = await import('./local-command.ts');
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout(`${LOCAL_USAGE}\n`);
        return 0;
      }
      return await runLocal(rest, io);
    }
    throw new UsageError(`unknown command "${command}" (try certvigil --help)`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`certvigil: ${error.message}\n`);
      return 3;
    }
    io.stderr(`certvigil: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    return 3;
  }
}
