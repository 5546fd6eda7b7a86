// `certvigil report`, `certs` and `where`: the inventory by target or by certificate, read a page at
// a time from the admin API (any size), printed, written to a file as pages arrive, or exported to
// S3 by a deployed stack (`--export`: started, waited for, its download link printed).
import { open, rename, rm } from 'node:fs/promises';
import type { TargetView } from '../admin/admin-api.ts';
import { type CertificateView, canonicalFingerprint } from '../admin/certificate-views.ts';
import type { ExportStatus } from '../admin/exports.ts';
import { type CertificateRow, type ReportRow, type ReportView, reportChunks } from '../admin/report.ts';
import type { AdminClient } from '../net/admin-client.ts';
import type { ExitCode } from '../policy/status.ts';
import { boundText } from '../text-bounds.ts';
import { UsageError } from '../usage-error.ts';
import type { Io } from './io.ts';
import { adminClientFor, idPath, parseRemote } from './remote-options.ts';
import { formatColumns } from './render-table.ts';

/** Rows asked for per page (the admin API's largest page). */
const PAGE = 500;

/** How often `report --export` asks whether the export is done, and for how long at most. */
const EXPORT_POLL_MS = 2_000;
const EXPORT_WAIT_MS = 16 * 60 * 1000;

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every page of a paged route, in order: as large as the inventory is. */
async function* pagesOf<T>(admin: AdminClient, path: string, query: Record<string, string | undefined>) {
  let cursor: string | null = null;
  do {
    const page: Page<T> = await admin.json('GET', path, {
      query: { ...query, limit: String(PAGE), ...(cursor ? { cursor } : {}) },
    });
    yield page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

export async function report(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv,
  options: { wait?: (ms: number) => Promise<void> } = {},
): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {
    format: { type: 'string' },
    view: { type: 'string' },
    out: { type: 'string' },
    export: { type: 'boolean' },
  });
  if (positionals.length) throw new UsageError(`report takes no arguments (got "${positionals[0]}")`);
  const format =
    values.format ??
    (values.json ? 'json' : values.out?.endsWith('.json') ? 'json' : values.out || values.export ? 'csv' : 'table');
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
  if (values.export) {
    if (format === 'table') throw new UsageError('--export writes csv or json: give --format csv or json');
    if (values.out !== undefined) throw new UsageError('--export leaves the file in S3 (a link); --out writes here');
    return exportToS3(admin, io, format as 'csv' | 'json', view, options.wait);
  }
  if (format === 'table') {
    if (view === 'certificates') return printCertificates(admin, io, {}, false);
    const rows: ReportRow[] = [];
    for await (const page of pagesOf<ReportRow>(admin, '/report', { format: 'json' })) rows.push(...page);
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
  const noun = view === 'certificates' ? 'certificates' : 'targets';
  let written = 0;
  try {
    const pages = pagesOf<ReportRow | CertificateRow>(admin, '/report', { format: 'json', view });
    for await (const chunk of reportChunks(pages, format as 'csv' | 'json', view)) {
      await write(chunk.text);
      written += chunk.rows;
      if (progress && chunk.rows) io.stderr(`\rreport: ${written} ${noun} written`);
    }
    await handle?.close();
    if (file && partial) await rename(partial, file);
  } catch (error) {
    await handle?.close();
    if (partial) await rm(partial, { force: true });
    if (progress) io.stderr('\n');
    throw error;
  }
  if (progress) io.stderr(`\rreport: ${written} ${noun} written${file ? ` to ${file}` : ''}\n`);
  return 0;
}

/** `report --export`: a deployed stack writes the report to S3; this waits and prints the link. */
async function exportToS3(
  admin: AdminClient,
  io: Io,
  format: 'csv' | 'json',
  view: ReportView,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<ExitCode> {
  const started = await admin.json<{ id: string; poll: string }>('POST', '/exports', { query: { format, view } });
  io.stderr(`export ${started.id} started\n`);
  const deadline = Date.now() + EXPORT_WAIT_MS;
  for (;;) {
    const status = await admin.json<ExportStatus>('GET', started.poll);
    if (status.status === 'done') {
      io.stderr(
        `export ${status.id}: ${status.rows} rows, ${status.bytes} bytes; the link works until ${status.expiresAt}\n`,
      );
      io.stdout(`${status.url}\n`);
      return 0;
    }
    if (status.status === 'failed') {
      io.stderr(`certvigil: export ${status.id} failed: ${status.detail ?? 'no reason given'}\n`);
      return 3;
    }
    if (Date.now() > deadline) {
      io.stderr(`certvigil: export ${started.id} still running after 16 minutes; ask again: GET ${started.poll}\n`);
      return 3;
    }
    await wait(EXPORT_POLL_MS);
  }
}

function shortFingerprint(fingerprint: string): string {
  return `${fingerprint.slice(0, 11)}…`;
}

export async function certs(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {
    expiring: { type: 'string' },
    status: { type: 'string' },
    format: { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`certs takes no arguments (got "${positionals[0]}")`);
  return printCertificates(
    adminClientFor(values, env),
    io,
    { expiringWithin: values.expiring, status: values.status },
    Boolean(values.json),
  );
}

/** Every certificate the filters let through, a page at a time, soonest expiry first. */
async function printCertificates(
  admin: AdminClient,
  io: Io,
  query: Record<string, string | undefined>,
  asJson: boolean,
): Promise<ExitCode> {
  const views: CertificateView[] = [];
  for await (const page of pagesOf<CertificateView>(admin, '/certificates', query)) views.push(...page);
  if (asJson) {
    io.stdout(`${JSON.stringify(views, null, 2)}\n`);
    return 0;
  }
  io.stdout(
    `${formatColumns(
      ['STATUS', 'DAYS', 'EXPIRES', 'WHERE', 'SUBJECT', 'ROLLOUT', 'FINGERPRINT', 'PROBLEM'],
      views.map((v) => [
        v.status,
        v.daysLeft === null ? '-' : String(v.daysLeft),
        (v.notAfter ?? '-').slice(0, 10),
        String(v.locationCount ?? v.locations.length),
        (v.subject ?? '-').slice(0, 60),
        v.rollout ? `${v.rollout.done}/${v.rollout.total} replaced` : v.replacedBy ? 'replaced' : '-',
        shortFingerprint(v.fingerprint256),
        v.problem ? `${boundText(v.problem, 60)} (at ${v.refusedCount} of ${v.locationCount})` : '-',
      ]),
      { rightAlign: [1, 3] },
    )}\n`,
  );
  return 0;
}

export async function where(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseRemote(argv, {});
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
    if (v.problem) io.stdout(`  refused at ${v.refusedCount} of ${v.locationCount}: ${boundText(v.problem, 300)}\n`);
    for (const l of v.locations)
      io.stdout(`  ${l.target}  ${boundText(l.where, 300)}${l.refused ? '  (refused)' : ''}\n`);
    if (v.locations.length === 0) io.stdout('  (served nowhere now)\n');
  }
  return 0;
}
