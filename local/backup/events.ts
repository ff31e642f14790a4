import type { EventSink } from '../kernel/events';
import type { BackupJob, RestoreJob } from './state';
import { isoTime } from './state';

type EventInput = Parameters<EventSink['put']>[0];

/**
 * The `Backup Job State Change` event of a job in its current state, with the
 * fields of the examples on "Monitoring AWS Backup events using Amazon
 * EventBridge" (sizes as strings, dates as ISO strings, the recovery point in
 * `resources` once COMPLETED; a CREATED event carries only id, state and date;
 * FAILED no size or completion date; COMPLETED and FAILED a `retryCount`).
 */
export function backupJobEvent(job: BackupJob): EventInput {
  const base = { source: 'aws.backup', 'detail-type': 'Backup Job State Change' };
  if (job.state === 'CREATED') {
    return { ...base, resources: [], detail: { backupJobId: job.id, state: 'CREATED', creationDate: isoTime(job.creationDate) } };
  }
  const failed = job.state === 'FAILED';
  const detail: Record<string, unknown> = {
    backupJobId: job.id,
    // The FAILED example has neither a size nor a completion date; COMPLETED and FAILED carry retryCount (this emulator never retries a job).
    ...(failed ? {} : { backupSizeInBytes: String(job.backupSizeInBytes) }),
    backupVaultArn: job.vault.arn,
    backupVaultName: job.vault.name,
    bytesTransferred: String(job.state === 'COMPLETED' ? job.backupSizeInBytes : 0),
    creationDate: isoTime(job.creationDate),
    iamRoleArn: job.iamRoleArn,
    resourceArn: job.resourceArn,
    resourceType: job.resourceType,
    state: job.state,
    startBy: isoTime(job.startBy),
    percentDone: job.percentDone,
    ...(job.statusMessage !== undefined ? { statusMessage: job.statusMessage } : {}),
    ...(job.completionDate !== undefined && !failed ? { completionDate: isoTime(job.completionDate) } : {}),
    ...(failed || job.state === 'COMPLETED' ? { retryCount: 0 } : {}),
    // A plan's job names its creator, as the RUNNING example (a plan's job) shows; an on-demand job has none.
    ...(job.createdBy ? { createdBy: { backupPlanId: job.createdBy.backupPlanId, backupPlanArn: job.createdBy.backupPlanArn, backupPlanVersion: job.createdBy.backupPlanVersion, backupPlanRuleId: job.createdBy.backupRuleId } } : {}),
  };
  return { ...base, resources: job.state === 'COMPLETED' ? [job.recoveryPointArn] : [], detail };
}

/**
 * The `Restore Job State Change` event of a job in its current state, with
 * the fields of the examples on the same page (`status`, not `state`, except
 * for CREATED; the recovery point in `resources`).
 */
export function restoreJobEvent(job: RestoreJob): EventInput {
  const base = { source: 'aws.backup', 'detail-type': 'Restore Job State Change', resources: [job.recoveryPoint.arn] };
  if (job.status === 'CREATED') {
    return { ...base, detail: { restoreJobId: job.id, creationDate: isoTime(job.creationDate), state: 'CREATED' } };
  }
  const detail: Record<string, unknown> = {
    restoreJobId: job.id,
    backupVaultArn: job.recoveryPoint.vault.arn,
    recoveryPointArn: job.recoveryPoint.arn,
    sourceResourceArn: job.recoveryPoint.resourceArn,
    backupSizeInBytes: String(job.recoveryPoint.sizeBytes),
    creationDate: isoTime(job.creationDate),
    iamRoleArn: job.iamRoleArn,
    percentDone: job.percentDone,
    resourceType: job.recoveryPoint.resourceType,
    status: job.status,
    ...(job.statusMessage !== undefined ? { statusMessage: job.statusMessage } : {}),
    ...(job.createdResourceArn !== undefined ? { createdResourceArn: job.createdResourceArn } : {}),
    ...(job.completionDate !== undefined ? { completionDate: isoTime(job.completionDate) } : {}),
  };
  return { ...base, detail };
}
