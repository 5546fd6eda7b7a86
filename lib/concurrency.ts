/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the input order in
 * the output. `onSettled` is told after each item completes (for progress reporting).
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  onSettled?: (done: number, total: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
      onSettled?.(++done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Work that was queued behind a limiter and dropped because it closed before its turn. */
export class LimiterClosedError extends Error {
  override name = 'LimiterClosedError';
}

/**
 * Runs async work with at most `limit` calls in flight; the rest wait their turn in order.
 * `close()` drops the waiting work (it rejects with LimiterClosedError, never started) and
 * refuses new work; `idle()` resolves once nothing is running.
 */
export function createLimiter(limit: number) {
  let running = 0;
  let closed = false;
  const waiting: { start: () => void; drop: () => void }[] = [];
  const idlers: (() => void)[] = [];
  const finished = () => {
    running--;
    const next = waiting.shift();
    if (next) next.start();
    else if (running === 0) for (const resolve of idlers.splice(0)) resolve();
  };
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(new LimiterClosedError('stopped: the work was not started'));
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          running++;
          fn().then(resolve, reject).finally(finished);
        };
        if (running < limit) start();
        else waiting.push({ start, drop: () => reject(new LimiterClosedError('stopped before its turn')) });
      });
    },
    close(): void {
      closed = true;
      for (const entry of waiting.splice(0)) entry.drop();
    },
    idle(): Promise<void> {
      return running === 0 ? Promise.resolve() : new Promise((resolve) => idlers.push(resolve));
    },
  };
}

/** Longest stretch of synchronous parsing before it lets timers and I/O run (other checks' deadlines). */
export const PACE_SLICE_MS = 10;

/**
 * Lets long parsing share the event loop: `due()` says the work has run for a slice without a
 * break, `yield()` lets timers and I/O run (setImmediate) and starts a new slice. A reader calls
 * `if (pace.due()) await pace.yield()` between elements, so no hostile document holds the process.
 */
export function createPacer(sliceMs = PACE_SLICE_MS) {
  let since = performance.now();
  return {
    due: (): boolean => performance.now() - since >= sliceMs,
    yield: async (): Promise<void> => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    },
  };
}

export type Pacer = ReturnType<typeof createPacer>;
