// Configuration of the Lambda functions: read from the environment once, at cold start, and
// validated, with one error naming every missing or bad variable. The only place that reads
// process.env.

import {
  type ActionLinksConfig,
  type ActionsConfig,
  actionLinksConfig,
  ownerChannelsConfig,
} from './config-actions.ts';
import { type Env, Reader } from './config-reader.ts';
import {
  CT_DOMAIN,
  CT_ENROL_MODES,
  CT_MAX_PER_RUN,
  CT_PROVIDER_NAMES,
  type CtEnrolMode,
  type CtProviderName,
  isCtEnrolMode,
  isCtProviderName,
} from './discovery/ct/ct-options.ts';
import { DISPATCH_DEFAULTS } from './dispatch/dispatch-round.ts';
import * as NAMES from './env-names.ts';
import { DEFAULT_ROLLOUT_STALL_MINUTES } from './inventory/rollout.ts';
import { DEFAULT_TIMEOUTS } from './net/timeouts.ts';
import { CHANNEL_NAMES, type ChannelName } from './notify/channels/channel.ts';
import { type Cadence, DEFAULT_CADENCE } from './policy/cadence.ts';
import { DEFAULT_UNREACHABLE_AFTER } from './policy/events.ts';
import { DEFAULT_REMINDERS, type ReminderPolicy } from './policy/reminders.ts';
import { type AccountRoles, accountRoles } from './sources/aws/account-roles.ts';
import { DEFAULT_ARI_DIRECTORIES } from './sources/tls/renewal-info/directories.ts';
import { DEFAULT_HISTORY_TTL_DAYS } from './store/history-store.ts';

export type { ActionLinksConfig, ActionsConfig } from './config-actions.ts';
export { ConfigError } from './config-reader.ts';

export interface DispatcherConfig {
  targetsTable: string;
  /** The summary's counters: the dispatcher's daily recount repairs them (absent: not kept). */
  summaryTable: string | undefined;
  /** The certificate inventory: the daily recount lists again certificates missing from its index. */
  certificatesTable: string | undefined;
  /** The alert topic: the weekly digests go there (absent: no digests). */
  topicArn: string | undefined;
  /** Invoke mode: the probe function, invoked asynchronously once per target. */
  probeFunctionName: string | undefined;
  /** Queue mode (the scale path): the probe queue, fed in batches of ten. */
  probeQueueUrl: string | undefined;
  /** Document targets (saml, jwks, pem) go to the documents function, or its queue in queue mode. */
  documentsFunctionName: string | undefined;
  documentsQueueUrl: string | undefined;
  /** AWS account targets (acm, iam, secret, ssm) go to the account function, or its queue. */
  accountFunctionName: string | undefined;
  accountQueueUrl: string | undefined;
  segments: number;
  concurrency: number;
  dueSlackMs: number;
  /** Emit the dashboard's metrics (only when the dashboard is on). */
  fleetMetrics: boolean;
}

