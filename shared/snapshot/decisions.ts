/** Backup job states that still hold their resource (one job per resource at a time). */
export const ACTIVE_JOB_STATES: readonly string[] = ['CREATED', 'PENDING', 'RUNNING', 'ABORTING'];
/** Backup job states that end a job without a recovery point and are reported. */
export const FAILED_JOB_STATES: readonly string[] = ['FAILED', 'ABORTED', 'EXPIRED'];

/** Whether a backup job state still holds its resource. */
export function isActiveJobState(state: string): boolean {
  return ACTIVE_JOB_STATES.includes(state);
}

/**
 * Whether the ledger still shows a job pending: active, COMPLETED without its recovery point recorded, or ended
 * with its outcome not yet out (`outcomePending`: the handler that recorded the end died before putting it). Its
 * `Backup Job State Change` may have been lost, or not handled (through) yet, while AWS Backup ended it.
 *
 * @example
 * isPendingJob({ state: 'COMPLETED' }) // true (no recovery point recorded)
 */
export function isPendingJob(job: { readonly state: string; readonly recoveryPointArn?: string; readonly outcomePending?: boolean }): boolean {
  return isActiveJobState(job.state) || (job.state === 'COMPLETED' && !job.recoveryPointArn) || job.outcomePending === true;
}

/**
 * Whether a job recorded in `stored` state may be recorded in `next`: while it is active, or again in the
 * same state. A job that ended keeps its end (the store's conditional write, `SnapshotStore.setJobState`).
 *
 * @example
 * mayRecordJobState('COMPLETED', 'RUNNING') // false
 */
export function mayRecordJobState(stored: string, next: string): boolean {
  return isActiveJobState(stored) || stored === next;
}

/**
 * Whether a `Backup Job State Change` to `next` still has anything to record for a job the ledger holds: the job
 * may take that state (`mayRecordJobState`), and an end is recorded and announced once. An end whose outcome is out
 * (the job is not pending: the event was redelivered, or came after the sweep or a snapshot request had recorded
 * that end) tells nobody again; an end whose outcome is still pending (its handler died before putting it) is
 * recorded again, by whichever comes first.
 *
 * @example
 * hasJobEventToRecord({ state: 'FAILED' }, 'FAILED') // false: announced
 * hasJobEventToRecord({ state: 'FAILED', outcomePending: true }, 'FAILED') // true
 */
export function hasJobEventToRecord(stored: { readonly state: string; readonly recoveryPointArn?: string; readonly outcomePending?: boolean }, next: string): boolean {
  return mayRecordJobState(stored.state, next) && isPendingJob(stored);
}

/** What track-backup does with one `Backup Job State Change`. */
export type BackupEventDecision =
  | { readonly kind: 'progress' }
  | { readonly kind: 'completed' }
  /** The job met a running job of the same resource: its requesters wait for that job instead. */
  | { readonly kind: 'handover'; readonly runningJobId: string }
  /** The job met a running job not known yet (its first event may still be on its way): redeliver the event later. */
  | { readonly kind: 'wait' }
  | { readonly kind: 'failed'; readonly state: string; readonly reason: string };

/** How long a job that met an unknown running job waits (by redelivery) for that job to show up. */
export const CONFLICT_WAIT_MS = 15 * 60_000;

/** True for AWS Backup's message to a job that met another running job of the same resource. */
export function isSameResourceConflict(message: string | undefined): boolean {
  return message !== undefined && /running job for the same resource/i.test(message);
}

/**
 * Decides a backup job event: progress is only recorded; COMPLETED records
 * the recovery point; a job that ended because another job of the same
 * resource was running hands its requesters over to that job when it is
 * known (never a blind failure); FAILED, ABORTED, EXPIRED and PARTIAL notify.
 *
 * @example
 * decideBackupEvent('EXPIRED', 'Backup job failed because there was a running job for the same resource.', 'job-2') // { kind: 'handover', runningJobId: 'job-2' }
 */
export function decideBackupEvent(state: string, statusMessage: string | undefined, runningJobId: string | undefined, eventAgeMs = 0): BackupEventDecision {
  if (isActiveJobState(state)) return { kind: 'progress' };
  if (state === 'COMPLETED') return { kind: 'completed' };
  if (isSameResourceConflict(statusMessage) && runningJobId !== undefined) return { kind: 'handover', runningJobId };
  if (isSameResourceConflict(statusMessage) && eventAgeMs < CONFLICT_WAIT_MS) return { kind: 'wait' };
  const reason = isSameResourceConflict(statusMessage)
    ? `${statusMessage} No running job of the resource is known to the control plane; take a snapshot again once it ends.`
    : statusMessage ?? `the backup job ended ${state} without a message`;
  return { kind: 'failed', state, reason };
}

/** What a snapshot request does for one resource. */
export type StartDecision =
  | { readonly kind: 'start' }
  | { readonly kind: 'join'; readonly jobId: string };

/**
 * Decides a snapshot request for a resource given the jobs the ledger knows:
 * a job of the same resource still running is joined (its recovery point
 * serves this request too) rather than started again and ended EXPIRED.
 *
 * @example
 * decideStart([{ jobId: 'a', resourceArn: r, state: 'RUNNING' }], r) // { kind: 'join', jobId: 'a' }
 */
export function decideStart(jobs: readonly { jobId: string; resourceArn: string; state: string }[], resourceArn: string): StartDecision {
  const running = jobs.find((job) => job.resourceArn === resourceArn && isActiveJobState(job.state));
  return running ? { kind: 'join', jobId: running.jobId } : { kind: 'start' };
}
