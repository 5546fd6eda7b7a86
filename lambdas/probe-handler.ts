// Probe: one target per invocation; checks it, stores state and history, publishes events.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { type ProbeDependencies, probeTarget } from '../lib/monitor/probe-target.ts';
import { normalizeTarget, TargetValidationError } from '../lib/targets/target-schema.ts';

const logger = new Logger({ serviceName: 'certvigil-probe' });
const metrics = new Metrics({ namespace: 'certvigil', serviceName: 'probe' });

/** Time kept back from the check for the DynamoDB writes and SNS publishes that follow it. */
export const RESERVED_FOR_STORE_MS = 10_000;

export function createHandler(deps: ProbeDependencies) {
  return async (event: unknown, context?: Context) => {
    if (context) logger.addContext(context);
    let target: ReturnType<typeof normalizeTarget>;
    try {
      target = normalizeTarget((event as { target?: unknown })?.target);
    } catch (error) {
      // A malformed payload will not get better with retries: log it and drop it.
      if (!(error instanceof TargetValidationError)) throw error;
      logger.error('invalid probe payload', { problems: error.problems });
      return { ok: false, reason: 'invalid payload' };
    }
    const started = Date.now();
    try {
      // Leave time to store the result and publish: a check that would outlast the function
      // ends as a recorded timeout instead.
      const budgetMs = context ? context.getRemainingTimeInMillis() - RESERVED_FOR_STORE_MS : undefined;
      const outcome = await probeTarget(deps, target, { budgetMs });
      metrics.addMetric(`status_${outcome.result.status}`, MetricUnit.Count, 1);
      if (outcome.result.daysLeft !== null) metrics.addMetric('daysLeft', MetricUnit.Count, outcome.result.daysLeft);
      metrics.addMetric('eventsPublished', MetricUnit.Count, outcome.published.length);
      logger.info('checked', {
        target: target.id,
        status: outcome.result.status,
        daysLeft: outcome.result.daysLeft,
        events: outcome.recorded.map((e) => e.event),
        published: outcome.published.length,
        deleted: outcome.deleted,
      });
      return { ok: true, target: target.id, status: outcome.result.status, published: outcome.published.length };
    } catch (error) {
      // The invocation fails so that Lambda retries it (then the failure destination); say so.
      metrics.addMetric('probeFailed', MetricUnit.Count, 1);
      logger.error('probe failed', { target: target.id, error: error as Error });
      throw error;
    } finally {
      metrics.addMetric('probeDuration', MetricUnit.Milliseconds, Date.now() - started);
      metrics.publishStoredMetrics();
    }
  };
}