export function dispatcherConfig(env: Env = process.env): DispatcherConfig {
  const r = new Reader(env);
  const targetsTable = r.text(NAMES.TARGETS_TABLE);
  const probeFunctionName = r.optionalText(NAMES.PROBE_FUNCTION_NAME);
  const probeQueueUrl = r.optionalText(NAMES.PROBE_QUEUE_URL);
  if (!probeFunctionName && !probeQueueUrl) r.text(NAMES.PROBE_FUNCTION_NAME); // reported as missing
  return r.done({
    targetsTable,
    summaryTable: r.optionalText(NAMES.SUMMARY_TABLE),
    certificatesTable: r.optionalText(NAMES.CERTIFICATES_TABLE),
    topicArn: r.optionalText(NAMES.TOPIC_ARN),
    probeFunctionName,
    probeQueueUrl,
    documentsFunctionName: r.optionalText(NAMES.DOCUMENTS_FUNCTION_NAME),
    documentsQueueUrl: r.optionalText(NAMES.DOCUMENTS_QUEUE_URL),
    accountFunctionName: r.optionalText(NAMES.ACCOUNT_FUNCTION_NAME),
    accountQueueUrl: r.optionalText(NAMES.ACCOUNT_QUEUE_URL),
    segments: r.number(NAMES.DISPATCH_SEGMENTS, DISPATCH_DEFAULTS.segments, { min: 1, max: 64, integer: true }),
    concurrency: r.number(NAMES.DISPATCH_CONCURRENCY, DISPATCH_DEFAULTS.concurrency, {
      min: 1,
      max: 1000,
      integer: true,
    }),
    dueSlackMs:
      r.number(NAMES.DUE_SLACK_MINUTES, DISPATCH_DEFAULTS.dueSlackMs / 60_000, { min: 0, max: 1440 }) * 60_000,
    fleetMetrics: r.boolean(NAMES.FLEET_METRICS, false),
  });
}

export interface ProbeConfig {
  targetsTable: string;
  historyTable: string;
  /** The summary's counters, kept on every write of a target (absent: not kept). */
  summaryTable?: string | undefined;
  /** The certificate inventory (which locations serve which certificate); absent: not kept. */
  certificatesTable?: string | undefined;
  /** The directory (owners, maintenance windows: issue 31); absent: none are kept. */
  directoryTable?: string | undefined;
  /** Runbooks (issue 31): every event also goes to this EventBridge bus; absent: none. */
  eventBus?: string | undefined;
  /** How long a replacement may take to reach every location before `rollout-stalled`. */
  rolloutStallMinutes?: number | undefined;
  topicArn: string;
  historyTtlDays: number;
  unreachableAfter: number;
  endpointTimeoutMs: number;
  warnDays: number | undefined;
  critDays: number | undefined;
  /** Allow targets on loopback, private, link-local and unique-local addresses. */
  allowPrivateTargets: boolean;
  /** Read `file:` targets: only where the files are the user's own (local mode); never in AWS. */
  allowFiles?: boolean | undefined;
  /** CA certificates to trust besides the system's (local mode's --ca FILE); never in AWS. */
  caFiles?: readonly string[] | undefined;
  /** Read-only roles in other accounts, by account id: AWS sources there are read through them. */
  /** ACME directories by issuer organization for renewal information (defaults plus NAMES.ARI_DIRECTORIES). */
  ariDirectories?: Readonly<Record<string, string>> | undefined;
  accountRoles?: AccountRoles | undefined;
  /** How often targets in their warning window, or in trouble, are checked. */
  cadence?: Cadence | undefined;
  /** Reminders of unacknowledged open events, and escalation (default: DEFAULT_REMINDERS). */
  reminders?: ReminderPolicy | undefined;
  /** Emit the dashboard's metrics (NAMES.FLEET_METRICS; only when the dashboard is on). */
  fleetMetrics?: boolean | undefined;
  /** Signed acknowledge and snooze links in messages (issue 31, opt-in); absent: none. */
  actionLinks?: ActionLinksConfig | undefined;
}

/** Hours between reminders, or before escalation: 0 (never) to a year. */
const HOURS = { min: 0, max: 8_760, integer: true } as const;

