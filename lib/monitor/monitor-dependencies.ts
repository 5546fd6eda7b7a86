import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { defaultTrustStore, TrustStore } from '../certificate/trust-store.ts';
import type { ProbeConfig } from '../config.ts';
import { DEFAULT_ROLLOUT_STALL_MINUTES } from '../inventory/rollout.ts';
import { checkDeadline, timeoutsWithinBudget } from '../net/timeouts.ts';
import { alertPublisher } from '../notify/alert-publisher.ts';
import type { EventPublisher } from '../notify/event-publisher.ts';
import { checkSource, type SourceReaders } from '../sources/check-source.ts';
import { CertificateStore } from '../store/certificate-store.ts';
import { documentClient } from '../store/document-client.ts';
import { HistoryStore } from '../store/history-store.ts';
import { MaintenanceStore } from '../store/maintenance-store.ts';
import { SummaryStore } from '../store/summary-store.ts';
import { TargetStore } from '../store/target-store.ts';
import { addressGuard } from '../targets/address-guard.ts';
import type { ProbeDependencies } from './probe-target.ts';
import { refreshMs } from './timeline.ts';

/** Everything a probe run needs, built from configuration: the same for AWS and local mode. */
export function monitorDependencies(
  config: ProbeConfig,
  dynamo: DynamoDBClient,
  publisher: EventPublisher,
  readers: SourceReaders,
): ProbeDependencies {
  const doc = documentClient(dynamo);
  const guard = config.allowPrivateTargets ? undefined : addressGuard(false);
  // The system's CAs (and NODE_EXTRA_CA_CERTS), and local mode's --ca files: read once, here.
  const trust = config.caFiles?.length ? TrustStore.withCaFiles(config.caFiles) : defaultTrustStore();
  return {
    targets: new TargetStore(
      doc,
      config.targetsTable,
      config.summaryTable ? new SummaryStore(doc, config.summaryTable) : undefined,
    ),
    history: new HistoryStore(doc, config.historyTable, config.historyTtlDays),
    publisher,
    unreachableAfter: config.unreachableAfter,
    cadence: config.cadence,
    reminders: config.reminders,
    ...(config.directoryTable ? { windows: new MaintenanceStore(doc, config.directoryTable) } : {}),
    timelineRefreshMs: refreshMs(config.historyTtlDays),
    ...(config.certificatesTable
      ? {
          certificates: new CertificateStore(doc, config.certificatesTable),
          rolloutStallMs: (config.rolloutStallMinutes ?? DEFAULT_ROLLOUT_STALL_MINUTES) * 60_000,
        }
      : {}),
    check: (target, budgetMs) =>
      checkSource(
        target,
        {
          trust,
          timeouts: timeoutsWithinBudget(config.endpointTimeoutMs, budgetMs),
          within: checkDeadline(budgetMs),
          thresholds: { warnDays: config.warnDays, critDays: config.critDays },
          guard,
          allowFiles: config.allowFiles ?? false,
          awsRoles: config.accountRoles,
          ariDirectories: config.ariDirectories,
          now: () => new Date(),
        },
        readers,
      ),
  };
}

/**
 * The publisher a deployed function announces through: the alert topic, with the runbooks' bus
 * before it and signed action links in its messages when configured; the inventory tells the bus
 * where each certificate is served.
 */
export function deployedPublisher(config: ProbeConfig, dynamo: DynamoDBClient, sns: SNSClient): EventPublisher {
  return alertPublisher({
    sns,
    topicArn: config.topicArn,
    eventBus: config.eventBus,
    actionLinks: config.actionLinks,
    certificates: config.certificatesTable
      ? new CertificateStore(documentClient(dynamo), config.certificatesTable)
      : undefined,
  });
}
