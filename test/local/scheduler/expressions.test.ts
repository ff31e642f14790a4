import { nextFireTime, parseScheduleExpression, SchedulerValidationError } from '../../../local/scheduler';

const t = (iso: string): number => Date.parse(iso);

describe('parseScheduleExpression and nextFireTime ("Schedule types on EventBridge Scheduler")', () => {
  it.each([
    ['at in the future', 'at(2026-11-23T12:30:00)', '2026-11-23T12:00:00Z', '2026-11-23T12:30:00.000Z'],
    ['at in the past has none', 'at(2026-11-23T12:30:00)', '2026-11-23T12:30:00Z', undefined],
    ['rate counts periods from the start', 'rate(5 minutes)', '2026-11-23T00:07:00Z', '2026-11-23T00:10:00.000Z'],
    ['rate(1 day)', 'rate(1 day)', '2026-11-23T00:00:00Z', '2026-11-24T00:00:00.000Z'],
    ['daily cron, later today', 'cron(0 3 * * ? *)', '2026-11-23T01:00:00Z', '2026-11-23T03:00:00.000Z'],
    ['daily cron, tomorrow', 'cron(0 3 * * ? *)', '2026-11-23T03:00:00Z', '2026-11-24T03:00:00.000Z'],
    ['every 15 minutes', 'cron(0/15 * * * ? *)', '2026-11-23T10:16:00Z', '2026-11-23T10:30:00.000Z'],
    ['weekdays by name (2026-11-28 is a Saturday)', 'cron(30 2 ? * MON-FRI *)', '2026-11-27T03:00:00Z', '2026-11-30T02:30:00.000Z'],
    ['Sunday is 1', 'cron(0 0 ? * 1 *)', '2026-11-23T00:00:00Z', '2026-11-29T00:00:00.000Z'],
    ['first of the month, list of months', 'cron(0 12 1 JAN,JUL ? *)', '2026-11-23T00:00:00Z', '2027-01-01T12:00:00.000Z'],
    ['a year that is over has none', 'cron(0 0 1 1 ? 2025)', '2026-11-23T00:00:00Z', undefined],
  ])('%s: %s after %s', (_case, expression, after, expected) => {
    const next = nextFireTime(parseScheduleExpression(expression), t(after), t('2026-11-23T00:00:00Z'));
    expect(next === undefined ? undefined : new Date(next).toISOString()).toBe(expected);
  });

  it.each([
    'at(2026-11-23 12:30:00)', 'at(2026-13-40T12:30:00)', 'rate(1 minutes)', 'rate(0 hours)', 'cron(0 3 * * *)', 'cron(0 3 * * * *)',
    'cron(0 3 ? * ? *)', 'cron(60 3 * * ? *)', 'cron(0 3 L * ? *)', 'cron(0/0 3 * * ? *)', 'every day',
  ])('refuses %s with ValidationException', (expression) => {
    expect(() => parseScheduleExpression(expression)).toThrow(SchedulerValidationError);
  });
});
