// Export cells that no spreadsheet runs as formulas, whichever list separator it splits lines with,
// and that an import reads back to exactly the text exported.
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CertificateView } from '../../lib/admin/certificate-views.ts';
import {
  CERTIFICATE_COLUMNS,
  certificateRows,
  certificatesCsv,
  REPORT_COLUMNS,
  type ReportRow,
  reportCsv,
} from '../../lib/admin/report.ts';
import { cellText, safeCell } from '../../lib/targets/spreadsheet-cell.ts';

/** The red team's certificate subject: plain to a comma spreadsheet, three formulas to a `;` one. */
const RED_TEAM = "x;=cmd|' /C calc'!A0;@SUM(1+1)";
const SEPARATORS = [',', ';', '\t'];
const FORMULA = /^[=+\-@\uff1d\uff0b\uff0d\uff20]/;

/**
 * Every field a spreadsheet splitting on `separator` could make of the text: quotes ignored (split
 * at every separator and line break), and quotes honoured where they open a field.
 */
function fieldsAnyway(csv: string, separator: string): string[] {
  const naive = csv.split(new RegExp(`[${separator}\\r\\n]`));
  let quoted: string[] = [];
  try {
    quoted = (parse(csv, { delimiter: separator, relax_quotes: true, relax_column_count: true }) as string[][]).flat();
  } catch {
    // A text that is not CSV to this separator: the naive fields are what a spreadsheet shows.
  }
  return [...naive, ...quoted];
}

/** A field a spreadsheet runs: a formula character first once quotes, spaces and tabs are stripped; numbers are numbers. */
function runsAsFormula(field: string): boolean {
  const shown = field.replace(/^["\t ]+/, '');
  return FORMULA.test(shown) && !/^-?\d+(\.\d+)?$/.test(shown);
}

const hostileText = fc.string({
  unit: fc.constantFrom('=', '+', '-', '@', "'", '"', ',', ';', '\t', '\r', '\n', ' ', '|', 'a', '1', '＝', '\0'),
  maxLength: 24,
});

describe('spreadsheet cells', () => {
  it('read back to exactly the text written, as the import parses them', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const [row] = parse(`a,${safeCell(text)},b\r\n`, { trim: true, relax_column_count: true }) as string[][];
        expect(row).toHaveLength(3);
        expect(cellText(row?.[1] ?? '')).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it('start no formula in any field, whatever separator a spreadsheet splits on', () => {
    // Rows start with an id, as both views do (a target, a fingerprint): a number is never first.
    const rowsOf = fc.array(fc.array(hostileText, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(rowsOf, (rows) => {
        const csv = rows.map((cells) => ['id', ...cells].map(safeCell).join(',')).join('\r\n');
        for (const separator of SEPARATORS) {
          expect(fieldsAnyway(csv, separator).filter(runsAsFormula)).toEqual([]);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('leave a human-written apostrophe that escapes nothing as it is', () => {
    expect(cellText("'tis the season")).toBe("'tis the season");
    expect(safeCell("'tis the season")).toBe("'tis the season");
  });
});

describe('both export views', () => {
  it.each(SEPARATORS)('start no formula when a spreadsheet splits them on %j', (separator) => {
    const targetRow = Object.fromEntries(REPORT_COLUMNS.map((c) => [c, RED_TEAM])) as ReportRow;
    const targets = reportCsv([targetRow, { ...targetRow, daysLeft: -3, notes: `=1+1\r\n@x;-y,+z\t=w` }]);
    const view = {
      fingerprint256: RED_TEAM,
      status: 'ok',
      daysLeft: 10,
      notAfter: RED_TEAM,
      subject: RED_TEAM,
      issuer: RED_TEAM,
      locations: [{ target: RED_TEAM, where: RED_TEAM }],
      replacedBy: RED_TEAM,
      rollout: null,
    } as unknown as CertificateView;
    const certificates = certificatesCsv(certificateRows([view]));
    expect(certificates.split('\r\n')[0]).toBe(CERTIFICATE_COLUMNS.join(','));
    for (const csv of [targets, certificates]) {
      expect(csv).toContain('cmd'); // the value is there, as text
      expect(fieldsAnyway(csv, separator).filter(runsAsFormula)).toEqual([]);
    }
  });
});
