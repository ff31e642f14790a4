import { InvalidPropError } from './errors';

/** CloudWatch's longest evaluation range (period x evaluation periods) for periods of an hour or more: 7 days. */
export const MAX_ALARM_RANGE_HOURS = 7 * 24;

/** How the missing-backup alarm looks at the schedule: hourly periods, all of them breaching. */
export interface MissingBackupWindow {
  /** Longest gap between two scheduled runs, in minutes. */
  readonly intervalMinutes: number;
  /** Period of the alarm, in seconds (one hour). */
  readonly periodSeconds: number;
  /** Hourly periods in twice the interval: N of "M of N", and M too. */
  readonly evaluationPeriods: number;
}

const MINUTES_PER_DAY = 24 * 60;

/** The values a cron field (`*`, `5`, `1,13`, `0-6`, `*\/12`, `3/6`) selects from 0 to max. */
function fieldValues(expression: string, field: string, name: string, max: number): number[] {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!match) throw new InvalidPropError('backup.schedule', expression, `a ${name} field of numbers, ranges, lists or steps (received ${JSON.stringify(field)})`);
    const from = match[1] === '*' ? 0 : Number(match[1]);
    const to = match[2] !== undefined ? Number(match[2]) : match[1] === '*' || match[3] !== undefined ? max : from;
    const step = match[3] !== undefined ? Number(match[3]) : 1;
    if (from > max || to > max || from > to || step < 1) throw new InvalidPropError('backup.schedule', expression, `${name} values from 0 to ${max} (received ${JSON.stringify(part)})`);
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return [...values];
}

/**
 * The longest gap between two runs of a daily backup schedule, in minutes, or
 * `undefined` when the schedule skips days (day-of-month, month or
 * day-of-week restricted): twice such an interval cannot be watched within
 * CloudWatch's 7-day evaluation range in general.
 *
 * @example
 * scheduleGapMinutes('cron(0 3 * * ? *)') // 1440
 * scheduleGapMinutes('cron(0 *\/12 * * ? *)') // 720
 * scheduleGapMinutes('cron(0 3 ? * SUN *)') // undefined
 */
export function scheduleGapMinutes(expression: string): number | undefined {
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1]?.trim().split(/\s+/);
  if (fields?.length !== 6) throw new InvalidPropError('backup.schedule', expression, 'a cron expression with 6 fields');
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  const everyDay = month === '*' && [dayOfMonth, dayOfWeek].every((f) => f === '*' || f === '?');
  if (!everyDay) return undefined;
  const runs = fieldValues(expression, hour, 'hour', 23)
    .flatMap((h) => fieldValues(expression, minute, 'minute', 59).map((m) => h * 60 + m))
    .sort((a, b) => a - b);
  const gaps = runs.map((run, i) => (i + 1 < runs.length ? runs[i + 1]! : runs[0]! + MINUTES_PER_DAY) - run);
  return Math.max(...gaps);
}

/**
 * The missing-backup alarm's window: twice the schedule's longest gap, in
 * hourly periods. Missing data counts as breaching, so the alarm fires when
 * no hour of the window saw a completed job. `undefined` when the schedule
 * skips days (see {@link scheduleGapMinutes}).
 *
 * @example
 * missingBackupWindow('cron(0 3 * * ? *)') // { intervalMinutes: 1440, periodSeconds: 3600, evaluationPeriods: 48 }
 */
export function missingBackupWindow(expression: string): MissingBackupWindow | undefined {
  const intervalMinutes = scheduleGapMinutes(expression);
  if (intervalMinutes === undefined) return undefined;
  const evaluationPeriods = Math.max(1, Math.ceil((2 * intervalMinutes) / 60));
  // A daily schedule gives 48 h at most; kept as a guard should the accepted schedules grow.
  if (evaluationPeriods > MAX_ALARM_RANGE_HOURS) {
    throw new InvalidPropError('backup.schedule', expression, `runs at most ${MAX_ALARM_RANGE_HOURS / 2} h apart (CloudWatch evaluates alarms over 7 days at most)`);
  }
  return { intervalMinutes, periodSeconds: 3600, evaluationPeriods };
}
