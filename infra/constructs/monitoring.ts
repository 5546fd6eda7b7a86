import { Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { longestGapMs } from '../../lib/dispatch/schedule-period.ts';
import {
  DISCOVERY_METRICS,
  DISPATCHER_METRICS,
  METRIC_NAMESPACE,
  METRIC_SERVICES,
  PROBE_METRICS,
} from '../../lib/observability/metric-names.ts';

export interface MonitoringProps {
  /** Where the alarms publish: the alert topic, and the alarm topic of filtered channels if any. */
  topics: ITopic[];
  dispatcher: IFunction;
  probe: IFunction;
  documents: IFunction;
  account: IFunction;
  /** One notifier per enabled channel, by name. */
  notifiers: Record<string, IFunction>;
  admin: IFunction;
  discovery: IFunction;
  failureQueue: IQueue;
  /** The dispatch schedule expression, to know when a missing round is late. */
  schedule: string;
  probeErrorThreshold: number;
  /** Build the fleet dashboard ($3 a month unless among the account's first three). */
  dashboard: boolean;
}

/**
 * The no-dispatch alarm's shape for a schedule: it fires when no round ran in twice the longest
 * gap the schedule leaves. CloudWatch allows at most one day of evaluation for periods under an
 * hour and seven days otherwise, so short gaps use two periods of the gap and longer ones hours.
 */
export function noDispatchWindow(expression: string): { period: Duration; evaluationPeriods: number } {
  const gapSeconds = Math.ceil(longestGapMs(expression) / 1000);
  if (gapSeconds < 3600) {
    return { period: Duration.seconds(Math.max(60, Math.ceil(gapSeconds / 60) * 60)), evaluationPeriods: 2 };
  }
  return { period: Duration.hours(1), evaluationPeriods: Math.min(168, Math.ceil((2 * gapSeconds) / 3600)) };
}

/**
 * Alarms on what needs a person (dispatcher errors, probe errors, failed invocations waiting in
 * the failure queue, a round that did not happen in twice the schedule period), sent to the
 * alert topic, and a dashboard of the fleet. Metrics carry no per-target dimensions.
 */
export class Monitoring extends Construct {
  readonly alarms: cw.Alarm[] = [];
  readonly dashboard: cw.Dashboard | undefined;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const actions = props.topics.map((topic) => new SnsAction(topic));
    const alarm = (name: string, alarmProps: cw.AlarmProps) => {
      const a = new cw.Alarm(this, name, alarmProps);
      a.addAlarmAction(...actions);
      a.addOkAction(...actions);
      this.alarms.push(a);
      return a;
    };
    const hour = Duration.hours(1);
    const probeMetric = (metricName: string, statistic: string, periodOf = Duration.days(1)) =>
      new cw.Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: { service: METRIC_SERVICES.probe },
        statistic,
        period: periodOf,
      });
    const dispatcherMetric = (metricName: string, statistic = 'Sum') =>
      new cw.Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: { service: METRIC_SERVICES.dispatcher },
        statistic,
        period: hour,
      });
    alarm('DispatcherErrors', {
      alarmDescription: 'certvigil: the dispatcher failed; targets may not be checked',
      metric: props.dispatcher.metricErrors({ period: hour, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    // In queue mode a failed probe is a batch item failure, which Lambda does not count as an
    // error; the probe's own probeFailed metric counts it in both modes (both probe functions
    // emit it). The larger of the two also catches runs that die before they can count.
    alarm('ProbeErrors', {
      alarmDescription: 'certvigil: probe runs are failing (they are retried, then sent to the failure queue)',
      metric: new cw.MathExpression({
        expression: 'MAX([FILL(errors, 0) + FILL(documentErrors, 0) + FILL(accountErrors, 0), FILL(failed, 0)])',
        usingMetrics: {
          errors: props.probe.metricErrors({ period: hour, statistic: 'Sum' }),
          documentErrors: props.documents.metricErrors({ period: hour, statistic: 'Sum' }),
          accountErrors: props.account.metricErrors({ period: hour, statistic: 'Sum' }),
          failed: probeMetric(PROBE_METRICS.probeFailed, 'Sum', hour),
        },
        period: hour,
        label: 'failed probe runs',
      }),
      threshold: props.probeErrorThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    alarm('FailedInvocations', {
      alarmDescription:
        'certvigil: invocations failed for good and wait in the failure queue; inspect and redrive them',
      metric: props.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    // Discovery that fails, or cannot list a service in a region (access denied, a disabled
    // region, throttling): once when it starts, once when it is fixed.
    alarm('DiscoveryProblems', {
      alarmDescription:
        'certvigil: discovery failed or could not list a service in an account or region; see the discovery function log',
      metric: new cw.MathExpression({
        expression: 'FILL(errors, 0) + FILL(problems, 0)',
        usingMetrics: {
          errors: props.discovery.metricErrors({ period: Duration.days(1), statistic: 'Sum' }),
          problems: new cw.Metric({
            namespace: METRIC_NAMESPACE,
            metricName: DISCOVERY_METRICS.problems,
            dimensionsMap: { service: METRIC_SERVICES.discovery },
            statistic: 'Maximum',
            period: Duration.days(1),
          }),
        },
        period: Duration.days(1),
        label: 'discovery failures and unlisted scopes',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    const window = noDispatchWindow(props.schedule);
    alarm('NoDispatch', {
      alarmDescription: `certvigil: no dispatch round ran in twice the longest gap of the schedule (${props.schedule})`,
      metric: props.dispatcher.metricInvocations({ period: window.period, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: window.evaluationPeriods,
      datapointsToAlarm: window.evaluationPeriods,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.BREACHING,
    });

    const functions = {
      dispatcher: props.dispatcher,
      probe: props.probe,
      documents: props.documents,
      account: props.account,
      ...props.notifiers,
      admin: props.admin,
      discovery: props.discovery,
    };

    if (props.dashboard) this.dashboard = this.buildDashboard(props, functions, probeMetric, dispatcherMetric, hour);
  }

  private buildDashboard(
    props: MonitoringProps,
    functions: Record<string, IFunction>,
    probeMetric: (metricName: string, statistic: string, periodOf?: Duration) => cw.Metric,
    dispatcherMetric: (metricName: string, statistic?: string) => cw.Metric,
    hour: Duration,
  ): cw.Dashboard {
    const dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-fleet`,
      defaultInterval: Duration.days(7),
    });
    dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Checks not ok, and events published (per hour)',
        left: [
          probeMetric(PROBE_METRICS.notOk, 'Sum', hour).with({ label: 'checks not ok' }),
          probeMetric(PROBE_METRICS.eventsPublished, 'Sum', hour).with({ label: 'events published' }),
        ],
        width: 12,
      }),
      new cw.GraphWidget({
        title: 'Probe duration (ms, Lambda)',
        left: ['p50', 'p90', 'p99'].map((p) =>
          props.probe.metricDuration({ period: hour, statistic: p }).with({ label: p }),
        ),
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Errors',
        left: Object.entries(functions).map(([name, fn]) => fn.metricErrors({ period: hour, label: `${name} errors` })),
        right: [props.failureQueue.metricApproximateNumberOfMessagesVisible({ period: hour, label: 'failure queue' })],
        width: 24,
      }),
    );
    dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Dispatch',
        left: [dispatcherMetric(DISPATCHER_METRICS.dispatched), dispatcherMetric(DISPATCHER_METRICS.dispatchFailed)],
        right: [props.dispatcher.metricDuration({ period: hour, statistic: 'Maximum', label: 'round duration (ms)' })],
        width: 12,
      }),
      new cw.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
    );
    return dashboard;
  }
}
