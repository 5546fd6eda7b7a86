import { randomUUID } from 'node:crypto';
import type { TargetStore } from '../store/target-store.ts';
import { type ProbeGroup, probeGroupOf } from '../targets/kinds.ts';
import type { Target } from '../targets/target-schema.ts';

/** What the dispatcher sends each probe invocation. */
export interface ProbePayload {
  target: Target;
  roundId: string;
}

/** How the dispatcher hands targets to probes: Lambda Invoke one by one, or SQS in batches. */
export interface ProbeSender {
  /** Payloads per send call (1 for Lambda Invoke, 10 for an SQS batch). */
  readonly batchSize: number;
  /** Sends the payloads, retrying what can be retried; resolves with those that still failed. */
  send(payloads: ProbePayload[]): Promise<{ payload: ProbePayload; error: unknown }[]>;
}

/** A sender that calls `invoke` once per payload (Lambda Invoke, or a probe run in-process). */
export function invokeSender(invoke: (payload: ProbePayload) => Promise<void>): ProbeSender {
  return {
    batchSize: 1,
    send: async (payloads) => {
      const failed: { payload: ProbePayload; error: unknown }[] = [];
      for (const payload of payloads) {
        try {
          await invoke(payload);
        } catch (error) {
          failed.push({ payload, error });
        }
      }
      return failed;
    },
  };
}

/**
 * Sends each target to the probe function that reads its kind (the probe function: tls; the
 * documents function: saml, jwks, pem; the account function: acm, iam, secret, ssm), or to their
 * queues. A group without a sender goes to the TLS sender. All must take batches of one size.
 */
export function routeByKind(
  tls: ProbeSender,
  others: Partial<Record<Exclude<ProbeGroup, 'tls'>, ProbeSender | undefined>>,
): ProbeSender {
  const senders: Record<ProbeGroup, ProbeSender> = {
    tls,
    documents: others.documents ?? tls,
    account: others.account ?? tls,
  };
  if (senders.documents === tls && senders.account === tls) return tls;
  if (Object.values(senders).some((s) => s.batchSize !== tls.batchSize)) {
    throw new Error('routed senders must take batches of the same size');
  }
  return {
    batchSize: tls.batchSize,
    send: async (payloads) => {
      const groups = new Map<ProbeSender, ProbePayload[]>();
      for (const p of payloads) {
        const sender = senders[probeGroupOf(p.target.kind ?? 'tls')];
        groups.set(sender, [...(groups.get(sender) ?? []), p]);
      }
      const failed = await Promise.all([...groups].map(([sender, list]) => sender.send(list)));
      return failed.flat();
    },
  };
}

/** Where a round stands, so a fresh invocation can carry on from there. */
export interface DispatchCursor {
  roundId: string;
  startedAt: string;
  /** Targets due by this time (epoch ms) belong to the round; fixed for the whole round. */
  dueBy: number;
  /** Per scan segment: the key to resume from, null to start, 'done' when finished. */
  segments: (Record<string, unknown> | null | 'done')[];
  /** How many invocations of the dispatcher this round has used so far. */
  part: number;
  /** `soon`: only the targets in the due-soon index (the frequent round); absent: all of them. */
  scope?: DispatchScope | undefined;
}

/** A full round reads every target; a `soon` round only those in trouble, from the sparse index. */
export type DispatchScope = 'all' | 'soon';

export interface DispatchReport {
  roundId: string;
  part: number;
  dispatched: number;
  failed: number;
  scanned: number;
  durationMs: number;
  /** Set when time ran out: hand it to a fresh invocation. */
  continuation: DispatchCursor | undefined;
}

export interface DispatchOptions {
  /** Parallel scan segments (default 4). */
  segments?: number;
  /** Send calls (invocations, or SQS batches) in flight at once (default 64). */
  concurrency?: number;
  pageSize?: number;
  /** A target due within this margin counts as due, so checks do not drift later each day. */
  dueSlackMs?: number;
  /** Take every enabled target, due or not (a round of checks on demand). */
  all?: boolean;
  /** `soon`: the frequent round, over the due-soon index only (default `all`). */
  scope?: DispatchScope;
  /** Milliseconds this invocation has left; stop scanning when fewer than `safetyMarginMs`. */
  remainingMs?: () => number;
  safetyMarginMs?: number;
  now?: () => Date;
  onError?: (target: Target, error: unknown) => void;
}

