import { TrustStore } from '../certificate/trust-store.ts';
import { quietFunctionLogs } from '../config.ts';
import {
  CT_DOMAIN,
  CT_ENROL_MODES,
  CT_MAX_PER_RUN,
  CT_PROVIDER_NAMES,
  isCtEnrolMode,
  isCtProviderName,
} from '../discovery/ct/ct-options.ts';
import { ChannelConfigError } from '../notify/channels/channel.ts';
import { CHANNELS, type ConfiguredChannel, channelsFromEnv } from '../notify/channels/index.ts';
import { DEFAULT_REMINDERS, type ReminderPolicy } from '../policy/reminders.ts';
import type { ExitCode } from '../policy/status.ts';
import { accountRoles } from '../sources/aws/account-roles.ts';
import { UsageError } from '../usage-error.ts';
import { type Io, numberOption, parseCommandLine } from './io.ts';

const LOCAL_DEFAULTS = { port: 8787, intervalSeconds: 3600 } as const;

export const LOCAL_USAGE = `Usage: certvigil local [--port N] [--data DIR] [--interval SECONDS] [--outbox FILE]
                       [--probe-concurrency N] [--discover-region R]... [--account-role ARN]...
                       [--source-tag TAG] [--ct-domain DOMAIN]... [--ct-issuer ORG]...
                       [--ct-provider certspotter|crtsh] [--ct-enrol auto|report] [--ct-url URL]
                       [--ct-max-per-run N] [--remind-critical-hours H] [--remind-warning-hours H]
                       [--remind-info-hours H] [--escalate-after-hours H] [--ca FILE]...

Runs the whole monitor on this machine: DynamoDB Local as the store (in memory, or kept in
DIR with --data), the dashboard and the admin API on http://127.0.0.1:PORT (default ${LOCAL_DEFAULTS.port}) behind a bearer
token (printed at start, or CERTVIGIL_LOCAL_TOKEN), the dispatcher every SECONDS (default
${LOCAL_DEFAULTS.intervalSeconds}) and on POST /dispatch, and notifications on stdout, in the outbox file (one JSON
object per line) and to every channel its environment variables configure:
  SLACK_WEBHOOK_URL                          Slack incoming webhook
  TEAMS_WEBHOOK_URL                          Microsoft Teams Workflows webhook
  PAGERDUTY_ROUTING_KEY [PAGERDUTY_EVENTS_URL]  PagerDuty Events API v2 (or a stand-in)
  WEBHOOK_URL WEBHOOK_SECRET                 any HTTPS endpoint, HMAC-SHA256 signed
At most N probes run at once (default 16). Ctrl-C stops everything within seconds.

Discovery (POST /discover, or "certvigil discover") lists what your AWS account holds and serves
with your own AWS credentials (AWS_PROFILE, AWS_REGION…) in the --discover-region regions
(default: AWS_REGION), and other accounts through --account-role; secrets and parameters only
when tagged TAG (default certvigil). Without credentials it says so and nothing else changes.
With --ct-domain it also reads the certificates Certificate Transparency logged for those domains
(no AWS credentials needed): names nobody watches are enrolled (tag ct) and announced once; a CA
outside --ct-issuer is announced as unexpected; at most --ct-max-per-run N (default
${CT_MAX_PER_RUN.default}) enrolments and announcements per domain and run, the rest in the next runs.
CT_API_TOKEN: a Cert Spotter API token (optional).

Certificates are trusted when they chain to the system's CAs, to those in the file
NODE_EXTRA_CA_CERTS names, or to those in each --ca FILE (PEM): a private CA goes there.

Unacknowledged open events are reminded every --remind-critical-hours (default 24),
--remind-warning-hours (168) and --remind-info-hours (0: never), and critical ones escalated after
--escalate-after-hours (48; 0: never), as the stack's settings of the same names. Decimals are
accepted, to try reminders out (0.01 is 36 s).`;

