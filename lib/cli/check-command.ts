import { isAbsolute, resolve } from 'node:path';
import { TrustStore } from '../certificate/trust-store.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import { ipFamily } from '../ip-family.ts';
import { DEFAULT_MAX_ADDRESSES } from '../net/resolve-addresses.ts';
import { DEFAULT_TIMEOUTS, timeoutsWithTotal } from '../net/timeouts.ts';
import { fs } from '../node-builtins.ts';
import { openMetrics } from '../observability/openmetrics.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { combinedExitCode, type ExitCode, STATUSES } from '../policy/status.ts';
import { ALL_READERS, checkSource } from '../sources/registry.ts';
import type { SourceRequest } from '../sources/source-context.ts';
import { parseTargetFile } from '../targets/import-file.ts';
import { parsePort, parseTargetString } from '../targets/parse-target.ts';
import { canonicalHost, InvalidTargetError } from '../targets/target-id.ts';
import { normalizeTarget, type Target, TargetValidationError } from '../targets/target-schema.ts';
import { UsageError } from '../usage-error.ts';
import { DEFAULT_CONCURRENCY } from './check-usage.ts';
import { fileProblem, type Io, numberOption, parseCommandLine } from './io.ts';
import { renderTable } from './render-table.ts';

/** How `check` prints its results. */
const FORMATS = ['table', 'json', 'openmetrics'] as const;
type Format = (typeof FORMATS)[number];

interface CheckArgs {
  requests: SourceRequest[];
  /** Owners by target id (from a file's owner column), for the metrics' labels. */
  owners: Map<string, string | null>;
  format: Format;
  offline: boolean;
  trust: TrustStore;
  endpointMs: number;
  concurrency: number;
  maxAddresses: number;
  warnDays: number | undefined;
  critDays: number | undefined;
}

export async function runCheck(argv: string[], io: Io): Promise<ExitCode> {
  const args = parseCheckArgs(argv, io);
  // On a terminal, progress and a closing totals line go to stderr, whatever stdout holds.
  const progress = io.stderrIsTTY && args.requests.length > 1;
  const started = Date.now();
  const results = await mapWithConcurrency(
    args.requests,
    args.concurrency,
    (request) =>
      checkSource(
        request,
        {
          trust: args.trust,
          timeouts: timeoutsWithTotal(args.endpointMs),
          maxAddresses: args.maxAddresses,
          thresholds: { warnDays: args.warnDays, critDays: args.critDays },
          allowFiles: true,
          onlineChecks: !args.offline,
          now: () => new Date(),
        },
        ALL_READERS,
      ),
    progress ? (done, total) => io.stderr(`\rchecked ${done}/${total}`) : undefined,
  );
  if (progress) io.stderr('\r\x1b[K');
  io.stdout(
    args.format === 'json'
      ? `${JSON.stringify(results, null, 2)}\n`
      : args.format === 'openmetrics'
        ? openMetrics(
            results.map((result, i) => ({
              target: result.target,
              kind: result.kind,
              owner: args.owners.get(args.requests[i]?.id ?? '') ?? null,
              result,
            })),
          )
        : `${renderTable(results, { color: io.stdoutColor })}\n`,
  );
  if (io.stderrIsTTY) io.stderr(`${totalsLine(results, Date.now() - started)}\n`);
  return combinedExitCode(results.map((r: CheckResult) => r.status));
}

