import type { StartRestoreJobInput } from '@aws-sdk/client-backup';
import type { ResourceKind } from './inputs';
import { resourceKind } from './inputs';

/** Inputs of {@link toStartRestoreJobInput}. */
export interface RestoreProps {
  readonly recoveryPointArn: string;
  /** The resource the point was taken of. */
  readonly resourceArn: string;
  readonly iamRoleArn: string;
  /** EFS only: restore to a new file system instead of into the existing one. @default false */
  readonly newFileSystem?: boolean;
  /** A name unique to this restore (idempotency token, creation token, new instance name suffix). */
  readonly requestId: string;
}

/** The last segment of an ARN after `/` or `:`. */
export function resourceId(arn: string): string {
  return arn.slice(Math.max(arn.lastIndexOf('/'), arn.lastIndexOf(':')) + 1);
}

/**
 * StartRestoreJob's input. EFS: into the existing file system (files land in
 * `aws-backup-restore_<datetime>` at its root) or to a new one; RDS: always a
 * new instance (`<name>-restore-<id>`), as AWS Backup offers.
 *
 * @example
 * toStartRestoreJobInput({ recoveryPointArn, resourceArn: fsArn, iamRoleArn, requestId: 'r1' }).Metadata // { 'file-system-id': 'fs-1', newFileSystem: 'false', … }
 */
export function toStartRestoreJobInput(props: RestoreProps): StartRestoreJobInput {
  const kind = resourceKind(props.resourceArn);
  const id = resourceId(props.resourceArn);
  const common = { RecoveryPointArn: props.recoveryPointArn, IamRoleArn: props.iamRoleArn, IdempotencyToken: `restore-${props.requestId}` };
  if (kind === 'rds') {
    return { ...common, ResourceType: 'RDS', Metadata: { DBInstanceIdentifier: `${id}-restore-${props.requestId}`.slice(0, 63).replace(/-+$/, '') } };
  }
  return {
    ...common,
    ResourceType: 'EFS',
    Metadata: {
      'file-system-id': id,
      newFileSystem: String(props.newFileSystem ?? false),
      Encrypted: 'true',
      PerformanceMode: 'generalPurpose',
      CreationToken: `restore-${props.requestId}`,
    },
  };
}

/** What a finished restore produced, as {@link restoreInstructions} reads it. */
export interface RestoreResult {
  readonly env: string;
  readonly resourceArn: string;
  readonly newFileSystem: boolean;
  readonly status: string;
  /** The file system or instance AWS Backup wrote to. */
  readonly createdResourceArn?: string;
}

function efsLines(result: RestoreResult, kind: ResourceKind): string[] {
  const target = resourceId(result.createdResourceArn ?? result.resourceArn);
  if (kind === 'efs' && !result.newFileSystem) {
    return [
      `The files are in /aws-backup-restore_<datetime>/ at the root of file system ${target}; nothing was overwritten.`,
      `1. Stop portal-api: set the desired count of service portal-api of cluster wicked-${result.env} to 0 and wait for zero tasks.`,
      '2. From a task or host that mounts the file system, replace the dynamic directory (/var/portal-api/dynamic) with the restored copy (rsync -a --delete aws-backup-restore_<datetime>/<dynamic dir>/ <dynamic dir>/).',
      '3. Start portal-api again (desired count 1), then restart portal-kong-adapter so Kong is rebuilt from portal-api.',
    ];
  }
  return [
    `The files were restored to the new file system ${target}, under /aws-backup-restore_<datetime>/.`,
    `1. Point the stack's dynamic-data file system of environment ${result.env} at ${target} (stack prop) and deploy the stack; or copy the files back into the current file system.`,
    '2. Restart portal-api, then portal-kong-adapter so Kong is rebuilt from portal-api.',
  ];
}

/**
 * What the operator switches, and how, once a restore finished: the answer
 * `wickedctl restore` prints.
 *
 * @example
 * restoreInstructions({ env: 'prod', resourceArn: fsArn, newFileSystem: false, status: 'COMPLETED' })[0] // 'The files are in /aws-backup-restore_<datetime>/ …'
 */
export function restoreInstructions(result: RestoreResult): string[] {
  if (result.status !== 'COMPLETED') {
    return [`The restore is ${result.status}: nothing to switch yet. Follow it with --follow or the AWS Backup console.`];
  }
  const kind = resourceKind(result.resourceArn);
  if (kind === 'rds') {
    const instance = resourceId(result.createdResourceArn ?? '<new instance>');
    return [
      `The database was restored to the new RDS instance ${instance}; the current instance is untouched.`,
      `1. Stop portal-api (desired count 0), point its PostgreSQL host (PORTAL_STORAGE_PGHOST) of environment ${result.env} at the endpoint of ${instance}, and deploy.`,
      '2. Restart portal-kong-adapter so Kong is rebuilt; delete the old instance once the portal is checked.',
    ];
  }
  return efsLines(result, kind);
}
