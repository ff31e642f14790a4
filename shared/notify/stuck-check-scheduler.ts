import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { StuckCheckScheduler } from '../deploy/adapters/notifier';
import { awsNotifyError } from './errors';
import type { StuckCheck, StuckCheckTarget } from './schedule-input';
import { toCreateScheduleInput } from './schedule-input';

/** Options of {@link SchedulerStuckCheckScheduler}. */
export interface SchedulerStuckCheckSchedulerOptions extends StuckCheckTarget {
  /** @default a client configured from the environment */
  readonly client?: SchedulerClient;
}

/**
 * Schedules the one-shot stuck check of a deployment with EventBridge
 * Scheduler: an `at(...)` schedule that puts `Portal Stuck Check Due` on the
 * control plane's bus and deletes itself afterwards. The name derives from env
 * and deployment id, so a redelivered event that schedules again meets a
 * ConflictException, which counts as already scheduled.
 *
 * @example
 * await new SchedulerStuckCheckScheduler({ groupName, eventBusArn, roleArn }).scheduleStuckCheck({ env: 'prod', deploymentId, at });
 */
export class SchedulerStuckCheckScheduler implements StuckCheckScheduler {
  private readonly client: SchedulerClient;
  private readonly target: StuckCheckTarget;

  constructor(options: SchedulerStuckCheckSchedulerOptions) {
    this.client = options.client ?? new SchedulerClient({});
    this.target = { groupName: options.groupName, eventBusArn: options.eventBusArn, roleArn: options.roleArn };
  }

  /**
   * Creates the schedule, or finds it already there (ConflictException);
   * rejects with a `NotifyError` (`SCHEDULER_FAILED`) naming schedule and group.
   */
  async scheduleStuckCheck(check: StuckCheck): Promise<void> {
    const input = toCreateScheduleInput(check, this.target);
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      if ((error as { name?: string }).name === 'ConflictException') return;
      throw awsNotifyError('SCHEDULER_FAILED', `creating schedule ${input.Name} in group ${this.target.groupName}`, error, { schedule: input.Name, group: this.target.groupName });
    }
  }
}
