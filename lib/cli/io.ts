import type { ParseArgsConfig, parseArgs } from 'node:util';
import { fs, util } from '../node-builtins.ts';
import { UsageError } from '../usage-error.ts';

export { fileProblem } from '../file-problem.ts';

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

/**
 * node:util parseArgs (strict, its default), with its errors turned into one line a person can act
 * on: an unknown option names the nearest known one, a value that starts with a dash says how to
 * give it (`--timeout=-5`), a missing value says so.
 */
export function parseCommandLine<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return util.parseArgs(config); // strict by default: unknown options are errors
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    const option = /'(-{1,2}[^' <]*)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const near = nearest(
        option,
        ['help', ...Object.keys(config.options ?? {})].map((o) => `--${o}`),
      );
      throw new UsageError(`unknown option ${option}${near ? ` (did you mean ${near}?)` : ''}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /ambiguous/.test(message)) {
      throw new UsageError(`${option} takes a value; one that starts with a dash goes as ${option}=VALUE`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /missing/.test(message)) {
      throw new UsageError(`${option} needs a value`);
    }
    throw new UsageError(message.split('\n')[0]?.replace(/\. To specify.*$/s, '') ?? message);
  }
}

/** The known option closest to `given` (at most two edits away, and fewer than half its letters). */
function nearest(given: string, known: readonly string[]): string | undefined {
  let best: { option: string; distance: number } | undefined;
  for (const option of known) {
    const distance = editDistance(given, option);
    if (distance <= 2 && distance < given.length / 2 && (!best || distance < best.distance))
      best = { option, distance };
  }
  return best?.option;
}

/** Levenshtein distance (option names are short: the quadratic table is a few hundred cells). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
