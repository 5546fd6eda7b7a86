import type { Construct } from 'constructs';
import * as z from 'zod/mini';
import {
  CT_DOMAIN,
  CT_ENROL_MODES,
  CT_MAX_PER_RUN,
  CT_PROVIDER_NAMES,
  type CtEnrolMode,
  type CtProviderName,
} from '../lib/discovery/ct/ct-options.ts';
import { longestGapMs, MAX_SCHEDULE_GAP_MS, ScheduleError } from '../lib/dispatch/schedule-period.ts';
import { ACTION_LINK_DAYS } from '../lib/notify/action-token.ts';
import { CHANNEL_NAMES, type ChannelName } from '../lib/notify/channels/channel.ts';
import { EVENT_TYPES, type EventType, type Severity } from '../lib/policy/events.ts';
import { accountRoles } from '../lib/sources/aws/account-roles.ts';

/**
 * Every deployment setting, with its default. Set them in cdk.json under `context.certvigil`,
 * or one at a time on the command line: `npx cdk deploy -c certvigil:alertEmails=ops@example.com`.
 */
export const DEFAULT_CONFIG = {
  /** How often the dispatcher runs (EventBridge Scheduler expression); targets carry their own interval. */
  schedule: 'rate(1 hour)',
  /** Addresses subscribed to the alert topic by email (each must confirm the subscription). */
  alertEmails: [] as string[],
  /**
   * Alert channels, each delivered by its own function subscribed to the alert topic: `slack`,
   * `teams` (Workflows webhook), `pagerduty` (Events API v2), `webhook` (signed JSON).
   */
  channels: ['slack'] as ChannelName[],
  /** Per channel: name or ARN of an existing secret with its URL or key; empty: the stack creates one. */
  slackSecret: '',
  /** Per channel: ARN of the customer managed KMS key that encrypts that existing secret; empty: AWS managed key. */
  slackSecretKmsKey: '',
  teamsSecret: '',
  teamsSecretKmsKey: '',
  pagerdutySecret: '',
  pagerdutySecretKmsKey: '',
  webhookSecret: '',
  webhookSecretKmsKey: '',
  /**
   * Per channel: which notifications it receives (SNS filter policies on the `severity` and
   * `event` attributes); a channel without an entry receives all. Test notifications and
   * certvigil's own alarms always pass, and so, for PagerDuty, do the events that resolve its
   * incidents (renewed, recovered…), whatever their severity.
   */
  channelFilters: { pagerduty: { severities: ['critical'] } } as ChannelFilters,
  /**
   * Owner routes (issue 31): per owner (a target's `owner`), email addresses that receive that
   * owner's notifications only (an SNS subscription filtered on the `owner` attribute).
   */
  ownerEmails: {} as Record<string, string[]>,
  /** The default route: email addresses that receive the notifications of targets without an owner. */
  unownedEmails: [] as string[],
  /** Escalation routes: per owner, email addresses that receive only that owner's escalations. */
  escalationEmails: {} as Record<string, string[]>,
  /**
   * Runbooks (issue 31): every event, reminder, escalation and acknowledgement also goes to the
   * account's default EventBridge bus (source `certvigil`; docs/runbooks.md).
   */
  runbookEvents: false,
  /**
   * Signed links (issue 31): every message about an open event carries an acknowledge and a snooze
   * link that work without AWS credentials, once each, through a public function URL that accepts
   * only tokens signed with a key kept in Secrets Manager (docs/action-links.md says what it exposes).
   */
  actionLinks: false,
  /** How long an action link works (days, 1 to 30). */
  actionLinkDays: ACTION_LINK_DAYS.default as number,
  /** When each owner's weekly digest is sent (Scheduler expression, UTC); empty: never (`certvigil digest` still prints it). */
  digestSchedule: 'cron(0 8 ? * MON *)',
  /** Allow targets on loopback, private, link-local and unique-local addresses. */
  allowPrivateTargets: false,
  /** Days a check stays in the history table. */
  historyTtlDays: 400,
  /** A target in its warning window is checked at least this often (minutes). */
  warningCheckMinutes: 360,
  /**
   * A target that is critical, expired, invalid or unreadable is checked at least this often
   * (minutes) until healthy; below 60, a second schedule runs the dispatcher this often over
   * those targets alone (a sparse index, not a scan).
   */
  troubleCheckMinutes: 15,
  /** Failed checks in a row before `unreachable` is announced. */
  unreachableAfter: 2,
  /** Tag a secret or SSM parameter must carry for certvigil to read it (secret: and ssm: targets). */
  awsSourceTag: 'certvigil',
  /** When discovery runs (EventBridge Scheduler expression); empty: only on demand (POST /discover). */
  discoverySchedule: 'rate(1 day)',
  /** Regions discovery looks in; empty: the stack's region. IAM and CloudFront are global. */
  discoveryRegions: [] as string[],
  /**
   * Read-only roles in other accounts (see infra/member-stack.ts): discovery lists those accounts
   * too, and acm/iam/secret/ssm targets there are read through them.
   */
  accountRoleArns: [] as string[],
  /**
   * Certificate Transparency: domains whose logged certificates discovery reads (subdomains
   * included); names no target watches are enrolled (tag `ct`). Empty: CT discovery is off.
   */
  ctDomains: [] as string[],
  /** Issuer organisations allowed to issue for ctDomains (like CAA); empty: any CA. */
  ctIssuers: [] as string[],
  /** The CT search API: Cert Spotter (SSLMate) or crt.sh. */
  ctProvider: 'certspotter' as CtProviderName,
  /** `auto`: names nobody watches are enrolled and checked; `report`: recorded as disabled targets. */
  ctEnrol: 'auto' as CtEnrolMode,
  /** Targets enrolled and announcements made per watched domain and discovery run; the rest in the next runs. */
  ctMaxPerRun: CT_MAX_PER_RUN.default as number,
  /** Secrets Manager secret (name or ARN) holding a Cert Spotter API token; empty: none. */
  ctApiTokenSecret: '',
  /**
   * ACME directories (https) by the issuing CA's organization (O= of the issuer), for renewal
   * information (RFC 9773), added to the public CAs known by default (Let's Encrypt, Google Trust
   * Services): a private ACME CA that publishes ARI, say.
   */
  ariDirectories: {} as Record<string, string>,
  /** Minutes a replacement may take to reach every location of the old certificate before `rollout-stalled`. */
  rolloutStallMinutes: 120,
  /** Hours between reminders of an open, unacknowledged event, by severity (0: none). */
  remindCriticalHours: 24,
  remindWarningHours: 168,
  remindInfoHours: 0,
  /** Hours a critical event may stay unacknowledged before its escalation (0: none). */
  escalateAfterHours: 48,
  /** Fleet-wide windows in days (0: scale with each certificate's lifetime). */
  warnDays: 0,
  critDays: 0,
  /** Queue mode: most probe functions running at once (the event source's maximum concurrency). */
  probeConcurrency: 20,
  /**
   * Reserved concurrency of the probe function; 0 (the default) reserves none. Opt-in: Lambda
   * keeps 100 of the account's concurrency unreserved, and new accounts often have a quota of 10
   * or 50, so reserving any fails the deploy there (check with `aws lambda get-account-settings`).
   */
  probeReservedConcurrency: 0,
  /** Per-address time limit of a check, milliseconds. */
  endpointTimeoutMs: 15_000,
  /**
   * How the dispatcher reaches the probes: `invoke` (asynchronous Lambda invocations, one per
   * target) or `queue` (SQS in batches of ten, consumed with a maximum concurrency: the scale
   * path for fleets above roughly 10,000 targets).
   */
  dispatchMode: 'invoke' as 'invoke' | 'queue',
  /** Dispatcher: parallel scan segments and invocations in flight. */
  dispatchSegments: 4,
  dispatchConcurrency: 64,
  /** Async probe invocations: retries and how long an event may wait before going to the failure queue. */
  probeRetryAttempts: 2,
  probeMaxEventAgeMinutes: 60,
  /** Probe errors in an hour that raise the alarm. */
  probeErrorAlarmThreshold: 5,
  /** Build the fleet dashboard (CloudWatch charges $3 a month for it unless it is among the account's first three). */
  dashboard: false,
  /** Days the functions' logs are kept. */
  logRetentionDays: 30,
  /** Keep the tables (and the KMS key) when the stack is deleted: `retain`, or `destroy` for test stacks. */
  dataRemovalPolicy: 'retain' as 'retain' | 'destroy',
};

