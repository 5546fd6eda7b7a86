// `certvigil check`, and the entry the built CLI runs it from. scripts/build.js bundles this file on
// its own (dist/check/check.js), so a check loads one module of certvigil's where the shared
// chunks of every command were about 35: some 30 ms less CPU at each start (npm run bench:peers).
// The launcher (bin/certvigil.js) runs it for `certvigil check`; main.ts stays the entry of every
// other command, and of `check` too when the sources run.
import type { ExitCode } from '../policy/status.ts';
import { runCheck } from './check-command.ts';
import { CHECK_USAGE } from './check-usage.ts';
import { failureStatus } from './command-failure.ts';
import { type Io, processIo } from './io.ts';

/** `check` and its arguments (`rest`): its help, or the check. */
export async function checkCommand(rest: string[], io: Io): Promise<ExitCode> {
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${CHECK_USAGE}\n`);
    return 0;
  }
  return await runCheck(rest, io);
}

/** The launcher's entry for `certvigil check …` (`argv` starts with `check`). */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo(env)): Promise<ExitCode> {
  const [command, ...rest] = argv;
  if (command !== 'check') {
    io.stderr(`certvigil: this entry runs check only (got "${String(command).slice(0, 40)}")\n`);
    return 3;
  }
  try {
    return await checkCommand(rest, io);
  } catch (error) {
    return failureStatus(error, io);
  }
}