export function probeConfig(env: Env = process.env): ProbeConfig {
  const r = new Reader(env);
  return r.done({
    targetsTable: r.text(NAMES.TARGETS_TABLE),
    historyTable: r.text(NAMES.HISTORY_TABLE),
    summaryTable: r.optionalText(NAMES.SUMMARY_TABLE),
    certificatesTable: r.optionalText(NAMES.CERTIFICATES_TABLE),
    directoryTable: r.optionalText(NAMES.DIRECTORY_TABLE),
    eventBus: r.optionalText(NAMES.EVENT_BUS),
    rolloutStallMinutes: r.number(NAMES.ROLLOUT_STALL_MINUTES, DEFAULT_ROLLOUT_STALL_MINUTES, {
      min: 1,
      max: 525_600,
      integer: true,
    }),
    topicArn: r.text(NAMES.TOPIC_ARN),
    historyTtlDays: r.number(NAMES.HISTORY_TTL_DAYS, DEFAULT_HISTORY_TTL_DAYS, { min: 1, max: 3650, integer: true }),
    unreachableAfter: r.number(NAMES.UNREACHABLE_AFTER, DEFAULT_UNREACHABLE_AFTER, { min: 1, max: 100, integer: true }),
    endpointTimeoutMs: r.number(NAMES.ENDPOINT_TIMEOUT_MS, DEFAULT_TIMEOUTS.endpointMs, {
      min: 100,
      max: 60_000,
      integer: true,
    }),
    warnDays: r.optionalNumber(NAMES.WARN_DAYS, { min: 0, max: 3650 }),
    critDays: r.optionalNumber(NAMES.CRIT_DAYS, { min: 0, max: 3650 }),
    allowPrivateTargets: r.boolean(NAMES.ALLOW_PRIVATE_TARGETS, false),
    accountRoles: roles(r, NAMES.ACCOUNT_ROLE_ARNS),
    ariDirectories: directories(r, NAMES.ARI_DIRECTORIES),
    fleetMetrics: r.boolean(NAMES.FLEET_METRICS, false),
    actionLinks: actionLinksConfig(r),
    reminders: {
      everyHours: {
        critical: r.number(NAMES.REMIND_CRITICAL_HOURS, DEFAULT_REMINDERS.everyHours.critical, HOURS),
        warning: r.number(NAMES.REMIND_WARNING_HOURS, DEFAULT_REMINDERS.everyHours.warning, HOURS),
        info: r.number(NAMES.REMIND_INFO_HOURS, DEFAULT_REMINDERS.everyHours.info, HOURS),
      },
      escalateAfterHours: r.number(NAMES.ESCALATE_AFTER_HOURS, DEFAULT_REMINDERS.escalateAfterHours, HOURS),
    },
    cadence: {
      warningMinutes: r.number(NAMES.WARNING_CHECK_MINUTES, DEFAULT_CADENCE.warningMinutes, {
        min: 5,
        max: 525_600,
        integer: true,
      }),
      troubleMinutes: r.number(NAMES.TROUBLE_CHECK_MINUTES, DEFAULT_CADENCE.troubleMinutes, {
        min: 5,
        max: 525_600,
        integer: true,
      }),
    },
  });
}

export interface DiscoveryConfig {
  targetsTable: string;
  /** The summary's counters: targets discovery enrols are counted (absent: not kept). */
  summaryTable: string | undefined;
  topicArn: string;
  /** Runbooks: discovery's events also go to this EventBridge bus; absent: none. */
  eventBus: string | undefined;
  /** Regions discovery looks in (default: the function's own). */
  regions: string[];
  /** The account the stack runs in, and its partition (no STS call needed). */
  homeAccount: string | undefined;
  partition: string | undefined;
  accountRoles: AccountRoles;
  /** Tag that opts secrets and parameters in. */
  sourceTag: string;
  /** Certificate Transparency discovery, when domains are set (NAMES.CT_DOMAINS). */
  ct: CtConfig | undefined;
}

export interface CtConfig {
  domains: string[];
  /** Allowed issuer organisations; empty: any CA. */
  issuers: string[];
  provider: CtProviderName;
  /** `auto`: unwatched names are enrolled and checked; `report`: recorded disabled. */
  enrol: CtEnrolMode;
  /** Targets enrolled and announcements made per domain and run (CT_MAX_PER_RUN). */
  maxPerRun: number;
  /** Secrets Manager secret holding a Cert Spotter API token (optional). */
  tokenSecret: string | undefined;
  /** Where positions and handled issuances are kept. */
  certificatesTable: string;
}