export type CertvigilConfig = typeof DEFAULT_CONFIG;

const kmsKeyArn = z
  .string()
  .check(z.regex(/^(arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/[\w-]+)?$/, 'must be the ARN of a KMS key (or empty)'));

/** Per channel: the severities and events it receives (absent: all). */
export type ChannelFilters = Partial<
  Record<ChannelName, { severities?: Severity[]; events?: EventType[]; owners?: string[]; unowned?: boolean }>
>;

const positiveInt = (max: number) => z.number().check(z.int(), z.minimum(1), z.maximum(max));

const schema = z.object({
  schedule: z.string().check(
    z.regex(/^(rate|cron)\(.+\)$/, 'must be rate(...) or cron(...)'),
    z.refine((expression) => scheduleProblem(expression) === '', {
      error: (issue) => scheduleProblem(String(issue.input)) || 'is not a schedule',
    }),
  ),
  alertEmails: z.array(z.email('must be email addresses')),
  channels: z.array(z.enum(CHANNEL_NAMES)),
  slackSecret: z.string(),
  slackSecretKmsKey: kmsKeyArn,
  teamsSecret: z.string(),
  teamsSecretKmsKey: kmsKeyArn,
  pagerdutySecret: z.string(),
  pagerdutySecretKmsKey: kmsKeyArn,
  webhookSecret: z.string(),
  webhookSecretKmsKey: kmsKeyArn,
  channelFilters: z.partialRecord(
    z.enum(CHANNEL_NAMES),
    z.strictObject({
      severities: z.optional(z.array(z.enum(['info', 'warning', 'critical'])).check(z.minLength(1))),
      events: z.optional(z.array(z.enum(EVENT_TYPES)).check(z.minLength(1))),
      owners: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.minLength(1))),
      unowned: z.optional(z.boolean()),
    }),
  ),
  ownerEmails: z.record(
    z.string().check(z.minLength(1), z.maxLength(200)),
    z.array(z.email('must be email addresses')).check(z.minLength(1)),
  ),
  unownedEmails: z.array(z.email('must be email addresses')),
  escalationEmails: z.record(
    z.string().check(z.minLength(1), z.maxLength(200)),
    z.array(z.email('must be email addresses')).check(z.minLength(1)),
  ),
  runbookEvents: z.boolean(),
  actionLinks: z.boolean(),
  actionLinkDays: z.number().check(z.int(), z.minimum(1), z.maximum(ACTION_LINK_DAYS.max)),
  digestSchedule: z.string().check(z.regex(/^((rate|cron)\(.+\))?$/, 'must be rate(...), cron(...) or empty')),
  allowPrivateTargets: z.boolean(),
  historyTtlDays: positiveInt(3650),
  unreachableAfter: positiveInt(100),
  warningCheckMinutes: z.number().check(z.int(), z.minimum(5), z.maximum(525_600)),
  troubleCheckMinutes: z.number().check(z.int(), z.minimum(5), z.maximum(525_600)),
  rolloutStallMinutes: positiveInt(525_600),
  remindCriticalHours: z.number().check(z.int(), z.minimum(0), z.maximum(8_760)),
  remindWarningHours: z.number().check(z.int(), z.minimum(0), z.maximum(8_760)),
  remindInfoHours: z.number().check(z.int(), z.minimum(0), z.maximum(8_760)),
  escalateAfterHours: z.number().check(z.int(), z.minimum(0), z.maximum(8_760)),
  ariDirectories: z.record(
    z.string().check(z.minLength(1), z.maxLength(200)),
    z.string().check(z.regex(/^https:\/\/\S{1,500}$/, 'must be https ACME directory URLs')),
  ),
  awsSourceTag: z.string().check(z.regex(/^[\w.:/=+@-]{1,128}$/, 'must be a tag key')),
  discoverySchedule: z.string().check(z.regex(/^((rate|cron)\(.+\))?$/, 'must be rate(...), cron(...) or empty')),
  discoveryRegions: z.array(
    z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be region names like eu-west-1')),
  ),
  ctDomains: z.array(z.string().check(z.regex(CT_DOMAIN, 'must be lower-case domain names like example.com'))),
  ctIssuers: z.array(z.string().check(z.minLength(1), z.maxLength(128))),
  ctProvider: z.enum(CT_PROVIDER_NAMES),
  ctEnrol: z.enum(CT_ENROL_MODES),
  ctMaxPerRun: z.number().check(z.int(), z.minimum(CT_MAX_PER_RUN.min), z.maximum(CT_MAX_PER_RUN.max)),
  ctApiTokenSecret: z
    .string()
    .check(z.regex(/^([\w/+=.@-]{1,512}|arn:aws[\w-]*:secretsmanager:\S{1,400})?$/, 'must be a secret name or ARN')),
  accountRoleArns: z.array(
    z.string().check(z.regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be IAM role ARNs')),
  ),
  warnDays: z.number().check(z.minimum(0), z.maximum(3650)),
  critDays: z.number().check(z.minimum(0), z.maximum(3650)),
  probeConcurrency: z.number().check(z.int(), z.minimum(2), z.maximum(1000)),
  probeReservedConcurrency: z.number().check(z.int(), z.minimum(0), z.maximum(1000)),
  endpointTimeoutMs: z.number().check(z.int(), z.minimum(100), z.maximum(60_000)),
  dispatchMode: z.enum(['invoke', 'queue']),
  dispatchSegments: positiveInt(64),
  dispatchConcurrency: positiveInt(1000),
  probeRetryAttempts: z.number().check(z.int(), z.minimum(0), z.maximum(2)),
  probeMaxEventAgeMinutes: z.number().check(z.int(), z.minimum(1), z.maximum(360)),
  probeErrorAlarmThreshold: positiveInt(100_000),
  dashboard: z.boolean(),
  logRetentionDays: positiveInt(3653),
  dataRemovalPolicy: z.enum(['retain', 'destroy']),
});

