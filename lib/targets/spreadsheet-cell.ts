// CSV cells that no spreadsheet runs as formulas, whatever list separator it splits lines with
// (`,`, or `;` and tab in many locales), and that an import reads back to exactly the same text.
//
// A spreadsheet that splits on another separator than ours ignores our quotes where they do not
// open its own field, so a field of its own can start after any `,` `;` tab or line break inside
// a cell. Every such place, and the cell's start, is a field start: where one starts a formula
// (`= + - @`, their full-width forms, or control characters, behind any quotes or spaces), an apostrophe
// goes in front. The escape is reversible (an apostrophe already there gets one more), so
// `cellText(safeCell(x)) === x` for every text.

/** Characters after which another spreadsheet's field may start. */
const FIELD_BREAK = /[,;\t\r\n]/;
/** What starts a formula in one spreadsheet or another (full-width forms too). */
const FORMULA_START = /[=+\-@\0\uff1d\uff0b\uff0d\uff20]/;
/** At the cell's own start, white-space controls that hide a formula behind them too (inside, they are field breaks). */
const CELL_START = /[=+\-@\0\uff1d\uff0b\uff0d\uff20\t\r\n]/;
/** Cells quoted so that our own separator, quotes, line breaks and outer white space survive. */
const NEEDS_QUOTES = /[",;\t\r\n|]|^\s|\s$/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** One value as a CSV cell: escaped at every field start that would run as a formula, then quoted if needed. */
export function safeCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  const escaped = PLAIN_NUMBER.test(text)
    ? text
    : mapFieldStarts(text, (i) => (formulaAt(text, i, i === 0) ? "'" : ''));
  return NEEDS_QUOTES.test(escaped) ? `"${escaped.replace(/"/g, '""')}"` : escaped;
}

/** The text of a cell as read by a CSV parser, with safeCell's escapes removed. */
export function cellText(cell: string): string {
  return mapFieldStarts(cell, (i) => (cell[i] === "'" && formulaAt(cell, i + 1, i === 0) ? null : ''));
}

/** A formula starts at `i`, behind any apostrophes, quotes or spaces (which spreadsheets may strip or trim). */
function formulaAt(text: string, i: number, cellStart: boolean): boolean {
  let j = i;
  while (text[j] === "'" || text[j] === '"' || text[j] === ' ') j++;
  return j < text.length && (cellStart ? CELL_START : FORMULA_START).test(text[j] as string);
}

/**
 * Rewrites `text` at each field start: `at` is given the index and answers what to put in front
 * ('' for nothing) or null to drop the character there (an escape's apostrophe). Linear: a run of
 * quotes that formulaAt skips ends before the next field start.
 */
function mapFieldStarts(text: string, at: (index: number) => string | null): string {
  let out = '';
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i !== 0 && !FIELD_BREAK.test(text[i - 1] as string)) continue;
    const change = at(i);
    if (change === '') continue;
    out += text.slice(start, i) + (change ?? '');
    start = change === null ? i + 1 : i;
  }
  return out + text.slice(start);
}
