import { Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STATUSES } from '../../lib/policy/status.ts';

export interface MonitoringProps {
  topic: ITopic;
  dispatcher: IFunction;
  probe: IFunction;
  notifier: IFunction;
  admin: IFunction;
  failureQueue: IQueue;
  /** The dispatch schedule expression, to know when a missing round is late. */
  schedule: string;
  probeErrorThreshold: number;
}

/** How often the schedule fires; cron expressions are taken as hourly. */
export function schedulePeriod(expression: string): Duration {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) return Duration.hours(1);
  const n = Number(match[1]);
  const unit = match[2] ?? 'hour';
  return unit.startsWith('minute')
    ? Duration.minutes(n)
    : unit.startsWith('hour')
      ? Duration.hours(n)
      : Duration.days(n);
}

/**
 * Alarms on what needs a person (dispatcher errors, probe errors, failed invocations waiting in
 * the failure queue, a round that did not happen in twice the schedule period), sent to the
 * alert topic, and a dashboard of the fleet. Metrics carry no per-target dimensions.
 */
export class Monitoring extends Construct {
  readonly alarms: cw.Alarm[] = [];
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const alarm = (name: string, alarmProps: cw.AlarmProps) => {
      const a = new cw.Alarm(this, name, alarmProps);
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };
    const hour = Duration.hours(1);
    alarm('DispatcherErrors', {
      alarmDescription: 'certvigil: the dispatcher failed; targets may not be checked',
      metric: props.dispatcher.metricErrors({ period: hour, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    alarm('ProbeErrors', {
      alarmDescription: 'certvigil: probe invocations are failing (they are retried, then sent to the failure queue)',
      metric: props.probe.metricErrors({ period: hour, statistic: 'Sum' }),
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
    const period = schedulePeriod(props.schedule);
    const alarmPeriod = period.toSeconds() > 86_400 ? Duration.days(1) : period;
    const periods = Math.max(2, Math.ceil((2 * period.toSeconds()) / alarmPeriod.toSeconds()));
    alarm('NoDispatch', {
      alarmDescription: `certvigil: no dispatch round ran in twice the schedule period (${props.schedule})`,
      metric: props.dispatcher.metricInvocations({ period: alarmPeriod, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.BREACHING,
    });

    const probeMetric = (metricName: string, statistic: string, periodOf = Duration.days(1)) =>
      new cw.Metric({
        namespace: 'certvigil',
        metricName,
        dimensionsMap: { service: 'probe' },
        statistic,
        period: periodOf,
      });
    const dispatcherMetric = (metricName: string, statistic = 'Sum') =>
      new cw.Metric({
        namespace: 'certvigil',
        metricName,
        dimensionsMap: { service: 'dispatcher' },
        statistic,
        period: hour,
      });
    const functions = {
      dispatcher: props.dispatcher,
      probe: props.probe,
      notifier: props.notifier,
      admin: props.admin,
    };

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-fleet`,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new cw.SingleValueWidget({
        title: 'Checks by status (last day: one per target for daily checks)',
        metrics: STATUSES.map((s) => probeMetric(`status_${s}`, 'Sum').with({ label: s })),
        width: 16,
        height: 4,
      }),
      new cw.SingleValueWidget({
        title: 'Fewest days left in the fleet',
        metrics: [probeMetric('daysLeft', 'Minimum').with({ label: 'min days left' })],
        width: 8,
        height: 4,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Status over time',
        left: STATUSES.map((s) => probeMetric(`status_${s}`, 'Sum', hour).with({ label: s })),
        stacked: true,
        width: 12,
      }),
      new cw.GraphWidget({
        title: 'Minimum days left',
        left: [probeMetric('daysLeft', 'Minimum', hour)],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Probe latency (ms)',
        left: ['p50', 'p90', 'p99'].map((p) => probeMetric('probeDuration', p, hour).with({ label: p })),
        width: 12,
      }),
      new cw.GraphWidget({
        title: 'Errors',
        left: Object.entries(functions).map(([name, fn]) => fn.metricErrors({ period: hour, label: `${name} errors` })),
        right: [props.failureQueue.metricApproximateNumberOfMessagesVisible({ period: hour, label: 'failure queue' })],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Dispatch',
        left: [dispatcherMetric('dispatched'), dispatcherMetric('dispatchFailed'), dispatcherMetric('invokeThrottled')],
        right: [dispatcherMetric('dispatchDuration', 'Maximum')],
        width: 12,
      }),
      new cw.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
    );
  }
}
