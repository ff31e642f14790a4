import type { CreateScheduleInput } from '@aws-sdk/client-scheduler';
import type { BackupJobView } from './backup-adapter';
import { FAILED_JOB_STATES, isPendingJob } from './decisions';
import { SnapshotError } from './errors';
import type { BackupJobEvent } from './events';
import { SNAPSHOT_SWEEP_DETAIL_TYPE } from './events';
import type { SnapshotDeps } from './ports';
import type { JobItem } from './store';
import type { TrackResult } from './track';
import { trackBackupJob } from './track';

/** How often the sweep looks at the backup jobs the ledger shows pending. */
export const SWEEP_EXPRESSION = 'rate(1 minute)';

/**
 * How long after AWS Backup ended a job without a recovery point (FAILED,
 * ABORTED, EXPIRED) the sweep records that end itself: its `Backup Job State
 * Change` normally reaches track-backup within seconds. Whichever of the two
 * records the end first announces it and the other is ignored
 * (`hasJobEventToRecord`; two at the same moment: `claimOutcome`). One sweep
 * interval: a lost failure is reported within two.
 */
export const FAILURE_GRACE_MS = 60_000;

/** Where the sweep schedule invokes snapshot-data. */
export interface SweepTarget {
  /** The schedule group (the environment's stuck-check group: deleting the stack deletes its schedules). */
  readonly groupName: string;
  /** snapshot-data's ARN (the invocation's `invokedFunctionArn`). */
  readonly functionArn: string;
  /** Role EventBridge Scheduler assumes to invoke snapshot-data (lambda:InvokeFunction on it alone). */
  readonly roleArn: string;
}

/** Switches an environment's sweep schedule on and off (a `RecurringSchedule`, or a fake); both idempotent. */
export interface SweepSwitch {
  arm(env: string): Promise<void>;
  disarm(env: string): Promise<void>;
}

/**
 * The schedule name of an environment's sweep: `snapshot-sweep-<env>`
 * (environment names are `[a-z][a-z0-9-]{0,31}`: it fits Scheduler's 64 characters).
 *
 * @example
 * sweepScheduleName('prod') // 'snapshot-sweep-prod'
 */
export function sweepScheduleName(env: string): string {
  return `snapshot-sweep-${env}`;
}

/**
 * The CreateSchedule input of an environment's sweep: every minute, it
 * invokes snapshot-data with a `Snapshot Sweep Due` event carrying the
 * scheduled time (Scheduler's context attributes, AWS EventBridge Scheduler
 * user guide, "Adding context attributes"). A missed sweep is replaced by
 * the next one: no long retries.
 *
 * @example
 * toSweepScheduleInput('prod', { groupName, functionArn, roleArn }).Name // 'snapshot-sweep-prod'
 */
export function toSweepScheduleInput(env: string, target: SweepTarget): CreateScheduleInput {
  return {
    Name: sweepScheduleName(env),
    GroupName: target.groupName,
    Description: `Looks at the backup jobs of ${env} the ledger shows running, while there are any`,
    ScheduleExpression: SWEEP_EXPRESSION,
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    Target: {
      Arn: target.functionArn,
      RoleArn: target.roleArn,
      Input: JSON.stringify({ id: '<aws.scheduler.execution-id>', source: 'aws.scheduler', 'detail-type': SNAPSHOT_SWEEP_DETAIL_TYPE, time: '<aws.scheduler.scheduled-time>', detail: { env } }),
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
    },
  };
}

/** What one sweep did. */
export interface SweepResult {
  /** The jobs whose end it recorded, as track-backup records an event. */
  readonly recorded: readonly TrackResult[];
  /** Jobs still pending after it: still running, or ended too recently (their event is on its way). */
  readonly pending: number;
  /** Whether the sweep schedule stays on. */
  readonly armed: boolean;
}

/**
 * The `Backup Job State Change` AWS Backup put for a job's end, rebuilt from DescribeBackupJob: the event
 * track-backup missed, so that the end is recorded as that event would have been (the event, if it still comes,
 * finds the job recorded and writes the same again; the copy's idempotency token keeps it one copy).
 */
