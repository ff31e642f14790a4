import { createHash } from 'node:crypto';
import { SnapshotError } from './errors';

const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** One period of a schedule: `[start, end)` in epoch milliseconds. */
export interface ScheduleSlot {
  readonly start: number;
  readonly end: number;
  readonly intervalMs: number;
}

/** A schedule reduced to a fixed period and an offset from the epoch (UTC). */
interface Period {
  readonly intervalMs: number;
  readonly offsetMs: number;
}

function invalid(expression: string, why: string): SnapshotError {
  return new SnapshotError('INVALID_SCHEDULE', `schedule ${JSON.stringify(expression)}: ${why}; expected rate(N minute[s]|hour[s]|day[s]) or cron(M H * * ? *) / cron(M * * * ? *)`, { context: { expression } });
}

function ratePeriod(expression: string, body: string): Period {
  const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!match) throw invalid(expression, 'the rate is not "<value> <unit>"');
  const value = Number(match[1]);
  const unit = match[2]!;
  const singular = !unit.endsWith('s');
  if (value <= 0 || (value === 1) !== singular) throw invalid(expression, `${value} ${unit}: the value must be positive, with the singular unit for 1 only`);
  return { intervalMs: value * UNIT_MS[singular ? unit : unit.slice(0, -1)]!, offsetMs: 0 };
}

function field(expression: string, value: string, max: number, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) > max) throw invalid(expression, `${name} ${JSON.stringify(value)} is not a number from 0 to ${max}`);
  return Number(value);
}

function cronPeriod(expression: string, body: string): Period {
  const fields = body.split(/\s+/);
  if (fields.length !== 6) throw invalid(expression, `${fields.length} fields, a cron expression has 6`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string, string];
  const everyDay = month === '*' && ((dayOfMonth === '*' && dayOfWeek === '?') || (dayOfMonth === '?' && dayOfWeek === '*'));
  if (!everyDay) throw invalid(expression, 'only daily or hourly cron expressions give a fixed snapshot interval');
  const m = field(expression, minute, 59, 'minute');
  if (hour === '*') return { intervalMs: UNIT_MS.hour!, offsetMs: m * 60_000 };
  return { intervalMs: UNIT_MS.day!, offsetMs: field(expression, hour, 23, 'hour') * 3_600_000 + m * 60_000 };
}

/**
 * The interval of an EventBridge Scheduler expression in milliseconds.
 *
 * @example
 * scheduleInterval('rate(12 hours)') // 43200000
 */
export function scheduleInterval(expression: string): number {
  return period(expression).intervalMs;
}

function period(expression: string): Period {
  const match = /^(rate|cron)\((.*)\)$/.exec(expression.trim());
  if (!match) throw invalid(expression, 'neither rate(...) nor cron(...)');
  return match[1] === 'rate' ? ratePeriod(expression, match[2]!.trim()) : cronPeriod(expression, match[2]!.trim());
}

/**
 * The schedule slot a trigger at `time` belongs to: every delivery of the
 * same scheduled run (retries, duplicates, a late delivery) falls in the
 * same slot, so the slot start keys the idempotency token.
 *
 * @example
 * scheduleSlot(Date.UTC(2026, 0, 2, 3, 0, 7), 'cron(0 3 * * ? *)') // { start: Date.UTC(2026, 0, 2, 3), end: Date.UTC(2026, 0, 3, 3), intervalMs: 86400000 }
 */
export function scheduleSlot(time: number, expression: string): ScheduleSlot {
  const { intervalMs, offsetMs } = period(expression);
  const start = Math.floor((time - offsetMs) / intervalMs) * intervalMs + offsetMs;
  return { start, end: start + intervalMs, intervalMs };
}

/**
 * AWS Backup's idempotency token for one snapshot request: a hash of the
 * environment, the resource and the request key (`slot:<ISO start>` for a
 * schedule, `deploy:<id>` before a deploy, `manual:<id>` on demand).
 *
 * @example
 * idempotencyToken('prod', fsArn, `slot:${new Date(slot.start).toISOString()}`) // 'wicked-3f1c…' (47 characters)
 */
export function idempotencyToken(env: string, resourceArn: string, key: string): string {
  return `wicked-${createHash('sha256').update(`${env}\n${resourceArn}\n${key}`).digest('hex').slice(0, 40)}`;
}

/** The request key of a schedule slot, for {@link idempotencyToken}. */
export function slotKey(slot: ScheduleSlot): string {
  return `slot:${new Date(slot.start).toISOString()}`;
}

/**
 * Whether the newest completed backup is overdue: none within twice the
 * schedule interval (the alarm of issue 6).
 *
 * @example
 * isBackupOverdue(Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 3, 1), 86_400_000) // true
 */
export function isBackupOverdue(lastCompletedAt: number | undefined, now: number, intervalMs: number): boolean {
  return lastCompletedAt === undefined || now - lastCompletedAt > 2 * intervalMs;
}
