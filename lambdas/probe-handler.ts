// Probe: one target per invocation; checks it, stores state and history, publishes events.
// Invoked asynchronously with the payload (invoke mode) or by an SQS event source mapping with
// one message per batch (queue mode, the scale path); the work is the same.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { probeConfig } from '../lib/config.ts';
import { deployedPublisher, monitorDependencies } from '../lib/monitor/monitor-dependencies.ts';
import { type ProbeDependencies, probeTarget } from '../lib/monitor/probe-target.ts';
import { METRIC_NAMESPACE, METRIC_SERVICES, PROBE_METRICS } from '../lib/observability/metric-names.ts';
import type { SourceReaders } from '../lib/sources/check-source.ts';
import { normalizeTarget, type Target, TargetValidationError } from '../lib/targets/target-schema.ts';

const logger = new Logger({ serviceName: 'certvigil-probe' });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICES.probe });

/** Time kept back from the check for the DynamoDB writes and SNS publishes that follow it. */
export const RESERVED_FOR_STORE_MS = 10_000;

type ProbeReply = { ok: true; target: string; status: string; published: number } | { ok: false; reason: string };

function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: { eventSource?: string }[] })?.Records;
  return Array.isArray(records) && records.every((r) => r?.eventSource === 'aws:sqs');
}

/** The target of a payload, or undefined (logged) when it is malformed: retries would not help. */
function targetOf(payload: unknown): Target | undefined {
  try {
    return normalizeTarget((payload as { target?: unknown })?.target);
  } catch (error) {
    if (!(error instanceof TargetValidationError)) throw error;
    logger.error('invalid probe payload', { problems: error.problems });
    return undefined;
  }
}

export function createHandler(deps: ProbeDependencies, options: { fleetMetrics?: boolean } = {}) {
  const probeOne = async (target: Target, context?: Context): Promise<ProbeReply> => {
    // A quiet check (healthy, nothing changed) emits no metric and logs nothing at INFO: at
    // 100,000 targets a line per check is most of the log bill (duration and errors are in
    // Lambda's own, free metrics).
    let emitted = false;
    const count = (name: string, value: number) => {
      metrics.addMetric(name, MetricUnit.Count, value);
      emitted = true;
    };
    try {
      // Leave time to store the result and publish: a check that would outlast the function
      // ends as a recorded timeout instead.
      const budgetMs = context ? context.getRemainingTimeInMillis() - RESERVED_FOR_STORE_MS : undefined;
      const outcome = await probeTarget(deps, target, { budgetMs });
      // The dashboard's metrics, only when it is on; the alarms need probeFailed alone.
      if (options.fleetMetrics) {
        if (outcome.result.status !== 'ok') count(PROBE_METRICS.notOk, 1);
        if (outcome.published.length > 0) count(PROBE_METRICS.eventsPublished, outcome.published.length);
      }
      const line = {
        target: target.id,
        status: outcome.result.status,
        daysLeft: outcome.result.daysLeft,
        changed: outcome.changed,
        events: outcome.recorded.map((e) => e.event),
        published: outcome.published.length,
        deleted: outcome.deleted,
      };
      if (outcome.changed || outcome.published.length > 0 || outcome.deleted) logger.info('checked', line);
      else logger.debug('checked', line);
      return { ok: true, target: target.id, status: outcome.result.status, published: outcome.published.length };
    } catch (error) {
      // The invocation (or the message) fails so that it is retried, then dead-lettered; say so.
      count(PROBE_METRICS.probeFailed, 1);
      logger.error('probe failed', { target: target.id, error: error as Error });
      throw error;
    } finally {
      if (emitted) metrics.publishStoredMetrics();
    }
  };

  async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse>;
  async function handler(event: unknown, context?: Context): Promise<ProbeReply>;
  async function handler(event: unknown, context?: Context): Promise<ProbeReply | SQSBatchResponse> {
    if (context) logger.addContext(context);
    if (isSqsEvent(event)) {
      const failures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        let payload: unknown;
        try {
          payload = JSON.parse(record.body);
        } catch {
          logger.error('probe message is not JSON; dropped', { messageId: record.messageId });
          continue;
        }
        const target = targetOf(payload);
        if (!target) continue;
        try {
          await probeOne(target, context);
        } catch {
          failures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures: failures };
    }
    const target = targetOf(event);
    if (!target) return { ok: false, reason: 'invalid payload' };
    return probeOne(target, context);
  }
  return handler;
}

/**
 * A probe function's handler for the kinds it reads (tls, documents or account), with its
 * configuration and AWS clients built once, at cold start.
 */
export function probeFunction(readers: SourceReaders) {
  const config = probeConfig();
  const dynamo = new DynamoDBClient({});
  const publisher = deployedPublisher(config, dynamo, new SNSClient({}));
  return createHandler(monitorDependencies(config, dynamo, publisher, readers), {
    fleetMetrics: config.fleetMetrics ?? false,
  });
}
