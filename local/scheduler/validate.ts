import { SchedulerValidationError } from './errors';
import type { StoredSchedule } from './model';
import { parseScheduleExpression } from './expressions';

/** Schedule and group names: 1 to 64 of `[0-9a-zA-Z-_.]` ("CreateSchedule" API reference). */
export const NAME_PATTERN = /^[0-9a-zA-Z_.-]{1,64}$/;

/** Pattern of a target's role ARN ("Target" API reference). */
const ROLE_ARN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Checks a schedule or group name. */
export function checkName(field: string, name: string): void {
  if (!NAME_PATTERN.test(name)) throw new SchedulerValidationError(field, JSON.stringify(name), '1-64 of 0-9 a-z A-Z - _ .');
}

/**
 * Checks a CreateSchedule body and returns the fields the emulator stores
 * (arn, name, group and dates are added by the caller).
 */
export function checkCreateSchedule(body: Record<string, unknown>): Omit<StoredSchedule, 'Arn' | 'Name' | 'GroupName' | 'CreationDate' | 'LastModificationDate'> {
  const expression = text(body.ScheduleExpression, 'ScheduleExpression');
  parseScheduleExpression(expression);
  const timezone = body.ScheduleExpressionTimezone;
  if (timezone !== undefined && timezone !== 'UTC' && timezone !== 'Etc/UTC') throw new SchedulerValidationError('ScheduleExpressionTimezone', JSON.stringify(timezone), 'UTC (other time zones are not emulated)');
  const window = body.FlexibleTimeWindow as { Mode?: unknown; MaximumWindowInMinutes?: unknown } | undefined;
  if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE')) throw new SchedulerValidationError('FlexibleTimeWindow.Mode', JSON.stringify(window?.Mode), 'OFF or FLEXIBLE');
  const target = body.Target as Record<string, unknown> | undefined;
  if (!target) throw new SchedulerValidationError('Target', 'nothing', 'a target');
  text(target.Arn, 'Target.Arn');
  if (!ROLE_ARN.test(text(target.RoleArn, 'Target.RoleArn'))) throw new SchedulerValidationError('Target.RoleArn', JSON.stringify(target.RoleArn), 'an IAM role ARN arn:aws:iam::<12 digits>:role/<name> (the "Target" API reference pattern)');
  if (target.Input !== undefined) text(target.Input, 'Target.Input');
  const state = body.State ?? 'ENABLED';
  if (state !== 'ENABLED' && state !== 'DISABLED') throw new SchedulerValidationError('State', JSON.stringify(state), 'ENABLED or DISABLED');
  const after = body.ActionAfterCompletion ?? 'NONE';
  if (after !== 'NONE' && after !== 'DELETE') throw new SchedulerValidationError('ActionAfterCompletion', JSON.stringify(after), 'NONE or DELETE');
  return {
    ...(typeof body.Description === 'string' ? { Description: body.Description } : {}),
    ScheduleExpression: expression,
    ...(typeof timezone === 'string' ? { ScheduleExpressionTimezone: timezone } : {}),
    FlexibleTimeWindow: window as StoredSchedule['FlexibleTimeWindow'],
    Target: target as unknown as StoredSchedule['Target'],
    State: state,
    ActionAfterCompletion: after,
  };
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new SchedulerValidationError(field, value === undefined ? 'nothing' : JSON.stringify(value), 'a non-empty string');
  return value;
}
