/** Target of a schedule, as CreateSchedule receives it (the fields the emulator runs). */
export interface ScheduleTarget {
  readonly Arn: string;
  readonly RoleArn: string;
  readonly Input?: string;
  readonly EventBridgeParameters?: { readonly DetailType: string; readonly Source: string };
  readonly RetryPolicy?: { readonly MaximumRetryAttempts?: number; readonly MaximumEventAgeInSeconds?: number };
  readonly DeadLetterConfig?: { readonly Arn?: string };
}

/** A stored schedule, in GetSchedule's shape. */
export interface StoredSchedule {
  readonly Arn: string;
  readonly Name: string;
  readonly GroupName: string;
  readonly Description?: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly FlexibleTimeWindow: { readonly Mode: string; readonly MaximumWindowInMinutes?: number };
  readonly Target: ScheduleTarget;
  readonly State: 'ENABLED' | 'DISABLED';
  readonly ActionAfterCompletion: 'NONE' | 'DELETE';
  readonly CreationDate: Date;
  readonly LastModificationDate: Date;
}

/** One run of a schedule: its target invoked, with retries. */
export interface Execution {
  readonly executionId: string;
  readonly scheduleArn: string;
  readonly name: string;
  readonly groupName: string;
  /** The instant the schedule was due, ISO 8601 without milliseconds. */
  readonly scheduledTime: string;
  readonly targetArn: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'dead-lettered';
  error?: string;
  result?: unknown;
  /** The dead-letter queue the event went to, when the target never took it and one is configured. */
  deadLetterArn?: string;
}

/** An in-process Lambda function the schedules may invoke, by function name. */
export type ScheduledFunction = (payload: unknown) => unknown;

/**
 * Replaces Scheduler's context attributes in a target's input
 * ("Adding context attributes"): schedule ARN, scheduled time, execution id
 * and attempt number.
 *
 * @example
 * withContextAttributes('{"time":"<aws.scheduler.scheduled-time>"}', execution) // '{"time":"2026-11-23T03:00:00Z"}'
 */
export function withContextAttributes(input: string, execution: Pick<Execution, 'scheduleArn' | 'scheduledTime' | 'executionId' | 'attempts'>): string {
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', execution.scheduleArn)
    .replaceAll('<aws.scheduler.scheduled-time>', execution.scheduledTime)
    .replaceAll('<aws.scheduler.execution-id>', execution.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(execution.attempts));
}
