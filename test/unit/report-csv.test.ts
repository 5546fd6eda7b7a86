import { describe, expect, it } from 'vitest';
import { parseTargetFile } from '../../lib/targets/import-file.ts';
import { safeCell } from '../../lib/targets/spreadsheet-cell.ts';

describe('spreadsheet-safe report cells', () => {
  it.each([
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', `"'\tcmd"`],
    ['\rcmd', `"'\rcmd"`],
    ['\ncmd', `"'\ncmd"`],
    ['\0cmd', "'\0cmd"],
    ['＝1+1', "'＝1+1"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠SUM(A1)', "'＠SUM(A1)"],
  ])('neutralises %j', (value, expected) => {
    expect(safeCell(value)).toBe(expected);
  });

  it.each([
    [-2, '-2'],
    ['12.5', '12.5'],
    ['plain, with comma', '"plain, with comma"'],
    [null, ''],
  ])('leaves %j a value', (value, expected) => {
    expect(safeCell(value)).toBe(expected);
  });
});

describe('one-column target files', () => {
  it('reads a lone header line as the header, not as a target named "host"', () => {
    const result = parseTargetFile('Hostname\nexample.com\nexample.org:8443\n');
    expect(result.problems).toEqual([]);
    expect(result.targets.map((t) => t.target.id)).toEqual(['example.com:443', 'example.org:8443']);
  });
});