/** Reads `context.certvigil` plus `certvigil:<key>` overrides, validated; throws naming bad keys. */
export function readConfig(scope: Construct): CertvigilConfig {
  const fromJson = (scope.node.tryGetContext('certvigil') ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG, ...fromJson };
  for (const key of Object.keys(DEFAULT_CONFIG) as (keyof CertvigilConfig)[]) {
    const raw = scope.node.tryGetContext(`certvigil:${key}`) as unknown;
    if (raw !== undefined) merged[key] = coerce(raw, DEFAULT_CONFIG[key]);
  }
  const unknown = Object.keys(merged).filter((k) => !(k in DEFAULT_CONFIG));
  if (unknown.length)
    throw new Error(`certvigil config: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    throw new Error(
      `certvigil config: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  const config = parsed.data as CertvigilConfig;
  for (const channel of CHANNEL_NAMES) {
    if (config[`${channel}SecretKmsKey`] && !config[`${channel}Secret`]) {
      throw new Error(
        `certvigil config: ${channel}SecretKmsKey goes with ${channel}Secret (the existing secret it encrypts)`,
      );
    }
  }
  if (new Set(config.channels).size !== config.channels.length) {
    throw new Error('certvigil config: channels lists a channel twice');
  }
  try {
    accountRoles(config.accountRoleArns);
  } catch (error) {
    throw new Error(`certvigil config: accountRoleArns: ${(error as Error).message}`);
  }
  for (const name of ['discoverySchedule', 'digestSchedule'] as const) {
    if (!config[name]) continue;
    const problem = scheduleProblem(config[name], Number.POSITIVE_INFINITY);
    if (problem) throw new Error(`certvigil config: ${name} ${problem}`);
  }
  if (config.warnDays && config.critDays && config.critDays > config.warnDays) {
    throw new Error('certvigil config: critDays must not be more than warnDays');
  }
  return config;
}

/** Why a schedule expression cannot drive the dispatcher, or '' when it can. */
function scheduleProblem(expression: string, maxGapMs = MAX_SCHEDULE_GAP_MS): string {
  try {
    const gap = longestGapMs(expression);
    return gap > maxGapMs
      ? `leaves up to ${Math.round(gap / 3_600_000)} hours between rounds; run the dispatcher at least every ${MAX_SCHEDULE_GAP_MS / 3_600_000} hours (targets keep their own check interval)`
      : '';
  } catch (error) {
    if (error instanceof ScheduleError) return error.message;
    throw error;
  }
}

/** Command-line context values arrive as strings; give them the type of the default. */
function coerce(raw: unknown, example: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (Array.isArray(example)) {
    // A JSON array when an item holds a comma (an issuer "DigiCert, Inc."), else a comma list.
    if (raw.trim().startsWith('[')) {
      try {
        return JSON.parse(raw);
      } catch {
        return raw; // reported by the schema as not a list
      }
    }
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (typeof example === 'number') return raw.trim() === '' ? Number.NaN : Number(raw);
  if (typeof example === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (typeof example === 'object' && example !== null) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw; // reported by the schema as not an object
    }
  }
  return raw;
}