export const DISPATCH_DEFAULTS = {
  segments: 4,
  concurrency: 64,
  pageSize: 1000,
  dueSlackMs: 10 * 60_000,
  safetyMarginMs: 30_000,
} as const;

/**
 * Runs (part of) a dispatch round: pages through the targets with a parallel scan, and invokes
 * the probe for every enabled target that is due, with bounded concurrency. Pages are taken
 * whole, and scanning stops between pages when the invocation's time is nearly up; the report
 * then carries a continuation cursor from which nothing is repeated or skipped.
 */
export async function dispatchRound(
  deps: { targets: TargetStore; sender: ProbeSender },
  options: DispatchOptions = {},
  cursor?: DispatchCursor,
): Promise<DispatchReport> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const scope: DispatchScope = cursor?.scope ?? options.scope ?? 'all';
  // The index is one partition, read in order: one segment.
  const totalSegments =
    cursor?.segments.length ?? (scope === 'soon' ? 1 : (options.segments ?? DISPATCH_DEFAULTS.segments));
  const round: DispatchCursor = cursor
    ? { ...cursor, segments: [...cursor.segments], part: cursor.part + 1 }
    : {
        roundId: randomUUID(),
        startedAt: now().toISOString(),
        dueBy: options.all
          ? Number.MAX_SAFE_INTEGER
          : now().getTime() + (options.dueSlackMs ?? DISPATCH_DEFAULTS.dueSlackMs),
        segments: Array.from({ length: totalSegments }, () => null),
        part: 1,
        ...(scope === 'soon' ? { scope } : {}),
      };
  const remaining = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const margin = options.safetyMarginMs ?? DISPATCH_DEFAULTS.safetyMarginMs;
  const limit = semaphore(options.concurrency ?? DISPATCH_DEFAULTS.concurrency);
  const report = { dispatched: 0, failed: 0, scanned: 0 };

  const runSegment = async (segment: number): Promise<void> => {
    while (round.segments[segment] !== 'done' && remaining() > margin) {
      const start = round.segments[segment];
      const startKey = start === null ? undefined : (start as Record<string, unknown>);
      const pageSize = options.pageSize ?? DISPATCH_DEFAULTS.pageSize;
      const page =
        scope === 'soon'
          ? await deps.targets.scans.dueSoon({ dueBy: round.dueBy, startKey, pageSize })
          : await deps.targets.scans.due({ segment, totalSegments, dueBy: round.dueBy, startKey, pageSize });
      report.scanned += page.scanned;
      const batches: ProbePayload[][] = [];
      for (let i = 0; i < page.targets.length; i += deps.sender.batchSize) {
        batches.push(
          page.targets.slice(i, i + deps.sender.batchSize).map((target) => ({ target, roundId: round.roundId })),
        );
      }
      await Promise.all(
        batches.map((batch) =>
          limit(async () => {
            let failed: { payload: ProbePayload; error: unknown }[];
            try {
              failed = await deps.sender.send(batch);
            } catch (error) {
              failed = batch.map((payload) => ({ payload, error }));
            }
            report.dispatched += batch.length - failed.length;
            report.failed += failed.length;
            for (const f of failed) options.onError?.(f.payload.target, f.error);
          }),
        ),
      );
      round.segments[segment] = page.nextKey ?? 'done';
    }
  };
  await Promise.all(Array.from({ length: totalSegments }, (_, segment) => runSegment(segment)));

  const finished = round.segments.every((s) => s === 'done');
  return {
    roundId: round.roundId,
    part: round.part,
    ...report,
    durationMs: Date.now() - started,
    continuation: finished ? undefined : round,
  };
}

/** Runs at most `max` tasks at once. */
function semaphore(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (task) => {
    if (active >= max) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}
