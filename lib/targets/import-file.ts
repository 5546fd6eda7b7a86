import { parse as parseCsv } from 'csv-parse/sync';
import { cellText } from './spreadsheet-cell.ts';
import { normalizeTarget, type Target, TargetValidationError } from './target-schema.ts';

/** A target read from a file, with the line it came from. */
export interface ImportedTarget {
  line: number;
  target: Target;
  /**
   * The settings the row gives, by field: one per column of the file (an empty cell is
   * undefined, which clears that setting); a line list gives the host alone. Settings without a
   * column are not given, so an import leaves them as they are on a target that exists.
   */
  given: Record<string, string | undefined>;
}

/** A row that could not be read, with the reason. */
export interface ImportProblem {
  line: number;
  message: string;
}

export interface ImportResult {
  targets: ImportedTarget[];
  problems: ImportProblem[];
}

/** CSV header names people use in their spreadsheets, mapped to target fields. */
const COLUMN_ALIASES: Record<string, string> = {
  host: 'host',
  hostname: 'host',
  domain: 'host',
  target: 'host',
  url: 'host',
  kind: 'kind',
  port: 'port',
  protocol: 'protocol',
  servername: 'servername',
  sni: 'servername',
  addresses: 'addresses',
  warndays: 'warnDays',
  critdays: 'critDays',
  findingsinvalid: 'findingsInvalid',
  intervalminutes: 'intervalMinutes',
  enabled: 'enabled',
  owner: 'owner',
  tags: 'tags',
  notes: 'notes',
};

/**
 * Reads a target list: either one target string per line (`#` starts a comment), or a CSV whose
 * header names a `host` column (a target string, `saml:https://…` included; plus any of kind, port,
 * protocol, servername, addresses, warnDays,
 * critDays, intervalMinutes, enabled, owner, tags, notes; other columns are ignored).
 */
export function parseTargetFile(text: string): ImportResult {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
  return looksLikeCsvHeader(firstLine) ? parseCsvTargets(body) : parseLineTargets(body);
}

function looksLikeCsvHeader(line: string): boolean {
  // A one-column CSV: its header is the column name alone (a target named "host" is no target).
  if (!/[,;\t]/.test(line)) return COLUMN_ALIASES[normalizeHeader(line)] === 'host';
  return line.split(/[,;\t]/).some((cell) => COLUMN_ALIASES[normalizeHeader(cell)] === 'host');
}

function normalizeHeader(cell: string): string {
  return cell
    .trim()
    .replace(/^"|"$/g, '')
    .replace(/[\s_-]/g, '')
    .toLowerCase();
}

function parseLineTargets(text: string): ImportResult {
  const result: ImportResult = { targets: [], problems: [] };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/\s#.*$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    addRow(result, index + 1, { host: line });
  });
  return result;
}

function parseCsvTargets(text: string): ImportResult {
  const result: ImportResult = { targets: [], problems: [] };
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const delimiter = [',', ';', '\t'].reduce(
    (best, d) => (count(firstLine, d) > count(firstLine, best) ? d : best),
    ',',
  );
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      comment: '#',
      comment_no_infix: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    result.problems.push({ line, message: `the CSV cannot be read: ${(error as Error).message}` });
    return result;
  }
  const [header, ...rows] = records;
  if (!header) return result;
  const fields = header.record.map((cell) => COLUMN_ALIASES[normalizeHeader(cell)]);
  for (const { record, info } of rows) {
    const given: Record<string, string | undefined> = {};
    fields.forEach((field, i) => {
      // A cell is read back as written: the escapes an export puts in front of formulas come off.
      const cell = cellText(record[i] ?? '');
      if (field) given[field] = cell === '' ? undefined : cell;
    });
    addRow(result, info.lines, given);
  }
  return result;
}

function addRow(result: ImportResult, line: number, given: Record<string, string | undefined>): void {
  try {
    const input = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
    result.targets.push({ line, target: normalizeTarget(input), given });
  } catch (error) {
    if (!(error instanceof TargetValidationError)) throw error;
    result.problems.push({ line, message: error.message });
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}
