import { readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import type { TargetView } from '../admin/admin-api.ts';
import { type CertificateView, canonicalFingerprint } from '../admin/certificate-views.ts';
import { type ReportRow, reportChunks } from '../admin/report.ts';
import type { DiscoverySummary } from '../discovery/enrol.ts';
import { AdminClient, AdminError } from '../net/admin-client.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { combinedExitCode, type ExitCode } from '../policy/status.ts';
import { UsageError } from '../usage-error.ts';
import { type Io, parseCommandLine } from './io.ts';
import { formatColumns, renderTable } from './render-table.ts';

export const REMOTE_USAGE = `Remote commands talk to a deployed admin URL (--url or CERTVIGIL_URL), signing requests with
SigV4 from the standard AWS credential chain; for local mode, give its token (--token or
CERTVIGIL_TOKEN) instead.

  certvigil targets list [--status S] [--tag T] [--json]
  certvigil targets add TARGET [--owner O] [--tag T]... [--notes N] [--warn-days N] [--crit-days N]
                       [--interval MINUTES] [--servername NAME] [--address IP]... [--disabled]
                       [--findings-invalid] [--json]
  certvigil targets rm ID
  certvigil targets import FILE [--json]     (one target per line, or CSV with a host column)
  certvigil report [--format table|csv|json] [--out FILE]   (any size: read in pages, written as it goes)
  certvigil check-now ID [--json]
  certvigil test-alert [--json]              (a test notification to every channel: email, Slack, Teams,
                                              PagerDuty, webhook)
  certvigil discover [--json]                (enrol what the AWS account holds and serves; exit 1 when
                                              a service could not be listed somewhere)
  certvigil certs [--expiring DAYS] [--status S] [--json]   (every certificate, where it is, its rollout)
  certvigil where FINGERPRINT|TARGET [--json]               (the locations serving a certificate)
  certvigil report --view certificates [--format table|csv|json]

Common options: --url URL, --token TOKEN, --region REGION.`;

const COMMON = {
  url: { type: 'string' },
  token: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function parse<T extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>(
  argv: string[],
  options: T,
) {
  return parseCommandLine({ args: argv, allowPositionals: true, options: { ...COMMON, ...options } });
}

export function adminClientFor(
  values: { url?: string | undefined; token?: string | undefined; region?: string | undefined },
  env: NodeJS.ProcessEnv,
): AdminClient {
  const url = values.url ?? env.CERTVIGIL_URL;
  if (!url)
    throw new UsageError(
      "no admin URL: pass --url or set CERTVIGIL_URL (the stack output AdminUrl, or local mode's address)",
    );
  return new AdminClient({
    url,
    token: values.token ?? env.CERTVIGIL_TOKEN,
    region: values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
  });
}

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

function idPath(id: string, suffix = ''): string {
  return `/targets/${encodeURIComponent(id)}${suffix}`;
}

async function list(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parse(argv, { status: { type: 'string' }, tag: { type: 'string' } });
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
  const { values, positionals } = parse(argv, {
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
  const { values, positionals } = parse(argv, {});
  if (positionals.length !== 1) throw new UsageError('targets rm needs exactly one target ID');
  const id = positionals[0] as string;
  await adminClientFor(values, env).request('DELETE', idPath(id));
  io.stdout(`removed ${id}\n`);
  return 0;
}

async function importFile(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parse(argv, {});
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

/** Rows asked for per page of the report (the admin API's largest page). */
const REPORT_PAGE = 500;

async function report(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parse(argv, {
    format: { type: 'string' },
    view: { type: 'string' },
    out: { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`report takes no arguments (got "${positionals[0]}")`);
  const format =
    values.format ?? (values.json ? 'json' : values.out?.endsWith('.json') ? 'json' : values.out ? 'csv' : 'table');
  if (!['table', 'csv', 'json'].includes(format))
    throw new UsageError(`--format must be table, csv or json (got "${format}")`);
  const view = values.view ?? 'targets';
  if (view !== 'targets' && view !== 'certificates') {
    throw new UsageError(`--view must be targets or certificates (got "${view}")`);
  }
  if (values.out !== undefined && (values.out === '' || format === 'table')) {
    throw new UsageError('--out writes csv or json: give --format csv or json (or a FILE ending in .json)');
  }
  const admin = adminClientFor(values, env);
  if (view === 'certificates') {
    if (values.out !== undefined) throw new UsageError('--out writes the targets view; the certificates view prints');
    if (format === 'table')
      return certs([...argv.filter((a) => !a.startsWith('--view') && a !== 'certificates')], io, env);
    io.stdout((await admin.request('GET', '/report', { query: { format, view } })).text);
    if (format === 'json') io.stdout('\n');
    return 0;
  }
  if (format === 'table') {
    const rows: ReportRow[] = [];
    for await (const page of reportPages(admin)) rows.push(...page);
    io.stdout(
      `${formatColumns(
        ['STATUS', 'DAYS', 'EXPIRES', 'TARGET', 'OWNER', 'ISSUER'],
        rows.map((r) => [
          String(r.status),
          r.daysLeft === null ? '-' : String(r.daysLeft),
          String(r.notAfter ?? '-').slice(0, 10),
          String(r.target),
          String(r.owner ?? '-'),
          String(r.issuer ?? '-'),
        ]),
      )}\n`,
    );
    return 0;
  }
  // CSV or JSON, page by page: to the file (through FILE.partial, renamed when complete) or stdout.
  const file = values.out;
  const partial = file ? `${file}.partial` : undefined;
  const handle = partial ? await open(partial, 'w') : undefined;
  const write = async (text: string) => {
    if (handle) await handle.write(text);
    else io.stdout(text);
  };
  const progress = Boolean(file) || io.stderrIsTTY;
  let written = 0;
  try {
    for await (const chunk of reportChunks(reportPages(admin), format as 'csv' | 'json')) {
      await write(chunk.text);
      written += chunk.rows;
      if (progress && chunk.rows) io.stderr(`\rreport: ${written} targets written`);
    }
    await handle?.close();
    if (file && partial) await rename(partial, file);
  } catch (error) {
    await handle?.close();
    if (partial) await rm(partial, { force: true });
    if (progress) io.stderr('\n');
    throw error;
  }
  if (progress) io.stderr(`\rreport: ${written} targets written${file ? ` to ${file}` : ''}\n`);
  return 0;
}

/** The targets report, a page at a time, soonest expiry first: as large as the inventory is. */
async function* reportPages(admin: AdminClient): AsyncGenerator<ReportRow[]> {
  let cursor: string | null = null;
  do {
    const query: Record<string, string> = { format: 'json', limit: String(REPORT_PAGE) };
    if (cursor) query.cursor = cursor;
    const page: { items: ReportRow[]; nextCursor: string | null } = await admin.json('GET', '/report', { query });
    yield page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

async function checkNow(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parse(argv, {});
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
  const { values, positionals } = parse(argv, {});
  if (positionals.length) throw new UsageError(`test-alert takes no arguments (got "${positionals[0]}")`);
  const sent = await adminClientFor(values, env).json<{ id: string; sentAt: string; detail: string }>(
    'POST',
    '/test-alert',
  );
  io.stdout(values.json ? `${JSON.stringify(sent, null, 2)}\n` : `test notification ${sent.id} sent: ${sent.detail}\n`);
  return 0;
}

async function discover(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parse(argv, {});
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

function shortFingerprint(fingerprint: string): string {
  return `${fingerprint.slice(0, 11)}…`;
}

async function certs(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parse(argv, {
    expiring: { type: 'string' },
    status: { type: 'string' },
    format: { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`certs takes no arguments (got "${positionals[0]}")`);
  const views = await adminClientFor(values, env).json<CertificateView[]>('GET', '/certificates', {
    query: { expiringWithin: values.expiring, status: values.status },
  });
  if (values.json) {
    io.stdout(`${JSON.stringify(views, null, 2)}\n`);
    return 0;
  }
  io.stdout(
    `${formatColumns(
      ['STATUS', 'DAYS', 'EXPIRES', 'WHERE', 'SUBJECT', 'ROLLOUT', 'FINGERPRINT'],
      views.map((v) => [
        v.status,
        v.daysLeft === null ? '-' : String(v.daysLeft),
        (v.notAfter ?? '-').slice(0, 10),
        String(v.locations.length),
        (v.subject ?? '-').slice(0, 60),
        v.rollout ? `${v.rollout.done}/${v.rollout.total} replaced` : v.replacedBy ? 'replaced' : '-',
        shortFingerprint(v.fingerprint256),
      ]),
      { rightAlign: [1, 3] },
    )}\n`,
  );
  return 0;
}

async function where(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parse(argv, {});
  if (positionals.length !== 1) throw new UsageError('where needs one FINGERPRINT or TARGET');
  const admin = adminClientFor(values, env);
  const subject = positionals[0] as string;
  const fingerprints = canonicalFingerprint(subject)
    ? [canonicalFingerprint(subject) as string]
    : ((await admin.json<TargetView>('GET', idPath(subject))).lastCheck?.certificates
        .map((c) => c.fingerprint256)
        .filter((f): f is string => f !== null) ?? []);
  if (fingerprints.length === 0) throw new UsageError(`${subject} has no certificate on record yet`);
  const views: CertificateView[] = [];
  for (const fingerprint of fingerprints) {
    views.push(await admin.json<CertificateView>('GET', `/certificates/${encodeURIComponent(fingerprint)}`));
  }
  if (values.json) {
    io.stdout(`${JSON.stringify(views, null, 2)}\n`);
    return 0;
  }
  for (const v of views) {
    io.stdout(
      `${v.fingerprint256}\n  ${v.subject ?? '-'}, expires ${(v.notAfter ?? '-').slice(0, 10)} (${v.status})${v.replacedBy ? `, replaced by ${shortFingerprint(v.replacedBy)}` : ''}${v.rollout ? `, rollout ${v.rollout.done}/${v.rollout.total}` : ''}\n`,
    );
    for (const l of v.locations) io.stdout(`  ${l.target}  ${l.where}\n`);
    if (v.locations.length === 0) io.stdout('  (served nowhere now)\n');
  }
  return 0;
}
