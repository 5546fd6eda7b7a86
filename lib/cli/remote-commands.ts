import { readFileSync } from 'node:fs';
import type { TargetView } from '../admin/admin-api.ts';
import type { DiscoverySummary } from '../discovery/enrol.ts';
import { AdminError } from '../net/admin-client.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { combinedExitCode, type ExitCode } from '../policy/status.ts';
import { UsageError } from '../usage-error.ts';
import type { Io } from './io.ts';
import { adminClientFor, idPath, parseRemote } from './remote-options.ts';
import { formatColumns, renderTable } from './render-table.ts';
import { certs, report, where } from './report-commands.ts';

export const REMOTE_USAGE = `Remote commands talk to a deployed admin URL (--url or CERTVIGIL_URL), signing requests with
SigV4 from the standard AWS credential chain; for local mode, give its token (--token or
CERTVIGIL_TOKEN) instead.

  certvigil targets list [--status S] [--tag T] [--json]
  certvigil targets add TARGET [--owner O] [--tag T]... [--notes N] [--warn-days N] [--crit-days N]
                       [--interval MINUTES] [--servername NAME] [--address IP]... [--disabled]
                       [--findings-invalid] [--json]
  certvigil targets rm ID
  certvigil targets import FILE [--json]     (one target per line, or CSV with a host column)
  certvigil report [--view targets|certificates] [--format table|csv|json] [--out FILE]
                                             (any size: read in pages, written as it goes)
  certvigil report --export [--view V] [--format csv|json]   (deployed: the report written to S3,
                                              waited for; prints a download link valid 15 minutes)
  certvigil check-now ID [--json]
  certvigil test-alert [--json]              (a test notification to every channel: email, Slack, Teams,
                                              PagerDuty, webhook)
  certvigil discover [--json]                (enrol what the AWS account holds and serves; exit 1 when
                                              a service could not be listed somewhere)
  certvigil certs [--expiring DAYS] [--status S] [--json]   (every certificate, where it is, its rollout)
  certvigil where FINGERPRINT|TARGET [--json]               (the locations serving a certificate)

Common options: --url URL, --token TOKEN, --region REGION.`;

/** Runs `targets …`, `report` or `check-now`; returns the exit status. */
export async function runRemote(command: string, argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  try {
    if (command === 'report') return await report(argv, io, env);
    if (command === 'check-now') return await checkNow(argv, io, env);
    if (command === 'test-alert') return await testAlert(argv, io, env);
    if (command === 'discover') return await discover(argv, io, env);
    if (command === 'certs') return await certs(argv, io, env);
    if (command === 'where') return await where(argv, io, env);
    const [sub, ...rest] = argv;
    if (sub === 'list') return await list(rest, io, env);
    if (sub === 'add') return await add(rest, io, env);
    if (sub === 'rm' || sub === 'remove' || sub === 'delete') return await remove(rest, io, env);
    if (sub === 'import') return await importFile(rest, io, env);
    throw new UsageError(`targets needs one of list, add, rm, import${sub ? ` (got "${sub}")` : ''}`);
  } catch (error) {
    if (error instanceof AdminError) {
      io.stderr(`certvigil: ${error.message}\n`);
      return 3;
    }
    throw error;
  }
}

async function list(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, { status: { type: 'string' }, tag: { type: 'string' } });
  if (positionals.length) throw new UsageError(`targets list takes no arguments (got "${positionals[0]}")`);
  const admin = adminClientFor(values, env);
  const items: TargetView[] = [];
  let cursor: string | undefined;
  do {
    const page = await admin.json<{ items: TargetView[]; nextCursor: string | null }>('GET', '/targets', {
      query: { limit: '500', status: values.status, tag: values.tag, cursor },
    });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (values.json) {
    io.stdout(`${JSON.stringify(items, null, 2)}\n`);
    return 0;
  }
  const rows = items
    .sort(
      (a, b) =>
        (a.lastCheck?.notAfter ?? '9999').localeCompare(b.lastCheck?.notAfter ?? '9999') || a.id.localeCompare(b.id),
    )
    .map((t) => [
      t.id,
      t.enabled ? (t.lastCheck?.status ?? 'unchecked') : 'disabled',
      t.lastCheck?.daysLeft === null || t.lastCheck?.daysLeft === undefined ? '-' : String(t.lastCheck.daysLeft),
      t.lastCheck?.notAfter?.slice(0, 10) ?? '-',
      t.owner ?? '-',
      t.tags.join(' ') || '-',
      t.nextCheckAt.slice(0, 16).replace('T', ' '),
    ]);
  io.stdout(`${formatColumns(['TARGET', 'STATUS', 'DAYS', 'EXPIRES', 'OWNER', 'TAGS', 'NEXT CHECK (UTC)'], rows)}\n`);
  if (items.length === 0) io.stderr('no targets yet: add one with certvigil targets add HOST\n');
  return 0;
}

