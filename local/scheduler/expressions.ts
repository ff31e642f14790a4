import { SchedulerValidationError } from './errors';

/** A parsed schedule expression of EventBridge Scheduler. */
export type ScheduleExpression =
  | { readonly kind: 'at'; readonly at: number }
  | { readonly kind: 'rate'; readonly periodMs: number }
  | { readonly kind: 'cron'; readonly fields: CronFields };

/** The six fields of a `cron(...)` expression, each as the set of values it allows (`undefined`: any, `*` or `?`). */
export interface CronFields {
  readonly minutes?: ReadonlySet<number>;
  readonly hours?: ReadonlySet<number>;
  readonly daysOfMonth?: ReadonlySet<number>;
  readonly months?: ReadonlySet<number>;
  /** 1 = Sunday ... 7 = Saturday, as in EventBridge. */
  readonly daysOfWeek?: ReadonlySet<number>;
  readonly years?: ReadonlySet<number>;
}

const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const EXPECTED = 'at(yyyy-mm-ddThh:mm:ss), rate(<n> minute|minutes|hour|hours|day|days) or cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)';

/**
 * Parses a Scheduler expression ("Schedule types on EventBridge Scheduler"):
 * `at(...)` one-time instants (in UTC: the emulator runs UTC schedules only),
 * `rate(...)` and six-field `cron(...)` with `*`, `?`, lists, ranges, steps and
 * month/day names (`L`, `W` and `#` are not emulated and are refused).
 *
 * @example
 * parseScheduleExpression('cron(0 3 * * ? *)') // { kind: 'cron', fields: { minutes: {0}, hours: {3} } }
 */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (at) {
    const instant = Date.parse(`${at[1]!}Z`);
    if (Number.isNaN(instant)) throw new SchedulerValidationError('ScheduleExpression', JSON.stringify(expression), EXPECTED);
    return { kind: 'at', at: instant };
  }
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    const singular = !unit.endsWith('s');
    if (value <= 0 || (value === 1) !== singular) throw new SchedulerValidationError('ScheduleExpression', JSON.stringify(expression), EXPECTED);
    return { kind: 'rate', periodMs: value * UNIT_MS[singular ? unit : unit.slice(0, -1)]! };
  }
  const cron = /^cron\(([^)]*)\)$/.exec(expression);
  if (cron) return { kind: 'cron', fields: parseCron(cron[1]!.trim().split(/\s+/), expression) };
  throw new SchedulerValidationError('ScheduleExpression', JSON.stringify(expression), EXPECTED);
}

function parseCron(parts: readonly string[], expression: string): CronFields {
  if (parts.length !== 6) throw new SchedulerValidationError('ScheduleExpression', `${parts.length} cron fields in ${JSON.stringify(expression)}`, 'six fields');
  const [minutes, hours, daysOfMonth, months, daysOfWeek, years] = parts as [string, string, string, string, string, string];
  if ((daysOfMonth === '?') === (daysOfWeek === '?')) {
    throw new SchedulerValidationError('ScheduleExpression', JSON.stringify(expression), 'exactly one of day-of-month and day-of-week as ?');
  }
  const field = (text: string, min: number, max: number, names: readonly string[] = [], offset = 0): ReadonlySet<number> | undefined =>
    parseField(text, min, max, names, offset, expression);
  return {
    minutes: field(minutes, 0, 59), hours: field(hours, 0, 23), daysOfMonth: field(daysOfMonth, 1, 31), months: field(months, 1, 12, MONTHS, 1),
    daysOfWeek: field(daysOfWeek, 1, 7, DAYS, 1), years: field(years, 1970, 2199),
  };
}

function parseField(text: string, min: number, max: number, names: readonly string[], offset: number, expression: string): ReadonlySet<number> | undefined {
  if (text === '*' || text === '?') return undefined;
  const value = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    const n = named >= 0 ? named + offset : /^\d+$/.test(token) ? Number(token) : NaN;
    if (!(n >= min && n <= max)) throw new SchedulerValidationError('ScheduleExpression', `${JSON.stringify(token)} in ${JSON.stringify(expression)}`, `${min}-${max}${names.length ? ' or a name' : ''}`);
    return n;
  };
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new SchedulerValidationError('ScheduleExpression', `step ${JSON.stringify(stepText)} in ${JSON.stringify(expression)}`, 'a positive whole step');
    const [from, to] = range === '*' ? [min, max] : range.includes('-') ? range.split('-').map(value) as [number, number] : [value(range), stepText === undefined ? value(range) : max];
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return values;
}

const allows = (set: ReadonlySet<number> | undefined, n: number): boolean => set === undefined || set.has(n);

/**
 * The first fire time strictly after `after` (epoch ms, UTC), or undefined
 * when there is none: an `at` in the past, or a cron whose years are over.
 * A rate schedule counts its periods from `start`.
 *
 * @example
 * nextFireTime(parseScheduleExpression('cron(0 3 * * ? *)'), Date.parse('2026-11-23T04:00:00Z'), 0) // Date.parse('2026-11-24T03:00:00Z')
 */
export function nextFireTime(expression: ScheduleExpression, after: number, start: number): number | undefined {
  switch (expression.kind) {
    case 'at': return expression.at > after ? expression.at : undefined;
    case 'rate': return start + (Math.floor(Math.max(0, after - start) / expression.periodMs) + 1) * expression.periodMs;
    case 'cron': return nextCronTime(expression.fields, after);
  }
}

function nextCronTime(fields: CronFields, after: number): number | undefined {
  const t = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  const lastYear = Math.max(...(fields.years ?? [t.getUTCFullYear() + 5]));
  while (t.getUTCFullYear() <= lastYear) {
    if (!allows(fields.years, t.getUTCFullYear()) || !allows(fields.months, t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!allows(fields.daysOfMonth, t.getUTCDate()) || !allows(fields.daysOfWeek, t.getUTCDay() + 1)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!allows(fields.hours, t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!allows(fields.minutes, t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t.getTime();
    }
  }
  return undefined;
}
