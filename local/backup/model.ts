import { invalidParameter, missingParameter } from './errors';

/** States of a backup job ("BackupJob" in the AWS Backup API reference). */
export type BackupJobState = 'CREATED' | 'PENDING' | 'RUNNING' | 'ABORTING' | 'ABORTED' | 'COMPLETED' | 'FAILED' | 'EXPIRED' | 'PARTIAL';
/** States of a restore job ("DescribeRestoreJob"). */
export type RestoreJobStatus = 'CREATED' | 'PENDING' | 'RUNNING' | 'COMPLETED' | 'ABORTED' | 'FAILED';

/** Message AWS Backup gives a job that met another running job of the same resource (EventBridge examples page). */
export const SAME_RESOURCE_MESSAGE = 'Backup job failed because there was a running job for the same resource.';
/** Days a recovery point must stay in cold storage before deletion ("Lifecycle" in the API reference). */
export const COLD_STORAGE_MINIMUM_DAYS = 90;

/** The part of a backup job the start decision reads. */
export interface JobSummary {
  readonly id: string;
  readonly resourceArn: string;
  readonly state: BackupJobState;
  readonly idempotencyToken?: string;
}

/** What a StartBackupJob call leads to. */
export type BackupStartDecision =
  | { readonly kind: 'reuse'; readonly jobId: string }
  | { readonly kind: 'start'; readonly runningJobId?: string };

/** Whether a job still holds its resource. */
export function isActive(state: BackupJobState): boolean {
  return state === 'CREATED' || state === 'PENDING' || state === 'RUNNING' || state === 'ABORTING';
}

/**
 * Decides a StartBackupJob call: a retried call with the same idempotency
 * token returns the same job; otherwise a new job starts, naming the job that
 * already runs for the resource if there is one ("AWS Backup quotas":
 * one concurrent backup job per resource, not adjustable).
 *
 * @example
 * decideBackupStart([{ id: 'a', resourceArn: r, state: 'RUNNING' }], { resourceArn: r }) // { kind: 'start', runningJobId: 'a' }
 */
export function decideBackupStart(jobs: readonly JobSummary[], request: { resourceArn: string; idempotencyToken?: string }): BackupStartDecision {
  if (request.idempotencyToken) {
    const same = jobs.find((job) => job.idempotencyToken === request.idempotencyToken);
    if (same) return { kind: 'reuse', jobId: same.id };
  }
  const running = jobs.find((job) => job.resourceArn === request.resourceArn && isActive(job.state));
  return running ? { kind: 'start', runningJobId: running.id } : { kind: 'start' };
}

/** A recovery point's lifecycle ("Lifecycle" in the API reference). */
export interface Lifecycle {
  readonly DeleteAfterDays?: number;
  readonly MoveToColdStorageAfterDays?: number;
}

/**
 * Checks a lifecycle as AWS Backup does: whole days, at least 1, and when a
 * point moves to cold storage it must stay there 90 days before deletion.
 */
export function checkLifecycle(lifecycle: Lifecycle | undefined): Lifecycle | undefined {
  if (lifecycle === undefined) return undefined;
  const { DeleteAfterDays: del, MoveToColdStorageAfterDays: cold } = lifecycle;
  for (const [name, value] of [['DeleteAfterDays', del], ['MoveToColdStorageAfterDays', cold]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) invalidParameterThrow(`Lifecycle.${name}`, value, 'a whole number of days >= 1');
  }
  if (del !== undefined && cold !== undefined && del < cold + COLD_STORAGE_MINIMUM_DAYS) {
    invalidParameterThrow('Lifecycle.DeleteAfterDays', del, `at least MoveToColdStorageAfterDays + ${COLD_STORAGE_MINIMUM_DAYS} (${cold + COLD_STORAGE_MINIMUM_DAYS})`);
  }
  return lifecycle;
}

/** When a recovery point created at `created` (epoch ms) is deleted by its lifecycle, if ever. */
export function expiresAt(created: number, lifecycle: Lifecycle | undefined): number | undefined {
  return lifecycle?.DeleteAfterDays === undefined ? undefined : created + lifecycle.DeleteAfterDays * 86_400_000;
}

/**
 * The directory an EFS restore lands in ("Restore an Amazon EFS file system":
 * `aws-backup-restore_<datetime>` off the root, never overwriting).
 *
 * @example
 * restoreDirectoryName(Date.UTC(2024, 0, 2, 3, 4, 5, 6)) // 'aws-backup-restore_2024-01-02T03-04-05-006Z'
 */
export function restoreDirectoryName(at: number): string {
  return `aws-backup-restore_${new Date(at).toISOString().replace(/[:.]/g, '-')}`;
}

/** The EFS restore metadata the emulator reads (StartRestoreJob, "Metadata" for EFS). */
export interface EfsRestoreMetadata {
  readonly fileSystemId: string;
  readonly newFileSystem: boolean;
  /** Paths relative to the file system root (`/dir/file`); empty for a full restore. */
  readonly itemsToRestore: readonly string[];
}

/** Reads and checks EFS restore metadata; names the key and the expected form on error. */
export function parseEfsRestoreMetadata(metadata: Readonly<Record<string, string>> | undefined): EfsRestoreMetadata {
  if (!metadata) throw missingParameter('Metadata');
  const fileSystemId = metadata['file-system-id'];
  if (!fileSystemId) throw missingParameter('Metadata.file-system-id');
  const flag = (metadata.newFileSystem ?? 'false').toLowerCase();
  if (flag !== 'true' && flag !== 'false') throw invalidParameter('Metadata.newFileSystem', metadata.newFileSystem, 'true or false');
  let items: unknown = [];
  try {
    items = metadata.ItemsToRestore === undefined ? [] : JSON.parse(metadata.ItemsToRestore);
  } catch {
    throw invalidParameter('Metadata.ItemsToRestore', metadata.ItemsToRestore, 'a JSON array of paths such as ["/dir/file"]');
  }
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string' && item.startsWith('/') && !item.split('/').includes('..'))) {
    throw invalidParameter('Metadata.ItemsToRestore', metadata.ItemsToRestore, 'a JSON array of absolute paths without ".." such as ["/dir/file"]');
  }
  return { fileSystemId, newFileSystem: flag === 'true', itemsToRestore: items as string[] };
}

function invalidParameterThrow(name: string, received: unknown, expected: string): never {
  throw invalidParameter(name, received, expected);
}
