import { InvalidPropError } from '../../infra/errors';
import { missingBackupWindow, scheduleGapMinutes } from '../../infra/backup-window';

describe('scheduleGapMinutes', () => {
  it.each<[string, number | undefined]>([
    ['cron(0 3 * * ? *)', 1440],
    ['cron(30 1 * * ? *)', 1440],
    ['cron(0 */12 * * ? *)', 720],
    ['cron(0 1,13 * * ? *)', 720],
    ['cron(0 2,4 ? * * *)', 1320],
    ['cron(15 * * * ? *)', 60],
    ['cron(0,30 * * * ? *)', 30],
    ['cron(0 6-18/6 * * ? *)', 720],
    ['cron(0 3 ? * SUN *)', undefined],
    ['cron(0 3 1 * ? *)', undefined],
    ['cron(0 3 * 1 ? *)', undefined],
  ])('%s: %s minutes', (expression, expected) => {
    expect(scheduleGapMinutes(expression)).toBe(expected);
  });

  it.each([
    ['cron(0 3 * * ?)', 'a cron expression with 6 fields'],
    ['rate(1 day)', 'a cron expression with 6 fields'],
    ['cron(0 24 * * ? *)', 'hour values from 0 to 23 (received "24")'],
    ['cron(0 L * * ? *)', 'a hour field of numbers'],
    ['cron(0 5-3 * * ? *)', 'hour values from 0 to 23 (received "5-3")'],
  ])('refuses %s, naming what it expected', (expression, expected) => {
    expect(() => scheduleGapMinutes(expression)).toThrow(InvalidPropError);
    expect(() => scheduleGapMinutes(expression)).toThrow(expected);
  });
});

describe('missingBackupWindow', () => {
  it.each([
    ['cron(0 3 * * ? *)', { intervalMinutes: 1440, periodSeconds: 3600, evaluationPeriods: 48 }],
    ['cron(0 */12 * * ? *)', { intervalMinutes: 720, periodSeconds: 3600, evaluationPeriods: 24 }],
    ['cron(15 * * * ? *)', { intervalMinutes: 60, periodSeconds: 3600, evaluationPeriods: 2 }],
    ['cron(0,30 * * * ? *)', { intervalMinutes: 30, periodSeconds: 3600, evaluationPeriods: 1 }],
    ['cron(0 3 ? * SUN *)', undefined],
  ])('%s: twice the longest gap in hourly periods', (expression, expected) => {
    expect(missingBackupWindow(expression)).toEqual(expected);
  });

  it('stays within CloudWatch\'s 7-day evaluation range for every daily schedule', () => {
    for (let hour = 0; hour < 24; hour++) {
      const window = missingBackupWindow(`cron(0 ${hour} * * ? *)`)!;
      expect(window.periodSeconds * window.evaluationPeriods).toBeLessThanOrEqual(7 * 86_400);
    }
  });
});
