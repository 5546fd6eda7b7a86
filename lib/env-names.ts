// The names of the environment variables certvigil's functions read (values are strings), bound
// once: lib/config.ts reads them and infra's constructs set them (through ENV), so neither side
// spells one on its own. Each name is its own constant so the bundles inline the ones a function
// reads; ENV (every name) is for the constructs and the tests.

export const ACCOUNT_FUNCTION_NAME = 'ACCOUNT_FUNCTION_NAME';
export const ACTION_KEY_SECRET = 'ACTION_KEY_SECRET';
export const ACTION_LINK_DAYS = 'ACTION_LINK_DAYS';
export const ACTION_LINKS_URL = 'ACTION_LINKS_URL';
export const ACCOUNT_QUEUE_URL = 'ACCOUNT_QUEUE_URL';
export const ACCOUNT_ROLE_ARNS = 'ACCOUNT_ROLE_ARNS';
export const ALLOW_PRIVATE_TARGETS = 'ALLOW_PRIVATE_TARGETS';
export const ARI_DIRECTORIES = 'ARI_DIRECTORIES';
export const AWS_SOURCE_TAG = 'AWS_SOURCE_TAG';
export const CERTIFICATES_TABLE = 'CERTIFICATES_TABLE';
export const CHANNEL = 'CHANNEL';
export const CHANNEL_SECRET_ID = 'CHANNEL_SECRET_ID';
export const CRIT_DAYS = 'CRIT_DAYS';
export const CT_API_TOKEN_SECRET = 'CT_API_TOKEN_SECRET';
export const CT_DOMAINS = 'CT_DOMAINS';
export const CT_ENROL = 'CT_ENROL';
export const CT_ISSUERS = 'CT_ISSUERS';
export const CT_MAX_PER_RUN = 'CT_MAX_PER_RUN';
export const CT_PROVIDER = 'CT_PROVIDER';
export const DIRECTORY_TABLE = 'DIRECTORY_TABLE';
export const DISCOVERY_FUNCTION_NAME = 'DISCOVERY_FUNCTION_NAME';
export const DISCOVERY_REGIONS = 'DISCOVERY_REGIONS';
export const DISPATCH_CONCURRENCY = 'DISPATCH_CONCURRENCY';
export const DISPATCH_SEGMENTS = 'DISPATCH_SEGMENTS';
export const DOCUMENTS_FUNCTION_NAME = 'DOCUMENTS_FUNCTION_NAME';
export const DOCUMENTS_QUEUE_URL = 'DOCUMENTS_QUEUE_URL';
export const DUE_SLACK_MINUTES = 'DUE_SLACK_MINUTES';
export const ENDPOINT_TIMEOUT_MS = 'ENDPOINT_TIMEOUT_MS';
export const EVENT_BUS = 'EVENT_BUS';
export const EXPORT_BUCKET = 'EXPORT_BUCKET';
export const EXPORT_FUNCTION_NAME = 'EXPORT_FUNCTION_NAME';
export const FLEET_METRICS = 'FLEET_METRICS';
export const HISTORY_TABLE = 'HISTORY_TABLE';
export const HISTORY_TTL_DAYS = 'HISTORY_TTL_DAYS';
export const HOME_ACCOUNT = 'HOME_ACCOUNT';
export const OWNER_CHANNEL_PREFIX = 'OWNER_CHANNEL_PREFIX';
export const OWNER_CHANNELS = 'OWNER_CHANNELS';
export const PARTITION = 'PARTITION';
export const PROBE_FUNCTION_NAME = 'PROBE_FUNCTION_NAME';
export const PROBE_QUEUE_URL = 'PROBE_QUEUE_URL';
export const REMIND_CRITICAL_HOURS = 'REMIND_CRITICAL_HOURS';
export const REMIND_WARNING_HOURS = 'REMIND_WARNING_HOURS';
export const REMIND_INFO_HOURS = 'REMIND_INFO_HOURS';
export const ESCALATE_AFTER_HOURS = 'ESCALATE_AFTER_HOURS';
export const ROLLOUT_STALL_MINUTES = 'ROLLOUT_STALL_MINUTES';
export const SUMMARY_TABLE = 'SUMMARY_TABLE';
export const TARGETS_TABLE = 'TARGETS_TABLE';
export const TOPIC_ARN = 'TOPIC_ARN';
export const TROUBLE_CHECK_MINUTES = 'TROUBLE_CHECK_MINUTES';
export const UNREACHABLE_AFTER = 'UNREACHABLE_AFTER';
export const WARNING_CHECK_MINUTES = 'WARNING_CHECK_MINUTES';
export const WARN_DAYS = 'WARN_DAYS';