/** CT settings from NAMES.CT_DOMAINS, NAMES.CT_ISSUERS, NAMES.CT_PROVIDER, NAMES.CT_API_TOKEN_SECRET and NAMES.CERTIFICATES_TABLE. */
function ctConfig(r: Reader): CtConfig | undefined {
  const domains = r.list(NAMES.CT_DOMAINS).map((d) => d.toLowerCase());
  // JSON: an organisation's name may hold commas ("DigiCert, Inc.").
  const issuers = jsonStrings(NAMES.CT_ISSUERS, r.optionalText(NAMES.CT_ISSUERS));
  const provider = r.optionalText(NAMES.CT_PROVIDER) ?? 'certspotter';
  const tokenSecret = r.optionalText(NAMES.CT_API_TOKEN_SECRET);
  const enrol = r.optionalText(NAMES.CT_ENROL) ?? 'auto';
  const certificatesTable = r.optionalText(NAMES.CERTIFICATES_TABLE);
  const maxPerRun = r.number(NAMES.CT_MAX_PER_RUN, CT_MAX_PER_RUN.default, {
    min: CT_MAX_PER_RUN.min,
    max: CT_MAX_PER_RUN.max,
    integer: true,
  });
  if (!domains.length) return undefined;
  for (const domain of domains) {
    if (!CT_DOMAIN.test(domain)) {
      throw new Error(`NAMES.CT_DOMAINS: "${domain.slice(0, 100)}" is not a domain name like example.com`);
    }
  }
  if (!isCtProviderName(provider)) throw new Error(`NAMES.CT_PROVIDER must be one of ${CT_PROVIDER_NAMES.join(', ')}`);
  if (!certificatesTable) throw new Error('CT_DOMAINS needs NAMES.CERTIFICATES_TABLE (CT positions are kept there)');
  if (!isCtEnrolMode(enrol)) throw new Error(`NAMES.CT_ENROL must be one of ${CT_ENROL_MODES.join(', ')}`);
  return { domains, issuers, provider, enrol, maxPerRun, tokenSecret, certificatesTable };
}

export function discoveryConfig(env: Env = process.env): DiscoveryConfig {
  const r = new Reader(env);
  const regions = r.list(NAMES.DISCOVERY_REGIONS);
  const own = r.optionalText('AWS_REGION');
  return r.done({
    targetsTable: r.text(NAMES.TARGETS_TABLE),
    summaryTable: r.optionalText(NAMES.SUMMARY_TABLE),
    topicArn: r.text(NAMES.TOPIC_ARN),
    eventBus: r.optionalText(NAMES.EVENT_BUS),
    regions: regions.length ? regions : own ? [own] : [],
    homeAccount: r.optionalText(NAMES.HOME_ACCOUNT),
    partition: r.optionalText(NAMES.PARTITION),
    accountRoles: roles(r, NAMES.ACCOUNT_ROLE_ARNS),
    sourceTag: r.optionalText(NAMES.AWS_SOURCE_TAG) ?? 'certvigil',
    ct: ctConfig(r),
  });
}

/** The admin function probes on demand, so it needs what the probe needs; it starts discovery and exports. */
export function adminConfig(env: Env = process.env): ProbeConfig & {
  discoveryFunctionName: string | undefined;
  /** Exports to S3: the bucket (presigned links) and the function that writes them; both or neither. */
  exportBucket: string | undefined;
  exportFunctionName: string | undefined;
  /** Owners' own channels: the secrets' prefix and the channels deployed (both or neither). */
  ownerChannels: { prefix: string; enabled: ChannelName[] } | undefined;
} {
  return {
    ...probeConfig(env),
    discoveryFunctionName: env[NAMES.DISCOVERY_FUNCTION_NAME]?.trim() || undefined,
    exportBucket: env[NAMES.EXPORT_BUCKET]?.trim() || undefined,
    exportFunctionName: env[NAMES.EXPORT_FUNCTION_NAME]?.trim() || undefined,
    ownerChannels: ownerChannelsConfig(env),
  };
}

