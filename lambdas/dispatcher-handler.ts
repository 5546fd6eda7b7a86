// Scheduled dispatcher: pages through the targets and invokes the probe for each due one.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { collectDigests, DIGEST_RUN_BUDGET, digestNotification, hasNews } from '../lib/admin/digest.ts';
import type { DispatcherConfig } from '../lib/config.ts';
import {
  type DispatchCursor,
  dispatchRound,
  invokeSender,
  type ProbeSender,
  routeByKind,
} from '../lib/dispatch/dispatch-round.ts';
import { LambdaInvoker } from '../lib/dispatch/lambda-invoker.ts';
import { SqsSender } from '../lib/dispatch/sqs-sender.ts';
import type { EventPublisher } from '../lib/notify/event-publisher.ts';
import { DISPATCHER_METRICS, METRIC_NAMESPACE, METRIC_SERVICES } from '../lib/observability/metric-names.ts';
import type { CertificateStore } from '../lib/store/certificate-store.ts';
import { recountSummary } from '../lib/store/summary-recount.ts';
import type { TargetStore } from '../lib/store/target-store.ts';

const logger = new Logger({ serviceName: 'certvigil-dispatcher' });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICES.dispatcher });

interface Deps {
  config: DispatcherConfig;
  targets: TargetStore;
  /** The certificate inventory: the recount lists again certificates missing from its index. */
  certificates?: CertificateStore | undefined;
  /** Sends the weekly digests (the alert topic); absent: the digest schedule does nothing. */
  publisher?: Pick<EventPublisher, 'publishNotification'> | undefined;
  lambda: LambdaClient;
  /** Needed in queue mode (PROBE_QUEUE_URL). */
  sqs?: SQSClient;
}

export function createHandler(deps: Deps) {
  return async (event: unknown, context: Context) => {
    logger.addContext(context);
    // The daily schedule sends {"scope": "recount"}: the summary's recount, not a round.
    if ((event as { scope?: unknown })?.scope === 'recount') {
      const summary = deps.targets.summary;
      if (!summary) {
        logger.warn('recount asked for, but this deployment keeps no summary (SUMMARY_TABLE is not set)');
        return { recount: false };
      }
      const record = await recountSummary(deps.targets, summary);
      // Certificates stored before their index existed (or left with wrong keys) are listed again.
      const certificatesRelisted = deps.certificates ? await deps.certificates.lists.relist() : 0;
      // Drift means counters missed or repeated an addition (a failed write after a check): repaired here.
      if (record.drift > 0 || certificatesRelisted > 0)
        logger.warn('summary recount repaired drift', { ...record, certificatesRelisted });
      else logger.info('summary recount', { ...record, certificatesRelisted });
      return { recount: true, ...record, certificatesRelisted };
    }
    // The weekly schedule sends {"scope": "digest"}: each owner's digest, routed by its owner.
    if ((event as { scope?: unknown })?.scope === 'digest') return sendDigests(deps);
    const cursor = (event as { continuation?: DispatchCursor })?.continuation;
    // The frequent schedule sends {"scope": "soon"}: only targets in trouble, from the sparse index.
    const scope = (event as { scope?: unknown })?.scope === 'soon' ? 'soon' : 'all';
    let throttled = 0;
    let failuresLogged = 0;
    const onThrottle = () => throttled++;
    const c = deps.config;
    const invoking = (name: string) => {
      const fn = new LambdaInvoker(deps.lambda, name, { onThrottle });
      return invokeSender((payload) => fn.invoke(payload));
    };
    const queued = c.probeQueueUrl && deps.sqs;
    const toQueue = (url: string | undefined) =>
      url ? new SqsSender(deps.sqs as SQSClient, url, { onThrottle }) : undefined;
    const toFunction = (name: string | undefined) => (name ? invoking(name) : undefined);
    const sender: ProbeSender = queued
      ? routeByKind(toQueue(c.probeQueueUrl) as ProbeSender, {
          documents: toQueue(c.documentsQueueUrl),
          account: toQueue(c.accountQueueUrl),
        })
      : routeByKind(invoking(c.probeFunctionName as string), {
          documents: toFunction(c.documentsFunctionName),
          account: toFunction(c.accountFunctionName),
        });
    const report = await dispatchRound(
      { targets: deps.targets, sender },
      {
        segments: deps.config.segments,
        concurrency: deps.config.concurrency,
        dueSlackMs: deps.config.dueSlackMs,
        scope,
        remainingMs: () => context.getRemainingTimeInMillis(),
        // The first few failures are logged with their target; the summary line counts them all.
        onError: (target, error) => {
          if (++failuresLogged <= 10)
            logger.warn('probe invocation failed', { target: target.id, error: (error as Error).name });
        },
      },
      cursor,
    );
    if (report.continuation) {
      // The rest of the round goes to a fresh invocation of this function.
      await new LambdaInvoker(deps.lambda, context.invokedFunctionArn).invoke({ continuation: report.continuation });
    }
    // For the dashboard only (each metric costs $0.30 a month); the summary line below has them.
    if (deps.config.fleetMetrics) {
      metrics.addMetric(DISPATCHER_METRICS.dispatched, MetricUnit.Count, report.dispatched);
      metrics.addMetric(DISPATCHER_METRICS.dispatchFailed, MetricUnit.Count, report.failed);
      metrics.publishStoredMetrics();
    }
    const summary = { ...report, throttled, continuation: report.continuation !== undefined };
    logger.info('dispatch round', summary);
    return summary;
  };
}

/**
 * The weekly digests: every owner with something in a section (and the targets without an owner),
 * read in one pass over the lists index, each published once with its owner as the `owner`
 * attribute, so that owner routes receive theirs. A retried invocation may send them again.
 */
async function sendDigests(deps: Deps): Promise<{ digest: boolean; sent: number; incomplete: boolean }> {
  if (!deps.publisher) {
    logger.warn('digest asked for, but this dispatcher has no alert topic (TOPIC_ARN is not set)');
    return { digest: false, sent: 0, incomplete: false };
  }
  const digests = (await collectDigests(deps.targets, new Date(), { budget: DIGEST_RUN_BUDGET })).filter(hasNews);
  for (const digest of digests) await deps.publisher.publishNotification(digestNotification(digest));
  const incomplete = digests.some((d) => d.incomplete);
  if (incomplete) logger.warn('weekly digest stopped at its read budget: some targets may be missing');
  logger.info('weekly digest', { sent: digests.length });
  return { digest: true, sent: digests.length, incomplete };
}