/** Every name, by setting. */
export const ENV = {
  accountFunctionName: ACCOUNT_FUNCTION_NAME,
  actionKeySecret: ACTION_KEY_SECRET,
  actionLinkDays: ACTION_LINK_DAYS,
  actionLinksUrl: ACTION_LINKS_URL,
  accountQueueUrl: ACCOUNT_QUEUE_URL,
  accountRoleArns: ACCOUNT_ROLE_ARNS,
  allowPrivateTargets: ALLOW_PRIVATE_TARGETS,
  ariDirectories: ARI_DIRECTORIES,
  awsSourceTag: AWS_SOURCE_TAG,
  certificatesTable: CERTIFICATES_TABLE,
  channel: CHANNEL,
  channelSecretId: CHANNEL_SECRET_ID,
  critDays: CRIT_DAYS,
  ctApiTokenSecret: CT_API_TOKEN_SECRET,
  ctDomains: CT_DOMAINS,
  ctEnrol: CT_ENROL,
  ctIssuers: CT_ISSUERS,
  ctMaxPerRun: CT_MAX_PER_RUN,
  ctProvider: CT_PROVIDER,
  directoryTable: DIRECTORY_TABLE,
  discoveryFunctionName: DISCOVERY_FUNCTION_NAME,
  discoveryRegions: DISCOVERY_REGIONS,
  dispatchConcurrency: DISPATCH_CONCURRENCY,
  dispatchSegments: DISPATCH_SEGMENTS,
  documentsFunctionName: DOCUMENTS_FUNCTION_NAME,
  documentsQueueUrl: DOCUMENTS_QUEUE_URL,
  dueSlackMinutes: DUE_SLACK_MINUTES,
  endpointTimeoutMs: ENDPOINT_TIMEOUT_MS,
  eventBus: EVENT_BUS,
  exportBucket: EXPORT_BUCKET,
  exportFunctionName: EXPORT_FUNCTION_NAME,
  fleetMetrics: FLEET_METRICS,
  historyTable: HISTORY_TABLE,
  historyTtlDays: HISTORY_TTL_DAYS,
  homeAccount: HOME_ACCOUNT,
  ownerChannelPrefix: OWNER_CHANNEL_PREFIX,
  ownerChannels: OWNER_CHANNELS,
  partition: PARTITION,
  probeFunctionName: PROBE_FUNCTION_NAME,
  probeQueueUrl: PROBE_QUEUE_URL,
  remindCriticalHours: REMIND_CRITICAL_HOURS,
  remindWarningHours: REMIND_WARNING_HOURS,
  remindInfoHours: REMIND_INFO_HOURS,
  escalateAfterHours: ESCALATE_AFTER_HOURS,
  rolloutStallMinutes: ROLLOUT_STALL_MINUTES,
  summaryTable: SUMMARY_TABLE,
  targetsTable: TARGETS_TABLE,
  topicArn: TOPIC_ARN,
  troubleCheckMinutes: TROUBLE_CHECK_MINUTES,
  unreachableAfter: UNREACHABLE_AFTER,
  warningCheckMinutes: WARNING_CHECK_MINUTES,
  warnDays: WARN_DAYS,
} as const;
