import type { BackupJobState, Lifecycle, RestoreJobStatus } from './model';
import type { JobCreator } from './plans';

/** A backup vault. */
export interface Vault {
  readonly name: string;
  readonly arn: string;
  readonly creationDate: number;
}

/** An emulated EFS file system: a real directory. */
export interface FileSystem {
  readonly id: string;
  readonly arn: string;
  readonly path: string;
}

/**
 * An RDS DB instance AWS Backup can back up. The instance itself is recorded, not emulated (no database runs), so its
 * recovery points hold no data: the jobs, points, events and listings are AWS Backup's, as for a file system.
 */
export interface Database {
  readonly id: string;
  readonly arn: string;
}

/** The resource types the emulated AWS Backup backs up (`ResourceType` in its answers and events). */
export type BackedUpType = 'EFS' | 'RDS';

/** A resource a job backs up: its type, its ARN and, for a file system, the directory that is copied. */
export interface BackedUpResource {
  readonly type: BackedUpType;
  readonly arn: string;
  readonly source?: string;
}

/** A backup job as the emulator tracks it. */
export interface BackupJob {
  readonly id: string;
  readonly vault: Vault;
  readonly resourceArn: string;
  readonly resourceType: BackedUpType;
  readonly iamRoleArn: string;
  readonly idempotencyToken?: string;
  readonly lifecycle?: Lifecycle;
  /** The plan rule that started the job; absent for an on-demand job (StartBackupJob). */
  readonly createdBy?: JobCreator;
  readonly recoveryPointArn: string;
  readonly creationDate: number;
  readonly startBy: number;
  state: BackupJobState;
  statusMessage?: string;
  percentDone: number;
  backupSizeInBytes: number;
  completionDate?: number;
}

/** A recovery point: a real copy of the file system, in the vault's directory. */
export interface RecoveryPoint {
  readonly arn: string;
  readonly vault: Vault;
  readonly resourceArn: string;
  readonly resourceType: BackedUpType;
  readonly creationDate: number;
  readonly sizeBytes: number;
  readonly path: string;
  readonly lifecycle?: Lifecycle;
  readonly deleteAt?: number;
  cancelExpiry?: () => void;
}

/** A restore job as the emulator tracks it. */
export interface RestoreJob {
  readonly id: string;
  readonly recoveryPoint: RecoveryPoint;
  readonly iamRoleArn: string;
  readonly idempotencyToken?: string;
  readonly creationDate: number;
  status: RestoreJobStatus;
  statusMessage?: string;
  percentDone: number;
  createdResourceArn?: string;
  /** Where the files were restored: `<file system>/aws-backup-restore_<datetime>`. */
  restoredPath?: string;
  completionDate?: number;
}

/** How the next job ends when a test or the demo asks it to fail. */
export interface InjectedFailure {
  readonly state: 'FAILED' | 'ABORTED';
  readonly message?: string;
}

/** Modelled durations, in emulated milliseconds. */
export interface BackupTimings {
  /** From StartBackupJob / StartRestoreJob to RUNNING. @default 1000 */
  readonly startMs: number;
  /** From RUNNING to COMPLETED for a backup. @default 30000 */
  readonly backupMs: number;
  /** From RUNNING to COMPLETED for a restore. @default 30000 */
  readonly restoreMs: number;
}

/** Default modelled durations. */
export const DEFAULT_BACKUP_TIMINGS: BackupTimings = { startMs: 1000, backupMs: 30_000, restoreMs: 30_000 };

/** Formats epoch ms as AWS Backup's events do (`2020-07-15T21:40:31.207Z`). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
