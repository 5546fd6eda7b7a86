// Discovery: scheduled (daily by default) and on demand (POST /discover through the admin
// function). Lists what the account holds and serves, enrols it, and reports what it could not see.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { DiscoverySummary } from '../lib/discovery/enrol.ts';
import { DISCOVERY_METRICS, METRIC_NAMESPACE, METRIC_SERVICES } from '../lib/observability/metric-names.ts';

const logger = new Logger({ serviceName: 'certvigil-discovery' });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICES.discovery });

export function createHandler(run: () => Promise<DiscoverySummary>) {
  return async (_event: unknown, context?: Context): Promise<DiscoverySummary> => {
    if (context) logger.addContext(context);
    try {
      const summary = await run();
      const ctProblems = (summary.ct ?? []).filter((d) => d.problem !== null);
      metrics.addMetric(DISCOVERY_METRICS.problems, MetricUnit.Count, summary.problems.length + ctProblems.length);
      // Counts and ids only: no tag values, no resource contents.
      logger.info('discovered', {
        found: summary.found,
        byService: summary.byService,
        enrolled: summary.enrolled,
        alreadyWatched: summary.alreadyWatched,
        vanished: summary.vanished,
        returned: summary.returned,
        invalid: summary.invalid.length,
        skipped: summary.skipped,
        unpublished: summary.unpublished,
      });
      for (const problem of summary.problems) logger.warn('discovery could not list', { ...problem });
      for (const d of summary.ct ?? []) {
        const counts = {
          domain: d.domain,
          provider: d.provider,
          read: d.read,
          matched: d.matched,
          unlisted: d.unlisted,
        };
        if (d.problem) logger.warn('certificate transparency could not be read', { ...counts, problem: d.problem });
        else
          logger.info('certificate transparency', {
            ...counts,
            enrolled: d.enrolled.length,
            unexpectedIssuer: d.unexpectedIssuer,
          });
      }
      return summary;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
