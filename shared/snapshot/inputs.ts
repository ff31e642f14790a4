import type { StartBackupJobInput, StartCopyJobInput } from '@aws-sdk/client-backup';
import { SnapshotError } from './errors';

/** What started a snapshot: the recovery point's `wicked:trigger` tag. */
export type SnapshotTrigger = 'schedule' | 'pre-deploy' | 'manual';

/** Days AWS Backup keeps a point in cold storage before it may delete it. */
export const COLD_STORAGE_MINIMUM_DAYS = 90;

/** How long recovery points live. */
export interface RetentionProps {
  /** Days until AWS Backup deletes the point. @default undefined (kept until deleted by hand) */
  readonly deleteAfterDays?: number;
  /** Days until the point moves to cold storage. @default undefined (never) */
  readonly moveToColdStorageAfterDays?: number;
}

/** The tags every recovery point of the control plane carries. */
export interface RecoveryPointTagProps {
  readonly env: string;
  readonly trigger: SnapshotTrigger;
  /** Hash of the deployed configuration (from the ledger's last good deployment). */
  readonly configHash?: string;
  /** Digest of the deployed portal-api image. */
  readonly digest?: string;
  /** The deployment a pre-deploy snapshot protects. */
  readonly deploymentId?: string;
}

/** Tag keys, stable: `wickedctl snapshots` and the runbook read them. */
export const TAG = {
  env: 'wicked:environment',
  trigger: 'wicked:trigger',
  configHash: 'wicked:config-hash',
  digest: 'wicked:image-digest',
  deploymentId: 'wicked:deployment-id',
} as const;

/**
 * Checks a lifecycle as AWS Backup does and returns it in the API's shape:
 * whole days >= 1; a point that moves to cold storage stays there 90 days.
 *
 * @example
 * toLifecycle({ deleteAfterDays: 35 }) // { DeleteAfterDays: 35 }
 */
export function toLifecycle(props: RetentionProps): StartBackupJobInput['Lifecycle'] {
  const { deleteAfterDays: del, moveToColdStorageAfterDays: cold } = props;
  for (const [name, value] of [['deleteAfterDays', del], ['moveToColdStorageAfterDays', cold]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new SnapshotError('INVALID_LIFECYCLE', `${name}: received ${value}, expected a whole number of days >= 1`, { context: { [name]: value } });
    }
  }
  if (del !== undefined && cold !== undefined && del < cold + COLD_STORAGE_MINIMUM_DAYS) {
    throw new SnapshotError('INVALID_LIFECYCLE', `deleteAfterDays: received ${del}, expected at least moveToColdStorageAfterDays + ${COLD_STORAGE_MINIMUM_DAYS} (${cold + COLD_STORAGE_MINIMUM_DAYS})`, { context: { deleteAfterDays: del, moveToColdStorageAfterDays: cold } });
  }
  if (del === undefined && cold === undefined) return undefined;
  return { ...(cold !== undefined ? { MoveToColdStorageAfterDays: cold } : {}), ...(del !== undefined ? { DeleteAfterDays: del } : {}) };
}

/**
 * The recovery point tags of a snapshot; absent facts are left out, never
 * written as empty strings.
 *
 * @example
 * recoveryPointTags({ env: 'prod', trigger: 'schedule', configHash: 'abc' }) // { 'wicked:environment': 'prod', 'wicked:trigger': 'schedule', 'wicked:config-hash': 'abc' }
 */
export function recoveryPointTags(props: RecoveryPointTagProps): Record<string, string> {
  const tags: Record<string, string> = { [TAG.env]: props.env, [TAG.trigger]: props.trigger };
  if (props.configHash) tags[TAG.configHash] = props.configHash;
  if (props.digest) tags[TAG.digest] = props.digest;
  if (props.deploymentId) tags[TAG.deploymentId] = props.deploymentId;
  for (const [key, value] of Object.entries(tags)) {
    if (value.length > 256 || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(value)) {
      throw new SnapshotError('INVALID_TAG', `tag ${key}: received ${JSON.stringify(value)}, expected at most 256 letters, digits, spaces or _.:/=+-@`, { context: { key } });
    }
  }
  return tags;
}

/** Inputs of {@link toStartBackupJobInput}. */
export interface BackupJobProps extends RetentionProps {
  readonly vaultName: string;
  readonly iamRoleArn: string;
  readonly resourceArn: string;
  readonly idempotencyToken: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Minutes AWS Backup may wait before starting the job. @default 60 */
  readonly startWindowMinutes?: number;
}

/**
 * StartBackupJob's input for one resource: vault, role, idempotency token,
 * lifecycle and recovery point tags.
 *
 * @example
 * toStartBackupJobInput({ vaultName: 'wicked-prod', iamRoleArn, resourceArn, idempotencyToken, tags, deleteAfterDays: 35 })
 */
export function toStartBackupJobInput(props: BackupJobProps): StartBackupJobInput {
  const lifecycle = toLifecycle(props);
  return {
    BackupVaultName: props.vaultName,
    ResourceArn: props.resourceArn,
    IamRoleArn: props.iamRoleArn,
    IdempotencyToken: props.idempotencyToken,
    StartWindowMinutes: props.startWindowMinutes ?? 60,
    ...(lifecycle ? { Lifecycle: lifecycle } : {}),
    RecoveryPointTags: { ...props.tags },
  };
}

/** Inputs of {@link toStartCopyJobInput}. */
export interface CopyJobProps extends RetentionProps {
  readonly recoveryPointArn: string;
  readonly sourceVaultName: string;
  /** The disaster-recovery vault, in another region or account. */
  readonly destinationVaultArn: string;
  readonly iamRoleArn: string;
}

/**
 * StartCopyJob's input that copies one recovery point to the
 * disaster-recovery vault; the token is the source point, so a redelivered
 * COMPLETED event never copies twice.
 */
export function toStartCopyJobInput(props: CopyJobProps): StartCopyJobInput {
  const lifecycle = toLifecycle(props);
  return {
    RecoveryPointArn: props.recoveryPointArn,
    SourceBackupVaultName: props.sourceVaultName,
    DestinationBackupVaultArn: props.destinationVaultArn,
    IamRoleArn: props.iamRoleArn,
    IdempotencyToken: `copy-${props.recoveryPointArn.slice(props.recoveryPointArn.lastIndexOf(':') + 1)}`,
    ...(lifecycle ? { Lifecycle: lifecycle } : {}),
  };
}

/** The kind of resource an ARN names: what the snapshot and restore inputs depend on. */
export type ResourceKind = 'efs' | 'rds';

/** The kind of a snapshotted resource from its ARN. */
export function resourceKind(arn: string): ResourceKind {
  if (/^arn:aws[a-z-]*:elasticfilesystem:[^:]*:\d*:file-system\/fs-[0-9a-z]+$/.test(arn)) return 'efs';
  if (/^arn:aws[a-z-]*:rds:[^:]*:\d*:db:[a-zA-Z][a-zA-Z0-9-]*$/.test(arn)) return 'rds';
  throw new SnapshotError('UNSUPPORTED_RESOURCE', `resource ${arn}: expected an EFS file system ARN (…:elasticfilesystem:…:file-system/fs-…) or an RDS instance ARN (…:rds:…:db:NAME)`, { context: { arn } });
}