function observedEnd(job: JobItem, view: BackupJobView, time: string): BackupJobEvent {
  return {
    source: 'aws.backup', 'detail-type': 'Backup Job State Change', time: view.completionDate ?? time, resources: view.recoveryPointArn ? [view.recoveryPointArn] : [],
    detail: {
      backupJobId: job.jobId, state: view.state, resourceArn: job.resourceArn, backupVaultName: job.vaultName,
      ...(view.statusMessage ? { statusMessage: view.statusMessage } : {}), ...(view.completionDate ? { completionDate: view.completionDate } : {}),
      ...(view.sizeBytes !== undefined ? { backupSizeInBytes: view.sizeBytes } : {}),
    },
  };
}

/**
 * Records the end AWS Backup reports (`live`, DescribeBackupJob) for a job the ledger still shows pending, as
 * track-backup records its `Backup Job State Change`, when there is one to record at `time`: COMPLETED with its
 * recovery point at once; FAILED, ABORTED or EXPIRED once its event had {@link FAILURE_GRACE_MS} to arrive.
 * Undefined while the job stays pending (still running, ended too recently, or met a running job not known yet).
 * The sweep and each snapshot request (for the job it would join) use it.
 */
export async function recordObservedEnd(deps: SnapshotDeps, job: JobItem, live: BackupJobView, time: string): Promise<TrackResult | undefined> {
  const completed = live.state === 'COMPLETED' && live.recoveryPointArn !== undefined;
  if (!completed && !FAILED_JOB_STATES.includes(live.state)) return undefined;
  // Without its end time (DescribeBackupJob's CompletionDate) a failure is recorded at once: reported twice rather than never.
  if (!completed && live.completionDate !== undefined && Date.parse(time) - Date.parse(live.completionDate) < FAILURE_GRACE_MS) return undefined;
  try {
    return await trackBackupJob(deps, observedEnd(job, live, time));
  } catch (error) {
    // It met a running job of its resource that is not known yet: pending until that job shows up.
    if (error instanceof SnapshotError && error.code === 'RUNNING_JOB_UNKNOWN') return undefined;
    throw error;
  }
}

/**
 * One sweep of an environment's backup jobs, at `time` (the schedule's
 * time): each job the ledger still shows pending (`isPendingJob`: active,
 * COMPLETED without its recovery point, or its outcome not yet out) is read
 * from AWS Backup, and an end is
 * recorded as track-backup records its `Backup Job State Change`: the
 * recovery point (listed and restorable), the copy to the disaster-recovery
 * vault, `Portal Snapshot Completed`; for a failure `Portal Snapshot Failed`
 * and the operators' notification, or the handover of a job that met
 * another job of its resource. So an event lost past every retry costs one
 * sweep interval, not the time until the next snapshot request. With a job
 * pending the schedule is switched on (it is, unless this is the retry of a
 * sweep that died after switching it off); with nothing pending it is
 * switched off, then the ledger is read once more: a job recorded meanwhile
 * (snapshot-data and track-backup switch the sweep on after recording one)
 * switches it on again (`deps.sweep`).
 *
 * A job that could not be read is left pending; the others are swept, then
 * the sweep fails naming every such job (Lambda retries it, and the next
 * sweep tries again).
 *
 * @example
 * await sweepSnapshotJobs(deps, event.time); // { recorded: [{ kind: 'completed', ... }], pending: 0, armed: false }
 */
export async function sweepSnapshotJobs(deps: SnapshotDeps, time: string): Promise<SweepResult> {
  const { env } = deps.config;
  const recorded: TrackResult[] = [];
  const failures: string[] = [];
  let pending = 0;
  for (const job of (await deps.store.listJobs(env)).filter(isPendingJob)) {
    try {
      const result = await recordObservedEnd(deps, job, await deps.backup.describeBackupJob(job.jobId), time);
      // An outcome another invocation is putting right now stays pending until it is out.
      if (result && result.kind !== 'claimed') recorded.push(result);
      else pending += 1;
    } catch (error) {
      pending += 1;
      failures.push(`backup job ${job.jobId}: ${(error as Error).message}`);
    }
  }
  let armed = pending > 0;
  if (deps.sweep && armed) {
    // On already when the schedule invoked this, but not for the retry of a sweep that died between its switch-off and its second look.
    await deps.sweep.arm(env);
  } else if (deps.sweep) {
    await deps.sweep.disarm(env);
    armed = (await deps.store.listJobs(env)).some(isPendingJob);
    if (armed) await deps.sweep.arm(env);
  }
  if (failures.length > 0) {
    throw new SnapshotError('BACKUP_FAILED', `sweeping the backup jobs of ${env}: ${failures.join('; ')}`, { retryable: true, context: { env } });
  }
  return { recorded, pending, armed };
}