async function add(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {
    owner: { type: 'string' },
    tag: { type: 'string', multiple: true },
    notes: { type: 'string' },
    'warn-days': { type: 'string' },
    'crit-days': { type: 'string' },
    interval: { type: 'string' },
    servername: { type: 'string' },
    address: { type: 'string', multiple: true },
    disabled: { type: 'boolean' },
    'findings-invalid': { type: 'boolean' },
  });
  const [host, extra] = positionals;
  if (!host) throw new UsageError('targets add needs a TARGET (host, host:port, host:port/protocol or URL)');
  if (extra) throw new UsageError(`targets add takes one TARGET (got also "${extra}")`);
  const body = {
    host,
    owner: values.owner,
    tags: values.tag,
    notes: values.notes,
    warnDays: values['warn-days'],
    critDays: values['crit-days'],
    intervalMinutes: values.interval,
    servername: values.servername,
    addresses: values.address,
    enabled: values.disabled ? false : undefined,
    findingsInvalid: values['findings-invalid'] ? true : undefined,
  };
  const reply = await adminClientFor(values, env).request('POST', '/targets', { body: JSON.stringify(body) });
  const view = JSON.parse(reply.text) as TargetView;
  io.stdout(
    values.json ? `${JSON.stringify(view, null, 2)}\n` : `${reply.status === 201 ? 'added' : 'updated'} ${view.id}\n`,
  );
  return 0;
}

async function remove(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {});
  if (positionals.length !== 1) throw new UsageError('targets rm needs exactly one target ID');
  const id = positionals[0] as string;
  await adminClientFor(values, env).request('DELETE', idPath(id));
  io.stdout(`removed ${id}\n`);
  return 0;
}

async function importFile(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {});
  if (positionals.length !== 1) throw new UsageError('targets import needs exactly one FILE (- for stdin)');
  const file = positionals[0] as string;
  let text: string;
  try {
    text = file === '-' ? io.readStdin() : readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const result = await adminClientFor(values, env).json<{
    created: number;
    updated: number;
    unchanged: number;
    rejected: number;
    rows: { row: number; id?: string; result: string; problems?: { field: string; message: string }[] }[];
  }>('POST', '/import', { body: text, contentType: 'text/csv' });
  if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else {
    io.stdout(
      `${result.created} created, ${result.updated} updated, ${result.unchanged ?? 0} unchanged, ${result.rejected} rejected\n`,
    );
    for (const row of result.rows.filter((r) => r.result === 'rejected')) {
      io.stdout(
        `  ${file}:${row.row}: ${(row.problems ?? []).map((p) => (p.field === 'row' ? p.message : `${p.field}: ${p.message}`)).join('; ')}\n`,
      );
    }
  }
  return result.rejected > 0 ? 3 : 0;
}

async function checkNow(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {});
  if (positionals.length !== 1) throw new UsageError('check-now needs exactly one target ID');
  const result = await adminClientFor(values, env).json<CheckResult & { events: { event: string }[] }>(
    'POST',
    idPath(positionals[0] as string, '/check'),
  );
  io.stdout(
    values.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderTable([result], { color: io.stdoutColor })}\n`,
  );
  return combinedExitCode([result.status]);
}

async function testAlert(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {});
  if (positionals.length) throw new UsageError(`test-alert takes no arguments (got "${positionals[0]}")`);
  const sent = await adminClientFor(values, env).json<{ id: string; sentAt: string; detail: string }>(
    'POST',
    '/test-alert',
  );
  io.stdout(values.json ? `${JSON.stringify(sent, null, 2)}\n` : `test notification ${sent.id} sent: ${sent.detail}\n`);
  return 0;
}

async function discover(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {});
  if (positionals.length) throw new UsageError(`discover takes no arguments (got "${positionals[0]}")`);
  const answer = await adminClientFor(values, env).json<DiscoverySummary | { detail: string }>('POST', '/discover');
  if (values.json) {
    io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
    return 'problems' in answer && discoveryIncomplete(answer) ? 1 : 0;
  }
  if (!('problems' in answer)) {
    io.stdout(`${answer.detail}\n`);
    return 0;
  }
  io.stdout(describeDiscovery(answer));
  return discoveryIncomplete(answer) ? 1 : 0;
}

/** Something could not be seen: a scope not listed, or a CT provider not read. */
export function discoveryIncomplete(s: DiscoverySummary): boolean {
  return s.problems.length > 0 || (s.ct ?? []).some((d) => d.problem !== null);
}

/** A discovery summary for people: counts first, then what changed and what could not be seen. */
export function describeDiscovery(s: DiscoverySummary): string {
  const services = Object.entries(s.byService)
    .map(([service, n]) => `${service} ${n}`)
    .join(', ');
  const lines = [
    ...(s.accountUnavailable ? [`AWS account not listed: ${s.accountUnavailable}`] : []),
    `discovery: ${s.found} found${services ? ` (${services})` : ''}; ${s.enrolled} enrolled, ${s.alreadyWatched} already watched`,
  ];
  const list = (title: string, items: string[]) => {
    if (items.length) lines.push(`${title}:`, ...items.map((item) => `  ${item}`));
  };
  list('enrolled', s.enrolledIds);
  list('gone (disabled, reported once)', s.vanished);
  list('back (enabled again)', s.returned);
  list(
    'could not list',
    s.problems.map((p) => `${p.service} in ${p.region}, account ${p.account} (${p.kind}): ${p.message}`),
  );
  list(
    'not valid as targets',
    s.invalid.map((i) => `${i.target}: ${i.problem}`),
  );
  list(
    'passed over',
    Object.entries(s.skipped).map(([reason, n]) => `${reason}: ${n}`),
  );
  list(
    'Certificate Transparency',
    (s.ct ?? []).map((d) =>
      d.problem
        ? `${d.domain}: ${d.provider} could not be read (${d.problem}); nothing inferred`
        : `${d.domain}: ${d.read} new, ${d.matched} already watched, ${d.unlisted} unlisted (${d.enrolled.length} enrolled), ${d.unexpectedIssuer} from an unexpected CA${d.stoppedEarly ? `; stopped early: ${d.stoppedEarly}` : ''}`,
    ),
  );
  return `${lines.join('\n')}\n`;
}