export async function runLocal(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parse(argv);
  const port = numberOption(values.port, '--port', { min: 0, max: 65535, integer: true }) ?? LOCAL_DEFAULTS.port;
  const intervalSeconds =
    numberOption(values.interval, '--interval', { min: 1, max: 7 * 86_400, integer: true }) ??
    LOCAL_DEFAULTS.intervalSeconds;
  const probeConcurrency = numberOption(values['probe-concurrency'], '--probe-concurrency', {
    min: 1,
    max: 256,
    integer: true,
  });
  const reminders = reminderOptions(values);
  const caFiles = values.ca ?? [];
  try {
    TrustStore.withCaFiles(caFiles); // said now, not at the first check
  } catch (error) {
    throw new UsageError(`--ca: ${(error as Error).message}`);
  }
  // A port in use is said at once, before DynamoDB Local is started for nothing.
  if (port !== 0) await portFree(port);
  let roles: Awaited<ReturnType<typeof accountRoles>>;
  try {
    roles = accountRoles(values['account-role'] ?? []);
  } catch (error) {
    throw new UsageError(`--account-role: ${(error as Error).message}`);
  }
  const regions = (values['discover-region'] ?? [])
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter(Boolean);
  const badRegion = regions.find((r) => !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r));
  if (badRegion) throw new UsageError(`--discover-region "${badRegion}" is not a region name like eu-west-1`);
  const sourceTag = values['source-tag'];
  if (sourceTag !== undefined && !/^[\w.:/=+@-]{1,128}$/.test(sourceTag)) {
    throw new UsageError(`--source-tag "${sourceTag.slice(0, 80)}" is not a tag key`);
  }
  const ctDomains = (values['ct-domain'] ?? [])
    .flatMap((d) => d.split(','))
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
  const badDomain = ctDomains.find((d) => !CT_DOMAIN.test(d));
  if (badDomain) throw new UsageError(`--ct-domain "${badDomain.slice(0, 80)}" is not a domain name like example.com`);
  const ctProvider = values['ct-provider'] ?? 'certspotter';
  if (!isCtProviderName(ctProvider))
    throw new UsageError(`--ct-provider must be one of ${CT_PROVIDER_NAMES.join(', ')}`);
  const ctEnrol = values['ct-enrol'] ?? 'auto';
  if (!isCtEnrolMode(ctEnrol)) throw new UsageError(`--ct-enrol must be one of ${CT_ENROL_MODES.join(', ')}`);
  const ctMaxPerRun = numberOption(values['ct-max-per-run'], '--ct-max-per-run', {
    min: CT_MAX_PER_RUN.min,
    max: CT_MAX_PER_RUN.max,
    integer: true,
  });
  const ctUrl = values['ct-url'];
  if (ctUrl !== undefined && !/^https:\/\/\S+$/.test(ctUrl)) throw new UsageError('--ct-url must be an https URL');
  let channels: ConfiguredChannel[];
  try {
    channels = channelsFromEnv(io.env);
  } catch (error) {
    if (error instanceof ChannelConfigError) throw new UsageError(error.message);
    throw error;
  }
  // The functions' JSON logs and metrics are for CloudWatch; on a terminal, warnings are enough.
  quietFunctionLogs(io.env);
  const { newLocalToken, startLocalMode } = await import('../local/local-mode.ts');
  const token = io.env.CERTVIGIL_LOCAL_TOKEN?.trim() || newLocalToken();
  io.stderr('starting DynamoDB Local…\n');
  const local = await startLocalMode({
    port,
    dataDir: values.data,
    intervalSeconds,
    outboxPath: values.outbox,
    token,
    channels,
    probeConcurrency,
    reminders,
    caFiles,
    discovery: { regions, roles, sourceTag },
    ct: {
      domains: ctDomains,
      issuers: values['ct-issuer'] ?? [],
      provider: ctProvider,
      enrol: ctEnrol,
      maxPerRun: ctMaxPerRun,
      token: io.env.CT_API_TOKEN?.trim() || undefined,
      baseUrl: ctUrl,
    },
    print: (text) => io.stdout(text),
  });
  io.stdout(
    [
      'certvigil local mode',
      `  admin API:  ${local.url}`,
      `  dashboard:  ${local.url}/ (paste the token when it asks)`,
      `  token:      ${token}`,
      `  try:        CERTVIGIL_URL=${local.url} CERTVIGIL_TOKEN=${token} npx certvigil targets add example.com`,
      `  store:      DynamoDB Local, ${values.data ? `kept in ${values.data}` : 'in memory'}${local.isolation === 'netns' ? ' (private network namespace)' : ''}`,
      `  outbox:     ${local.outboxPath}${values.outbox || values.data ? '' : ' (removed at stop: --outbox FILE or --data DIR keeps it)'}`,
      `  dispatch:   every ${intervalSeconds} s, and on POST ${local.url}/dispatch`,
      `  trust:      the system's CAs${io.env.NODE_EXTRA_CA_CERTS ? `, NODE_EXTRA_CA_CERTS (${io.env.NODE_EXTRA_CA_CERTS})` : ''}${caFiles.length ? `, --ca ${caFiles.join(', ')}` : ''} (a private CA: --ca FILE)`,
      `  reminders:  critical every ${every(reminders.everyHours.critical)}, warning every ${every(reminders.everyHours.warning)}${reminders.everyHours.info ? `, info every ${every(reminders.everyHours.info)}` : ''}, escalation ${reminders.escalateAfterHours ? `after ${reminders.escalateAfterHours} h` : 'never'}`,
      `  channels:   ${
        channels.length
          ? channels.map((c) => c.channel.title).join(', ')
          : `none (set ${Object.values(CHANNELS)
              .map((c) => c.env)
              .map((v) => v[0])
              .join(', ')}…)`
      }`,
      `  discovery:  on POST ${local.url}/discover (certvigil discover), with your AWS credentials${regions.length ? ` in ${regions.join(', ')}` : ''}`,
      ...(ctDomains.length ? [`  CT:         ${ctDomains.join(', ')} (${ctProvider}), with each discovery`] : []),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.stderr('stopping…\n');
  await local.stop();
  io.stderr('stopped\n');
  // A probe that was mid-handshake at Ctrl-C would hold the process until its timeout: do not wait.
  setTimeout(() => process.exit(0), 500).unref();
  return 0;
}

/** Refuses a port something already listens on (127.0.0.1), in one line. */
async function portFree(port: number): Promise<void> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`port ${port} is in use (another local mode?); pick another with --port`)
          : error,
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** The reminder settings (hours, decimals allowed; 0: never), defaults as deployed. */
function reminderOptions(values: ReturnType<typeof parse>['values']): ReminderPolicy {
  const hours = (flag: keyof typeof values, fallback: number) =>
    numberOption(values[flag] as string | undefined, `--${flag}`, { min: 0, max: 8_760, integer: false }) ?? fallback;
  return {
    everyHours: {
      critical: hours('remind-critical-hours', DEFAULT_REMINDERS.everyHours.critical),
      warning: hours('remind-warning-hours', DEFAULT_REMINDERS.everyHours.warning),
      info: hours('remind-info-hours', DEFAULT_REMINDERS.everyHours.info),
    },
    escalateAfterHours: hours('escalate-after-hours', DEFAULT_REMINDERS.escalateAfterHours),
  };
}

function every(hours: number): string {
  return hours ? `${hours} h` : 'never';
}

function parse(argv: string[]) {
  return parseCommandLine({
    args: argv,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      interval: { type: 'string' },
      outbox: { type: 'string' },
      'probe-concurrency': { type: 'string' },
      'discover-region': { type: 'string', multiple: true },
      'account-role': { type: 'string', multiple: true },
      'source-tag': { type: 'string' },
      'ct-domain': { type: 'string', multiple: true },
      'ct-issuer': { type: 'string', multiple: true },
      'ct-provider': { type: 'string' },
      'ct-url': { type: 'string' },
      'ct-enrol': { type: 'string' },
      'ct-max-per-run': { type: 'string' },
      'remind-critical-hours': { type: 'string' },
      'remind-warning-hours': { type: 'string' },
      'remind-info-hours': { type: 'string' },
      'escalate-after-hours': { type: 'string' },
      ca: { type: 'string', multiple: true },
    },
  });
}
