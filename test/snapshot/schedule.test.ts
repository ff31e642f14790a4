import fc from 'fast-check';
import { idempotencyToken, isBackupOverdue, scheduleInterval, scheduleSlot, slotKey, SnapshotError } from '../../shared/snapshot';

const at = (iso: string): number => Date.parse(iso);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('scheduleSlot', () => {
  it.each([
    ['daily cron, just after the run', 'cron(0 3 * * ? *)', '2026-01-02T03:00:07Z', '2026-01-02T03:00:00Z', DAY],
    ['daily cron, a retry hours later', 'cron(0 3 * * ? *)', '2026-01-02T23:59:59Z', '2026-01-02T03:00:00Z', DAY],
    ['daily cron, before the run time', 'cron(30 3 * * ? *)', '2026-01-02T02:00:00Z', '2026-01-01T03:30:00Z', DAY],
    ['daily cron with ? in day-of-month', 'cron(15 22 ? * * *)', '2026-01-02T22:15:00Z', '2026-01-02T22:15:00Z', DAY],
    ['hourly cron', 'cron(5 * * * ? *)', '2026-01-02T10:04:59Z', '2026-01-02T09:05:00Z', HOUR],
    ['rate of hours', 'rate(12 hours)', '2026-01-02T13:00:00Z', '2026-01-02T12:00:00Z', 12 * HOUR],
    ['rate of one day', 'rate(1 day)', '2026-01-02T13:00:00Z', '2026-01-02T00:00:00Z', DAY],
    ['rate of minutes', 'rate(15 minutes)', '2026-01-02T13:29:59Z', '2026-01-02T13:15:00Z', 15 * 60_000],
  ])('%s: %s at %s starts at %s', (_case, expression, time, start, interval) => {
    expect(scheduleSlot(at(time), expression)).toEqual({ start: at(start), end: at(start) + interval, intervalMs: interval });
  });

  it.each([
    ['not an expression', 'every day'],
    ['plural unit for 1', 'rate(1 days)'],
    ['singular unit for 2', 'rate(2 hour)'],
    ['zero', 'rate(0 minutes)'],
    ['weekly cron', 'cron(0 3 ? * MON *)'],
    ['five fields', 'cron(0 3 * * ?)'],
    ['minute out of range', 'cron(60 3 * * ? *)'],
    ['list of hours', 'cron(0 3,15 * * ? *)'],
  ])('refuses %s (%s) with INVALID_SCHEDULE naming the expression', (_case, expression) => {
    const error = (() => { try { scheduleInterval(expression); } catch (caught) { return caught; } return undefined; })() as SnapshotError;
    expect(error).toBeInstanceOf(SnapshotError);
    expect(error.code).toBe('INVALID_SCHEDULE');
    expect(error.message).toContain(JSON.stringify(expression));
  });

  it('every time falls in its slot, and times of one slot share its token', () => {
    fc.assert(fc.property(fc.integer({ min: at('2020-01-01T00:00:00Z'), max: at('2030-01-01T00:00:00Z') }), fc.constantFrom('cron(0 3 * * ? *)', 'rate(6 hours)', 'cron(45 * * * ? *)'), (time, expression) => {
      const slot = scheduleSlot(time, expression);
      expect(slot.start).toBeLessThanOrEqual(time);
      expect(time).toBeLessThan(slot.end);
      const other = scheduleSlot(slot.start + Math.floor((slot.end - slot.start) / 2), expression);
      expect(idempotencyToken('prod', 'arn', slotKey(other))).toBe(idempotencyToken('prod', 'arn', slotKey(slot)));
    }));
  });
});

describe('idempotencyToken', () => {
  const base: [string, string, string] = ['prod', 'arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1', 'slot:2026-01-02T03:00:00.000Z'];
  it.each<[string, [string, string, string]]>([
    ['another environment', ['dev', base[1], base[2]]],
    ['another resource', [base[0], 'arn:aws:rds:eu-west-1:1:db:wicked', base[2]]],
    ['another slot', [base[0], base[1], 'slot:2026-01-03T03:00:00.000Z']],
  ])('differs for %s', (_case, args) => {
    expect(idempotencyToken(...args)).not.toBe(idempotencyToken(...base));
  });
  it('is stable and short enough for AWS Backup', () => {
    expect(idempotencyToken(...base)).toBe(idempotencyToken(...base));
    expect(idempotencyToken(...base)).toMatch(/^wicked-[0-9a-f]{40}$/);
  });
});

describe('isBackupOverdue', () => {
  it.each([
    ['no backup ever', undefined, '2026-01-02T00:00:00Z', true],
    ['one interval ago', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', false],
    ['exactly twice the interval', '2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z', false],
    ['more than twice the interval', '2026-01-01T00:00:00Z', '2026-01-03T00:00:01Z', true],
  ])('%s -> %s', (_case, last, now, expected) => {
    expect(isBackupOverdue(last === undefined ? undefined : at(last), at(now), DAY)).toBe(expected);
  });
});
