import { cronHours, rdsBackupWindow } from '../../../infra/constructs/database';

describe('cronHours', () => {
  it.each<[string, number[]]>([
    ['cron(0 3 * * ? *)', [3]],
    ['cron(0 */12 * * ? *)', [0, 12]],
    ['cron(30 1,13 * * ? *)', [1, 13]],
    ['cron(0 2-4 * * ? *)', [2, 3, 4]],
    ['cron(0 2/8 * * ? *)', [2, 10, 18]],
  ])('reads %s as %j', (schedule, hours) => {
    expect(cronHours(schedule)).toEqual(hours);
  });
});

describe('rdsBackupWindow', () => {
  it.each<[string, string, string]>([
    // Daily at 03:00 (the default plan): RDS backs up at 02:00, after the plan's 8 h completion window, before its next start.
    ['cron(0 3 * * ? *)', '02:00-02:30', 'Sun:01:00-Sun:01:30'],
    ['cron(0 */12 * * ? *)', '11:00-11:30', 'Sun:10:00-Sun:10:30'],
    ['cron(0 0 * * ? *)', '23:00-23:30', 'Sun:22:00-Sun:22:30'],
  ])('keeps RDS\'s own windows away from the plan %s', (schedule, backup, maintenance) => {
    expect(rdsBackupWindow(schedule)).toEqual({ backup, maintenance });
  });

  it('never puts the RDS backup window on an hour the plan starts', () => {
    for (const schedule of ['cron(0 3 * * ? *)', 'cron(0 */6 * * ? *)', 'cron(15 1,9,17 * * ? *)']) {
      const hour = Number(rdsBackupWindow(schedule).backup.slice(0, 2));
      expect([schedule, cronHours(schedule).includes(hour)]).toEqual([schedule, false]);
    }
  });
});