/** The action function (issue 31): records acknowledgements and snoozes from signed links. */
export function actionsConfig(env: Env = process.env): ActionsConfig {
  const r = new Reader(env);
  return r.done({
    targetsTable: r.text(NAMES.TARGETS_TABLE),
    historyTable: r.text(NAMES.HISTORY_TABLE),
    historyTtlDays: r.number(NAMES.HISTORY_TTL_DAYS, DEFAULT_HISTORY_TTL_DAYS, { min: 1, max: 3650, integer: true }),
    directoryTable: r.text(NAMES.DIRECTORY_TABLE),
    keySecret: r.text(NAMES.ACTION_KEY_SECRET),
    eventBus: r.optionalText(NAMES.EVENT_BUS),
  });
}

export interface ExportConfig {
  targetsTable: string;
  /** The certificate inventory (the report by certificate); absent: only the targets view exports. */
  certificatesTable: string | undefined;
  exportBucket: string;
}

/** The export function: reads the targets and certificates (lists indexes), writes the bucket. */
export function exportConfig(env: Env = process.env): ExportConfig {
  const r = new Reader(env);
  return r.done({
    targetsTable: r.text(NAMES.TARGETS_TABLE),
    certificatesTable: r.optionalText(NAMES.CERTIFICATES_TABLE),
    exportBucket: r.text(NAMES.EXPORT_BUCKET),
  });
}

export interface NotifierConfig {
  /** The one channel this function delivers to (each channel has its own function). */
  channel: ChannelName;
  /** The secret with the channel's URL or key; absent: nothing to deliver. */
  secretId: string | undefined;
  /** Where owners' own channel routes are kept (secret names); absent: none are delivered. */
  ownerChannelPrefix?: string | undefined;
}

export function notifierConfig(env: Env = process.env): NotifierConfig {
  const r = new Reader(env);
  return r.done({
    channel: r.oneOf(NAMES.CHANNEL, CHANNEL_NAMES, 'slack'),
    secretId: r.optionalText(NAMES.CHANNEL_SECRET_ID),
    ownerChannelPrefix: r.optionalText(NAMES.OWNER_CHANNEL_PREFIX),
  });
}

/** A JSON array of strings from an environment variable; [] when unset. */
function jsonStrings(name: string, text: string | undefined): string[] {
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${name} must be a JSON array of strings`);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 128)) {
    throw new Error(`${name} must be a JSON array of strings`);
  }
  return value;
}

/**
 * On a terminal (local mode), the functions' JSON logs and metrics are for CloudWatch, not for a
 * person: warnings only and no metrics, unless the environment says otherwise. Written into the
 * environment the process runs with, where Powertools reads it.
 */
export function quietFunctionLogs(env: Env): void {
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
}

/** Role ARNs in other accounts, by account id (a comma-separated list). */
function roles(r: Reader, name: string): AccountRoles {
  return r.parsed<AccountRoles>(
    name,
    (raw) =>
      accountRoles(
        raw
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      ),
    () => new Map(),
  );
}

/** A JSON object of issuer organization → https ACME directory URL, merged onto the defaults. */
function directories(r: Reader, name: string): Record<string, string> {
  return r.parsed(
    name,
    (raw) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        const entries = Object.entries(parsed as Record<string, unknown>);
        if (entries.every(([, v]) => typeof v === 'string' && /^https:\/\/\S+$/.test(v))) {
          return { ...DEFAULT_ARI_DIRECTORIES, ...(parsed as Record<string, string>) };
        }
      }
      throw new Error('must be a JSON object of issuer organization to https ACME directory URL');
    },
    () => ({ ...DEFAULT_ARI_DIRECTORIES }),
  );
}
