// The elements of a JSON list answer (a CT search page), parsed one at a time. JSON.parse of a whole
// hostile page builds every value at once (10 MiB of `[[[…` is millions of arrays; 32 MiB of `{},`
// is eight million objects) and holds the event loop while it does. Here one linear pass over the
// bytes finds each top-level element, refuses nesting past a depth and elements past a size, stops
// at a count, yields to timers and I/O between slices, and stops when the run's signal aborts;
// only the element in hand is parsed, and only what the caller keeps of it stays.
import * as z from 'zod/mini';
import { createPacer } from '../../concurrency.ts';
import { ProbeError } from '../../net/probe-error.ts';

export interface JsonListLimits {
  /** Deepest nesting accepted, the list itself being level 1. */
  maxDepth: number;
  /** Largest element, in bytes. */
  maxElementBytes: number;
  /** Elements read; the rest of the list is left unread (`cut`). */
  maxElements: number;
  /** Smaller elements cannot be what the caller reads: skipped unparsed (they still count). */
  minElementBytes?: number;
}

/**
 * `schema`'s output for `value`, or undefined when it does not fit. z.validate first: a failed
 * safeParse builds a ZodError (kilobytes each; 400,000 bad entries grew the heap by 250 MB).
 */
export function parsedOrUndefined<T extends z.ZodMiniType>(schema: T, value: unknown): z.output<T> | undefined {
  return z.validate(schema, value) ? z.parse(schema, value) : undefined;
}

const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/**
 * Calls `onElement` with each element of the JSON list in `body`, in order. Throws ProbeError
 * `parse` when the body is not a JSON list, nests deeper or holds an element larger than the
 * limits, and `timeout` when `signal` aborts. Returns how many elements were read, and whether
 * the list went on past maxElements.
 */
export async function forEachJsonElement(
  body: Buffer,
  limits: JsonListLimits,
  signal: AbortSignal,
  onElement: (value: unknown) => void,
): Promise<{ count: number; cut: boolean }> {
  const pace = createPacer();
  let i = skipSpace(body, 0);
  if (body[i] !== OPEN_ARRAY) throw new ProbeError('parse', 'the answer is not a JSON list');
  let depth = 1;
  let start = ++i;
  let count = 0;
  let inString = false;
  let steps = 0;
  for (; i < body.length; i++) {
    if (++steps === 0x10000) {
      steps = 0;
      if (signal.aborted) throw new ProbeError('timeout', 'the run ran out of time while reading the answer');
      if (pace.due()) await pace.yield();
    }
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limits.maxDepth) {
        throw new ProbeError('parse', `the answer nests deeper than ${limits.maxDepth} levels`);
      }
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
    if (depth === 1 && byte === COMMA) {
      element(start, i);
      start = i + 1;
    } else if (depth === 0) {
      element(start, i);
      if (skipSpace(body, i + 1) !== body.length) throw new ProbeError('parse', 'the answer has data after its list');
      return { count, cut: false };
    }
    if (count >= limits.maxElements) return { count, cut: true };
  }
  throw new ProbeError('parse', 'the answer ends inside its list');

  function element(from: number, to: number): void {
    if (to - from < (limits.minElementBytes ?? 0) && skipSpace(body, from) < to) {
      count++;
      return;
    }
    const text = body.toString('utf8', from, to).trim();
    if (text === '') {
      if (count === 0 && depth === 0) return; // `[]`
      throw new ProbeError('parse', 'the answer is not valid JSON (an empty list element)');
    }
    if (to - from > limits.maxElementBytes) {
      throw new ProbeError(
        'parse',
        `the answer holds an entry larger than ${Math.round(limits.maxElementBytes / 1024)} KiB`,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ProbeError('parse', 'the answer is not valid JSON');
    }
    count++;
    onElement(value);
  }
}

function skipSpace(body: Buffer, from: number): number {
  let i = from;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  return i;
}
