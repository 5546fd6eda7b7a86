// Probe: one target per invocation; checks it, stores state and history, publishes events.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { type ProbeConfig, probeConfig } from '../lib/config.ts';
import { type ProbeDependencies, probeTarget } from '../lib/monitor/probe-target.ts';
import { SnsPublisher } from '../lib/notify/sns-publisher.ts';
import { checkTarget } from '../lib/probe/check-target.ts';
import { timeoutsWithTotal } from '../lib/probe/timeouts.ts';
import { documentClient } from '../lib/store/document-client.ts';
import { HistoryStore } from '../lib/store/history-store.ts';
import { TargetStore } from '../lib/store/target-store.ts';
import { normalizeTarget, TargetValidationError } from '../lib/targets/target-schema.ts';

const logger = new Logger({ serviceName: 'certvigil-probe' });
const metrics = new Metrics({ namespace: 'certvigil', serviceName: 'probe' });

export function createHandler(config: ProbeConfig, deps: Omit<ProbeDependencies, 'check'>) {
  const check: ProbeDependencies['check'] = (target) =>
    checkTarget(target, {
      timeouts: timeoutsWithTotal(config.endpointTimeoutMs),
      thresholds: { warnDays: config.warnDays, critDays: config.critDays },
    });
  return async (event: unknown, context: Context) => {
    logger.addContext(context);
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
      const outcome = await probeTarget({ ...deps, check }, target);
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
    } finally {
      metrics.addMetric('probeDuration', MetricUnit.Milliseconds, Date.now() - started);
      metrics.publishStoredMetrics();
    }
  };
}

const config = probeConfig();
const doc = documentClient(new DynamoDBClient({}));
export const handler = createHandler(config, {
  targets: new TargetStore(doc, config.targetsTable),
  history: new HistoryStore(doc, config.historyTable, config.historyTtlDays),
  publisher: new SnsPublisher(new SNSClient({}), config.topicArn),
  unreachableAfter: config.unreachableAfter,
});
