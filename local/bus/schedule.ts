import { InvalidScheduleError } from './errors';

const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * The period of an EventBridge `rate(...)` expression in milliseconds, with
 * the rules of the "Schedule expressions for rules" page: a positive whole
 * value, the singular unit for 1 (`rate(1 hour)`) and the plural otherwise
 * (`rate(5 minutes)`). `cron(...)` is not run by the local bus: fire such a
 * schedule by hand with `fireSchedule`.
 *
 * @example
 * parseRate('rate(5 minutes)') // 300000
 */
export function parseRate(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match) throw new InvalidScheduleError(expression);
  const value = Number(match[1]);
  const unit = match[2]!;
  const singular = !unit.endsWith('s');
  if (value <= 0 || (value === 1) !== singular) throw new InvalidScheduleError(expression);
  return value * UNIT_MS[singular ? unit : unit.slice(0, -1)]!;
}

/**
 * Backoff before retry `attempt` (1-based) of a failed delivery: exponential,
 * doubling from `baseMs` and capped at `maxMs`, as EventBridge retries with
 * exponential back-off ("Event retry policy and using dead-letter queues").
 *
 * @example
 * retryDelay(3, 1000, 60000) // 4000
 */
export function retryDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
