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

/** Throttling and round duration are in the round's log line and Lambda's own metrics. */
export const DISPATCHER_METRICS = {
  dispatched: 'dispatched',
  dispatchFailed: 'dispatchFailed',
} as const;

/** One metric only (each costs $0.30 a month): what was enrolled or vanished is in the log. */
export const DISCOVERY_METRICS = {
  /** Scopes (service, account, region) a run could not list: access denied, region disabled, throttled. */
  problems: 'discoveryProblems',
} as const;

/** Metrics the alarms watch: always emitted. */
export const ALARM_METRICS = [PROBE_METRICS.probeFailed, DISCOVERY_METRICS.problems] as const;
/** Metrics only the dashboard shows: emitted only when the dashboard setting is on ($0.30 each a month). */
export const FLEET_METRICS = [
  PROBE_METRICS.notOk,
  PROBE_METRICS.eventsPublished,
  DISPATCHER_METRICS.dispatched,
  DISPATCHER_METRICS.dispatchFailed,
] as const;
