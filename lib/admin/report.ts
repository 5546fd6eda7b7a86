import type { StoredTarget } from '../store/stored-target.ts';
import { safeCell } from '../targets/spreadsheet-cell.ts';
import type { CertificateView } from './certificate-views.ts';

/** The settings after the check's columns, so that an export imports back to the same targets. */
const OTHER_SETTINGS = [
  'servername',
  'addresses',
  'warnDays',
  'critDays',
  'intervalMinutes',
  'findingsInvalid',
] as const;

/** The columns of the inventory report, in order. */
export const REPORT_COLUMNS = [
  'target',
  'status',
  'daysLeft',
  'notAfter',
  'chainNotAfter',
  'issuer',
  'subject',
  'serialNumber',
  'fingerprint256',
  'owner',
  'tags',
  'notes',
  'enabled',
  'checkedAt',
  'error',
  'kind',
  ...OTHER_SETTINGS,
] as const;

/** Report columns that come from the target's settings; the others come from its latest check. */
const SETTINGS_COLUMNS = new Set<string>(['target', 'owner', 'tags', 'notes', 'enabled', 'kind', ...OTHER_SETTINGS]);

/** The stored attributes the report reads (a projection: the rest of each item stays in DynamoDB). */
export const REPORT_FIELDS = [
  'id',
  ...[...SETTINGS_COLUMNS].filter((c) => c !== 'target'),
  ...REPORT_COLUMNS.filter((c) => !SETTINGS_COLUMNS.has(c)).map((c) => `state.result.${c}`),
];

export type ReportRow = Record<(typeof REPORT_COLUMNS)[number], string | number | boolean | null>;

/**
 * The inventory, soonest expiry first (the earlier of leaf and intermediate); targets never
 * checked, or whose certificate could not be read, come last.
 */
export function reportRows(targets: readonly StoredTarget[]): ReportRow[] {
  const expiry = (t: StoredTarget) => {
    const r = t.state?.result;
    if (!r?.notAfter) return Number.POSITIVE_INFINITY;
    return Math.min(Date.parse(r.notAfter), Date.parse(r.chainNotAfter ?? r.notAfter));
  };
  return [...targets].sort((a, b) => expiry(a) - expiry(b) || a.id.localeCompare(b.id)).map(reportRow);
}

/** One target's row of the report. */
export function reportRow(t: StoredTarget): ReportRow {
  const r = t.state?.result;
  return {
    target: t.id,
    status: r?.status ?? 'unchecked',
    daysLeft: r?.daysLeft ?? null,
    notAfter: r?.notAfter ?? null,
    // Stored only when it differs from the leaf's (compact items).
    chainNotAfter: r?.chainNotAfter ?? r?.notAfter ?? null,
    issuer: r?.issuer ?? null,
    subject: r?.subject ?? null,
    serialNumber: r?.serialNumber ?? null,
    fingerprint256: r?.fingerprint256 ?? null,
    owner: t.owner ?? null,
    tags: (t.tags ?? []).join(' '),
    notes: t.notes ?? null,
    enabled: t.enabled,
    checkedAt: r?.checkedAt ?? null,
    error: r?.error ? `${r.error.kind}: ${r.error.message}` : null,
    kind: t.kind ?? 'tls',
    servername: t.servername ?? null,
    addresses: (t.addresses ?? []).join(' '),
    warnDays: t.warnDays ?? null,
    critDays: t.critDays ?? null,
    intervalMinutes: t.intervalMinutes ?? null,
    findingsInvalid: t.findingsInvalid ?? false,
  };
}

export function reportCsv(rows: readonly ReportRow[], header = true): string {
  return csvOf(REPORT_COLUMNS, rows, header);
}

/** Spreadsheet-safe CSV of these rows (every cell through safeCell), CRLF lines. */
function csvOf<C extends string>(
  columns: readonly C[],
  rows: readonly Record<C, string | number | boolean | null>[],
  header: boolean,
): string {
  const lines = [
    ...(header ? [columns.join(',')] : []),
    ...rows.map((row) => columns.map((c) => safeCell(row[c])).join(',')),
  ];
  return lines.length ? `${lines.join('\r\n')}\r\n` : '';
}

/** The columns of the certificates view of the report. */
export const CERTIFICATE_COLUMNS = [
  'fingerprint256',
  'status',
  'daysLeft',
  'notAfter',
  'subject',
  'issuer',
  'problem',
  'locationCount',
  'locations',
  'replacedBy',
  'rollout',
] as const;

export type CertificateRow = Record<(typeof CERTIFICATE_COLUMNS)[number], string | number | null>;

/** One row per certificate: where it is served and how far its replacement has got. */
export function certificateRows(views: readonly CertificateView[]): CertificateRow[] {
  return views.map(certificateRow);
}

export function certificateRow(v: CertificateView): CertificateRow {
  return {
    fingerprint256: v.fingerprint256,
    status: v.status,
    daysLeft: v.daysLeft,
    notAfter: v.notAfter,
    subject: v.subject,
    issuer: v.issuer,
    problem: v.problem === null ? null : `${v.problem} (at ${v.refusedCount} of ${v.locationCount})`,
    locationCount: v.locationCount,
    locations: v.locations
      .slice(0, 50)
      .map((l) => `${l.target} ${l.where}`)
      .join(' | '),
    replacedBy: v.replacedBy,
    rollout: v.rollout ? `${v.rollout.done}/${v.rollout.total} since ${v.rollout.since}` : null,
  };
}

export function certificatesCsv(rows: readonly CertificateRow[], header = true): string {
  return csvOf(CERTIFICATE_COLUMNS, rows, header);
}

/** The two views of the report: by target, by certificate. */
export type ReportView = 'targets' | 'certificates';

/**
 * A view of the report as text, a page at a time: CSV (one header) or a JSON array, each chunk
 * written as its page arrives. `certvigil report --out` and the S3 export write these.
 */
export async function* reportChunks(
  pages: AsyncIterable<readonly (ReportRow | CertificateRow)[]>,
  format: 'csv' | 'json',
  view: ReportView = 'targets',
): AsyncGenerator<{ text: string; rows: number }> {
  const csv = (rows: readonly (ReportRow | CertificateRow)[], header: boolean) =>
    view === 'certificates'
      ? certificatesCsv(rows as CertificateRow[], header)
      : reportCsv(rows as ReportRow[], header);
  let written = 0;
  if (format === 'json') yield { text: '[', rows: 0 };
  for await (const page of pages) {
    const text =
      format === 'csv'
        ? csv(page, written === 0)
        : page.map((row, i) => `${written + i === 0 ? '\n' : ',\n'}${JSON.stringify(row)}`).join('');
    written += page.length;
    yield { text, rows: page.length };
  }
  if (format === 'csv' && written === 0) yield { text: csv([], true), rows: 0 };
  if (format === 'json') yield { text: written ? '\n]\n' : ']\n', rows: 0 };
}
