import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { CreateScheduleInput } from '@aws-sdk/client-scheduler';
import { DeployDetailType } from '../events/deploy';
import type { ReconcileDueDetail } from '../events/deploy';
import type { ReconcileNudge } from '../deploy/adapters/notifier';
import { awsNotifyError } from './errors';
import { busTarget, MAX_SCHEDULE_NAME_LENGTH } from './schedule-input';
import type { StuckCheckTarget } from './schedule-input';

/** How often the safety net nudges an environment with something in flight. */
export const NUDGE_EXPRESSION = 'rate(1 minute)';

/**
 * The schedule name of an environment's safety-net nudge: `reconcile-<env>`
 * (environment names are `[a-z][a-z0-9-]{0,31}`, so it always fits Scheduler's
 * 64 characters of `[0-9A-Za-z_.-]`).
 *
 * @example
 * nudgeScheduleName('prod') // 'reconcile-prod'
 */
export function nudgeScheduleName(env: string): string {
  return `reconcile-${env}`.replace(/[^0-9A-Za-z_.-]/g, '-').slice(0, MAX_SCHEDULE_NAME_LENGTH);
}

/**
 * The CreateSchedule input of the safety-net nudge: every minute, in the
 * stuck-check group, it puts `Portal Reconcile Due` for `env` on the control
 * plane's bus. Source: AWS EventBridge Scheduler user guide, "Schedule types"
 * (rate-based schedules) and "Using universal targets / EventBridge PutEvents".
 *
 * @example
 * toNudgeScheduleInput('prod', { groupName, eventBusArn, roleArn }).ScheduleExpression // 'rate(1 minute)'
 */
export function toNudgeScheduleInput(env: string, target: StuckCheckTarget): CreateScheduleInput {
  const detail: ReconcileDueDetail = { env };
  return {
    Name: nudgeScheduleName(env),
    GroupName: target.groupName,
    Description: `Safety-net reconcile of ${env} while a deployment or snapshot is in flight`,
    ScheduleExpression: NUDGE_EXPRESSION,
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    // A missed nudge is replaced by the next one a minute later: no long retries.
    Target: busTarget(target, DeployDetailType.ReconcileDue, detail, { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 }),
  };
}

/**
 * A recurring schedule switched on and off with EventBridge Scheduler:
 * CreateSchedule (ConflictException: already on) and DeleteSchedule
 * (ResourceNotFoundException: already off), so both calls are idempotent.
 * `input` builds the schedule of one environment (its name, group and target).
 *
 * @example
 * const sweep = new RecurringSchedule((env) => toSnapshotSweepScheduleInput(env, target));
 * await sweep.arm('prod');
 */
export class RecurringSchedule {
  private readonly client: SchedulerClient;

  constructor(private readonly input: (env: string) => CreateScheduleInput, client?: SchedulerClient) {
    this.client = client ?? new SchedulerClient({});
  }

  /** Creates the recurring schedule unless it exists. */
  async arm(env: string): Promise<void> {
    const input = this.input(env);
    await this.send(input, 'ConflictException', `creating schedule ${input.Name!}`, () => this.client.send(new CreateScheduleCommand(input)));
  }

  /** Deletes the recurring schedule unless it is gone. */
  async disarm(env: string): Promise<void> {
    const input = this.input(env);
    await this.send(input, 'ResourceNotFoundException', `deleting schedule ${input.Name!}`, () => this.client.send(new DeleteScheduleCommand({ Name: input.Name, GroupName: input.GroupName })));
  }

  private async send(input: CreateScheduleInput, harmless: string, doing: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      if ((error as { name?: string }).name === harmless) return;
      throw awsNotifyError('SCHEDULER_FAILED', `${doing} in group ${input.GroupName ?? 'default'}`, error, { group: input.GroupName });
    }
  }
}

/**
 * Arms and disarms an environment's safety-net nudge ({@link toNudgeScheduleInput}).
 *
 * @example
 * const nudge = new SchedulerReconcileNudge({ groupName, eventBusArn, roleArn });
 * await nudge.arm('prod');
 */
export class SchedulerReconcileNudge extends RecurringSchedule implements ReconcileNudge {
  constructor(options: StuckCheckTarget & { readonly client?: SchedulerClient }) {
    const target: StuckCheckTarget = { groupName: options.groupName, eventBusArn: options.eventBusArn, roleArn: options.roleArn };
    super((env) => toNudgeScheduleInput(env, target), options.client);
  }
}
