import type { styleText } from 'node:util';
import { util } from '../node-builtins.ts';
import type { CheckResult } from '../policy/check-result.ts';
import { findingCodes } from '../policy/findings.ts';
import { describeTrustError } from '../policy/renewal-policy.ts';
import { type Status, severity } from '../policy/status.ts';

const STATUS_STYLE: Record<Status, Parameters<typeof styleText>[0]> = {
  ok: 'green',
  warning: 'yellow',
  critical: ['red', 'bold'],
  expired: ['red', 'bold'],
  invalid: 'magenta',
  revoked: ['bold', 'magenta'],
  error: 'red',
};

/** Worst first: no certificate at all, then fewest days until the leaf or chain expires. */
export function sortWorstFirst(results: readonly CheckResult[]): CheckResult[] {
  const expiry = (r: CheckResult) =>
    r.notAfter === null
      ? Number.NEGATIVE_INFINITY
      : Math.min(Date.parse(r.notAfter), Date.parse(r.chainNotAfter ?? r.notAfter));
  return [...results].sort(
    (a, b) => expiry(a) - expiry(b) || severity(b.status) - severity(a.status) || a.target.localeCompare(b.target),
  );
}

/** What a person should notice about a result, in a few words. */
export function noteFor(result: CheckResult): string {
  const notes: string[] = [];
  if (result.error) notes.push(`${result.error.kind}: ${result.error.message}`);
  if (result.notAfter !== null) {
    // An expired chain is untrusted for that reason alone; the status already says so.
    if (result.trusted === false && !(result.status === 'expired' && result.trustError === 'CERT_HAS_EXPIRED')) {
      notes.push(`untrusted: ${describeTrustError(result.trustError)}`);
    }
    if (result.hostnameMatch === false) notes.push('the certificate does not name this host');
    if (result.chainNotAfter !== null && result.chainNotAfter < result.notAfter) {
      notes.push(`an intermediate expires first (${result.chainNotAfter.slice(0, 10)})`);
    }
  }
  if (!result.consistent) notes.push('addresses serve different certificates');
  const rev = result.revocation;
  if (rev?.status === 'revoked') {
    notes.push(
      `revoked${rev.revokedAt ? ` ${rev.revokedAt.slice(0, 10)}` : ''}${rev.reason ? ` (${rev.reason})` : ''}`,
    );
  } else if (rev?.status === 'unknown') {
    notes.push('revocation unknown (CRL unavailable)');
  }
  const codes = findingCodes(result.findings);
  if (codes.length) notes.push(`weak: ${codes.join(', ')}`);
  if (result.kind !== 'tls' && result.certificateCount > 0) {
    const worst = result.certificates[0];
    const purpose = [worst?.role, worst?.use, worst?.kid ? `kid ${worst.kid}` : null].filter(Boolean).join(' ');
    notes.push(
      `${result.certificateCount} certificate${result.certificateCount === 1 ? '' : 's'}${purpose ? `; worst: ${purpose}` : ''}`,
    );
    if (worst?.successor) notes.push('a successor is published');
    if (worst?.problem && worst.status === 'invalid' && !worst.problem.startsWith('weak: ')) notes.push(worst.problem);
  }
  const failed = result.endpoints.filter((e) => e.error !== null).length;
  if (failed > 0 && result.endpoints.length > 1) notes.push(`${failed} of ${result.endpoints.length} addresses failed`);
  return notes.join('; ');
}

/** The issuer's common name, or its organisation. */
function issuerName(issuer: string | null): string {
  if (issuer === null) return '-';
  const cn = /(?:^|, )CN=([^,]+)/.exec(issuer)?.[1];
  const o = /(?:^|, )O=([^,]+)/.exec(issuer)?.[1];
  return cn && o ? `${cn} (${o})` : (cn ?? o ?? issuer);
}

/** A table of results, worst first, for a terminal. Colour only when `color` is set. */
export function renderTable(results: readonly CheckResult[], options: { color: boolean }): string {
  const header = ['STATUS', 'DAYS', 'EXPIRES', 'TARGET', 'ISSUER', 'NOTE'];
  const rows = sortWorstFirst(results).map((r) => [
    r.status,
    r.daysLeft === null ? '-' : String(r.daysLeft),
    r.notAfter === null ? '-' : r.notAfter.slice(0, 10),
    r.target,
    issuerName(r.issuer),
    noteFor(r),
  ]);
  return formatColumns(header, rows, {
    rightAlign: [1],
    decorate: (cell, column, row) =>
      column === 0 && options.color
        ? util.styleText(STATUS_STYLE[row[0] as Status], cell, { validateStream: false })
        : cell,
  });
}

/**
 * Aligned columns separated by two spaces, the header first. `decorate` may restyle a padded
 * cell of a data row (colour, say); it is not applied to the header.
 */
export function formatColumns(
  header: string[],
  rows: string[][],
  options: { rightAlign?: number[]; decorate?: (cell: string, column: number, row: string[]) => string } = {},
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[], isHeader: boolean) =>
    cells
      .map((cell, i) => {
        const padded = options.rightAlign?.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0);
        return isHeader || !options.decorate ? padded : options.decorate(padded, i, cells);
      })
      .join('  ')
      .trimEnd();
  return [line(header, true), ...rows.map((row) => line(row, false))].join('\n');
}
