import { readFileSync } from 'node:fs';

/** Where the CLI reads and writes: the process in real use, buffers in tests. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): string;
  stdoutColor: boolean;
  stderrIsTTY: boolean;
}

/** A mistake in the command line: printed as one line, exit status 3. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => readFileSync(0, 'utf8'),
    stdoutColor: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
}
