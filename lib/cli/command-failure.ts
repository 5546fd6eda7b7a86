// What a command's failure prints and the status it exits with: a usage error in one line
// (status 3), anything else with its stack (status 3). Shared by both entries (main.ts, check-main.ts).
import type { ExitCode } from '../policy/status.ts';
import { UsageError } from '../usage-error.ts';
import type { Io } from './io.ts';

export function failureStatus(error: unknown, io: Io): ExitCode {
  if (error instanceof UsageError) {
    io.stderr(`certvigil: ${error.message}\n`);
    return 3;
  }
  io.stderr(`certvigil: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
  return 3;
}
