// How long the dispatch schedule may leave between two rounds: the no-dispatch alarm waits twice
// that. EventBridge Scheduler's rate(...) and cron(...) forms, evaluated in UTC (the stack's zone).

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The longest a schedule may leave between rounds (the alarm can watch at most seven days). */
export const MAX_SCHEDULE_GAP_MS = 3 * DAY_MS;

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

/**
 * The longest time between two consecutive firings of a schedule expression, in milliseconds.
 * Cron expressions are evaluated over 400 days from a fixed date, so a synth is deterministic.
 * Throws ScheduleError naming what is wrong with an expression it cannot read.
 */
export function longestGapMs(expression: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) throw new ScheduleError(`${expression}: the rate must be at least 1`);
    const unit = rate[2] ?? 'hour';
    return n * (unit.startsWith('minute') ? MINUTE_MS : unit.startsWith('hour') ? 60 * MINUTE_MS : DAY_MS);
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new ScheduleError(`${expression}: use rate(N minutes|hours|days) or cron(...)`);
  return cronGapMs(expression, (cron[1] ?? '').trim().split(/\s+/));
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function cronGapMs(expression: string, fields: string[]): number {
  if (fields.length !== 6) {
    throw new ScheduleError(
      `${expression}: a cron expression has six fields (minutes hours day-of-month month day-of-week year)`,
    );
  }
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleError(`${expression}: exactly one of day-of-month and day-of-week must be "?"`);
  }
  const minutes = [...valueSet(expression, min, 0, 59)].sort((a, b) => a - b);
  const hours = [...valueSet(expression, hour, 0, 23)].sort((a, b) => a - b);
  const months = valueSet(expression, month, 1, 12, MONTHS);
  const years = valueSet(expression, year, 1970, 2199);
  const dayMatches = dom === '?' ? weekdayMatcher(expression, dow) : monthDayMatcher(expression, dom);

  const start = Date.UTC(2027, 0, 1);
  let previous: number | undefined;
  let longest = 0;
  for (let day = start; day < start + 400 * DAY_MS; day += DAY_MS) {
    const date = new Date(day);
    if (!years.has(date.getUTCFullYear()) || !months.has(date.getUTCMonth() + 1) || !dayMatches(date)) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const at = day + (h * 60 + m) * MINUTE_MS;
        if (previous !== undefined) longest = Math.max(longest, at - previous);
        previous = at;
      }
    }
  }
  if (previous === undefined || longest === 0) {
    throw new ScheduleError(
      `${expression}: fires at most once in 400 days from 2027; the dispatcher must run regularly`,
    );
  }
  return longest;
}

/** The values a plain field allows: `*`, numbers, names, ranges `a-b`, steps `x/n`, lists. */
function valueSet(expression: string, field: string, low: number, high: number, names?: string[]): Set<number> {
  const values = new Set<number>();
  const number = (text: string): number => {
    const named = names?.indexOf(text.toUpperCase()) ?? -1;
    const value = named >= 0 ? named + low : Number(text);
    if (!Number.isInteger(value) || value < low || value > high) {
      throw new ScheduleError(`${expression}: "${field}" is not a value from ${low} to ${high}`);
    }
    return value;
  };
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`${expression}: bad step in "${field}"`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [low, high];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [from, to] = [number(a), number(b)];
    } else {
      from = number(range);
      to = stepText === undefined ? from : high;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function daysInMonth(date: Date): number {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
}

/** Day-of-month: plain values, `L` (last day), `nW` (weekday nearest day n, within the month). */
function monthDayMatcher(expression: string, field: string): (date: Date) => boolean {
  if (field === 'L') return (date) => date.getUTCDate() === daysInMonth(date);
  const weekday = /^(\d{1,2})W$/.exec(field);
  if (weekday) {
    const target = Number(weekday[1]);
    return (date) => {
      const last = daysInMonth(date);
      let day = Math.min(target, last);
      const dow = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), day)).getUTCDay();
      if (dow === 6) day = day === 1 ? 3 : day - 1;
      else if (dow === 0) day = day === last ? day - 2 : day + 1;
      return date.getUTCDate() === day;
    };
  }
  const days = valueSet(expression, field, 1, 31);
  return (date) => days.has(date.getUTCDate());
}

/** Day-of-week (1 = SUN): plain values and names, `nL` (last such day of the month), `n#k` (k-th). */
function weekdayMatcher(expression: string, field: string): (date: Date) => boolean {
  const last = /^(\w+)L$/.exec(field);
  const nth = /^(\w+)#([1-5])$/.exec(field);
  const one = (text: string) => [...valueSet(expression, text, 1, 7, WEEKDAYS)][0] as number;
  if (last) {
    const wanted = one(last[1] ?? '');
    return (date) => date.getUTCDay() + 1 === wanted && date.getUTCDate() + 7 > daysInMonth(date);
  }
  if (nth) {
    const wanted = one(nth[1] ?? '');
    const k = Number(nth[2]);
    return (date) => date.getUTCDay() + 1 === wanted && Math.ceil(date.getUTCDate() / 7) === k;
  }
  const days = valueSet(expression, field, 1, 7, WEEKDAYS);
  return (date) => days.has(date.getUTCDay() + 1);
}
