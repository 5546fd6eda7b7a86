import type { ParseArgsConfig, parseArgs } from 'node:util';
import { fs, util } from '../node-builtins.ts';
import { UsageError } from '../usage-error.ts';

/** Where the CLI reads and writes: the process in real use, buffers in tests. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): string;
  stdoutColor: boolean;
  stderrIsTTY: boolean;
  /** The environment the command was started with (read by the launcher, bin/certvigil.js). */
  env: NodeJS.ProcessEnv;
}

let pipeHandled = false;

/** When the reader of our output goes away (`certvigil check … | head`), exit quietly, as CLIs do. */
function exitQuietlyOnClosedPipe(): void {
  if (pipeHandled) return;
  pipeHandled = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    });
  }
}

export function processIo(env: NodeJS.ProcessEnv): Io {
  exitQuietlyOnClosedPipe();
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => fs.readFileSync(0, 'utf8'),
    stdoutColor: Boolean(process.stdout.isTTY) && !('NO_COLOR' in env),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env,
  };
}

/** A numeric option, or undefined when absent; out of range or not a number is a UsageError. */
export function numberOption(
  text: string | undefined,
  flag: string,
  rule: { min: number; integer: boolean; max?: number },
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const kind = rule.integer ? 'a whole number' : 'a number';
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    (rule.integer && !Number.isInteger(value)) ||
    value < rule.min ||
    (rule.max !== undefined && value > rule.max)
  ) {
    const range = rule.max === undefined ? `of at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
    throw new UsageError(`${flag} must be ${kind} ${range} (got "${text}")`);
  }
  return value;
}

/** node:util parseArgs (strict, its default), with its errors turned into one-line UsageErrors. */
export function parseCommandLine<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return util.parseArgs(config); // strict by default: unknown options are errors
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify.*$/s, ''));
  }
}
