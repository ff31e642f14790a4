import { FAILED_JOB_STATES, isPendingJob, isSameResourceConflict } from './decisions';

/** What AWS Backup says of a job now (DescribeBackupJob): a `BackupGateway`, or a fake. */
export interface BackupJobReader {
  describeBackupJob(jobId: string): Promise<{ readonly state: string; readonly recoveryPointArn?: string; readonly statusMessage?: string }>;
}

/** A job as the ledger records it: the fields its observation may replace. */
interface RecordedJob {
  readonly jobId: string;
  readonly resourceArn: string;
  readonly state: string;
  readonly recoveryPointArn?: string;
  readonly statusMessage?: string;
}

/** One job as observed: the record, with the end AWS Backup reports when it is one to act on; `conflict` when it ended for another job of its resource. */
export interface ObservedJob<T extends RecordedJob> {
  readonly job: T;
  readonly conflict?: string;
}

/**
 * Each job the ledger still shows pending (active, or COMPLETED without its
 * recovery point recorded), as AWS Backup reports it now: its `Backup Job
 * State Change` may have been lost, or not handled yet, while the job ended.
 * An end is taken when it can be acted on: COMPLETED with its recovery point
 * (AWS Backup API reference, DescribeBackupJob: `RecoveryPointArn`), or
 * FAILED, ABORTED or EXPIRED for a reason of its own. A job that ended
 * because another job of the same resource ran keeps its record, with
 * `conflict` saying so: track-backup hands its requesters over to the job
 * that ran (`track.ts`), and a request asked again joins that job
 * (`take-snapshot.ts`). Jobs the ledger recorded as ended are not described.
 *
 * @example
 * const observed = await observeJobs(await store.listJobs('prod'), new BackupGateway());
 */
export async function observeJobs<T extends RecordedJob>(jobs: readonly T[], reader: BackupJobReader): Promise<ObservedJob<T>[]> {
  return Promise.all(jobs.map(async (job): Promise<ObservedJob<T>> => {
    if (!isPendingJob(job)) return { job };
    const live = await reader.describeBackupJob(job.jobId);
    if (live.state === 'COMPLETED' && live.recoveryPointArn) return { job: { ...job, state: 'COMPLETED', recoveryPointArn: live.recoveryPointArn } };
    if (!FAILED_JOB_STATES.includes(live.state)) return { job };
    if (isSameResourceConflict(live.statusMessage)) return { job, conflict: `backup job ${job.jobId} of ${job.resourceArn} ended ${live.state}: ${live.statusMessage ?? ''}` };
    return { job: { ...job, state: live.state, ...(live.statusMessage ? { statusMessage: live.statusMessage } : {}) } };
  }));
}