/** `checked 3 targets in 0.4 s: 1 ok, 1 warning, 1 expired`: counts by status, worst last. */
export function totalsLine(results: readonly CheckResult[], ms: number): string {
  const counts = STATUSES.map((status) => [status, results.filter((r) => r.status === status).length] as const);
  const parts = counts.filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status}`);
  const n = results.length;
  return `checked ${n} target${n === 1 ? '' : 's'} in ${(ms / 1000).toFixed(1)} s: ${parts.join(', ')}`;
}

function parseCheckArgs(argv: string[], io: Io): CheckArgs {
  const { values, positionals } = parse(argv);
  const targets: Target[] = [];
  for (const text of positionals) targets.push(targetFromArgument(text));
  if (values.file !== undefined) targets.push(...targetsFromFile(values.file, io));
  if (targets.length === 0)
    throw new UsageError('no targets: give TARGET arguments or --file FILE (see certvigil check --help)');

  const servername = values.servername === undefined ? undefined : servernameArgument(values.servername);
  const pins = parseResolveOptions(values.resolve ?? []);
  const requests = new Map<string, SourceRequest>();
  for (const target of targets) {
    const pinned = pins.get(`${target.host}:${target.port}`);
    if (pinned) pinned.used = true;
    requests.set(target.id, {
      ...target,
      servername: servername ?? target.servername,
      addresses: pinned?.addresses ?? target.addresses,
    });
  }
  for (const [key, pin] of pins) {
    if (!pin.used) throw new UsageError(`--resolve ${key}:… matches no target (host and port must match a target's)`);
  }

  const warnDays = numberOption(values['warn-days'], '--warn-days', { min: 0, integer: false });
  const critDays = numberOption(values['crit-days'], '--crit-days', { min: 0, integer: false });
  if (warnDays !== undefined && critDays !== undefined && critDays > warnDays) {
    throw new UsageError(`--crit-days ${critDays} must not be more than --warn-days ${warnDays}`);
  }
  let trust: TrustStore;
  try {
    trust = TrustStore.withCaFiles(values.ca ?? []);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    requests: [...requests.values()],
    owners: new Map(targets.map((t) => [t.id, t.owner ?? null])),
    format: formatOption(values.format, values.json ?? false),
    offline: values.offline ?? false,
    trust,
    endpointMs: numberOption(values.timeout, '--timeout', { min: 1, integer: true }) ?? DEFAULT_TIMEOUTS.endpointMs,
    concurrency:
      numberOption(values.concurrency, '--concurrency', { min: 1, integer: true, max: 1000 }) ?? DEFAULT_CONCURRENCY,
    maxAddresses:
      numberOption(values['max-addresses'], '--max-addresses', { min: 1, integer: true, max: 64 }) ??
      DEFAULT_MAX_ADDRESSES,
    warnDays,
    critDays,
  };
}

function formatOption(given: string | undefined, json: boolean): Format {
  if (given === undefined) return json ? 'json' : 'table';
  if (!(FORMATS as readonly string[]).includes(given)) {
    throw new UsageError(`--format takes ${FORMATS.join(', ')} (got "${given.slice(0, 40)}")`);
  }
  if (json && given !== 'json') throw new UsageError(`--json and --format ${given} ask for two formats; give one`);
  return given as Format;
}

function parse(argv: string[]) {
  return parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string' },
      offline: { type: 'boolean' },
      resolve: { type: 'string', multiple: true },
      ca: { type: 'string', multiple: true },
      servername: { type: 'string' },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
      'max-addresses': { type: 'string' },
      'warn-days': { type: 'string' },
      'crit-days': { type: 'string' },
    },
  });
}

function targetFromArgument(argument: string): Target {
  // `file:./bundle.pem` is relative to where the command runs.
  const file = /^file:(.*)$/is.exec(argument.trim());
  const text = file && !isAbsolute(file[1] ?? '') ? `file:${resolve(file[1] ?? '')}` : argument;
  try {
    return normalizeTarget({ host: text });
  } catch (error) {
    if (error instanceof TargetValidationError) {
      throw new UsageError(`target "${argument}": ${error.problems.map((p) => p.message).join('; ')}`);
    }
    throw error;
  }
}

function targetsFromFile(path: string, io: Io): Target[] {
  let text: string;
  try {
    text = path === '-' ? io.readStdin() : fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --file ${path}: ${fileProblem(error)}`);
  }
  const { targets, problems } = parseTargetFile(text);
  const [first] = problems;
  if (first) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more bad rows)` : '';
    throw new UsageError(`${path}:${first.line}: ${first.message}${more}`);
  }
  return targets.map((t) => t.target);
}

function servernameArgument(text: string): string {
  try {
    const name = canonicalHost(text);
    if (ipFamily(name) !== 0)
      throw new UsageError(`--servername must be a host name, not an IP address (got "${text}")`);
    return name;
  } catch (error) {
    if (error instanceof InvalidTargetError) throw new UsageError(`--servername: ${error.message}`);
    throw error;
  }
}

/** `--resolve host:port:addr[,addr]`, as curl takes it. */
function parseResolveOptions(entries: string[]): Map<string, { addresses: string[]; used: boolean }> {
  const pins = new Map<string, { addresses: string[]; used: boolean }>();
  for (const entry of entries) {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+):(.+)$/.exec(entry);
    if (!match) throw new UsageError(`--resolve "${entry}" is not host:port:address[,address]`);
    const [, hostText = '', portText = '', addressText = ''] = match;
    try {
      const host = parseTargetString(hostText).host;
      const port = parsePort(portText);
      const addresses = addressText.split(',').map((a) => {
        const address = a.trim().replace(/^\[(.*)\]$/, '$1');
        if (ipFamily(address) === 0) throw new UsageError(`--resolve "${entry}": "${a}" is not an IP address`);
        return canonicalHost(address);
      });
      pins.set(`${host}:${port}`, { addresses, used: false });
    } catch (error) {
      if (error instanceof InvalidTargetError) throw new UsageError(`--resolve "${entry}": ${error.message}`);
      throw error;
    }
  }
  return pins;
}
