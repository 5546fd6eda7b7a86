// Custom metric names and their namespace, defined once: the functions emit them and the CDK
// constructs build alarms and the dashboard from them, so a rename cannot silently empty either.

export const METRIC_NAMESPACE = 'certvigil';

/** The `service` dimension Powertools adds to every metric, per function. */
export const METRIC_SERVICES = {
  probe: 'probe',
  dispatcher: 'dispatcher',
  notifier: 'notifier',
  admin: 'admin',
  discovery: 'discovery',
} as const;

/**
 * Few metrics, none per target or per status (each custom metric costs $0.30 a month), and none
 * from a healthy quiet check: the probe's duration and errors are Lambda's own metrics.
 */
export const PROBE_METRICS = {
  /** One per check whose status is not ok (warning, critical, expired, invalid, error). */
  notOk: 'checksNotOk',
  eventsPublished: 'eventsPublished',
  /** One per probe run that threw (retried by Lambda or SQS): counted in both dispatch modes. */
  probeFailed: 'probeFailed',
} as const;

export const DISPATCHER_METRICS = {
  dispatched: 'dispatched',
  dispatchFailed: 'dispatchFailed',
  invokeThrottled: 'invokeThrottled',
  dispatchDuration: 'dispatchDuration',
} as const;

export const NOTIFIER_METRICS = {
  slackDelivered: 'slackDelivered',
  /** SNS messages that were neither a certvigil notification nor a CloudWatch alarm. */
  messagesSkipped: 'messagesSkipped',
} as const;

/** One metric only (each costs $0.30 a month): what was enrolled or vanished is in the log. */
export const DISCOVERY_METRICS = {
  /** Scopes (service, account, region) a run could not list: access denied, region disabled, throttled. */
  problems: 'discoveryProblems',
} as const;
