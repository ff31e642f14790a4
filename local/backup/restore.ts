import { randomUUID } from 'node:crypto';
import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidParameter, missingParameter, resourceNotFound } from './errors';
import { restoreJobEvent } from './events';
import { copyItems, copyTree } from './file-tree';
import type { EfsRestoreMetadata } from './model';
import { parseEfsRestoreMetadata, restoreDirectoryName } from './model';
import type { BackupService } from './service';
import type { FileSystem, RestoreJob } from './state';

/** StartRestoreJob's input, as the SDK sends it. */
export interface StartRestoreJobInput {
  readonly RecoveryPointArn?: string;
  readonly Metadata?: Record<string, string>;
  readonly IamRoleArn?: string;
  readonly IdempotencyToken?: string;
  readonly ResourceType?: string;
}

/**
 * StartRestoreJob for an EFS recovery point: the files are written back into
 * an `aws-backup-restore_<datetime>` directory of the existing file system
 * (or of a new one with `newFileSystem: true`), never over existing files.
 * A retried call with the same idempotency token returns the same job.
 */
export function startRestoreJob(service: BackupService, input: StartRestoreJobInput): RestoreJob {
  if (!input.RecoveryPointArn) throw missingParameter('RecoveryPointArn');
  if (!input.IamRoleArn) throw missingParameter('IamRoleArn');
  if (input.ResourceType !== undefined && input.ResourceType !== 'EFS') throw invalidParameter('ResourceType', input.ResourceType, 'EFS (the emulator restores EFS only)');
  if (input.IdempotencyToken) {
    const same = [...service.restoreJobs.values()].find((job) => job.idempotencyToken === input.IdempotencyToken);
    if (same) return same;
  }
  const point = service.points.get(input.RecoveryPointArn);
  if (!point) throw resourceNotFound('Recovery point', input.RecoveryPointArn);
  if (point.resourceType !== 'EFS') throw invalidParameter('RecoveryPointArn', input.RecoveryPointArn, `a recovery point of an EFS file system (this one is of ${point.resourceType} ${point.resourceArn}; the emulator restores EFS only)`);
  const metadata = parseEfsRestoreMetadata(input.Metadata);
  const target = metadata.newFileSystem ? undefined : service.fileSystems.get(metadata.fileSystemId);
  if (!metadata.newFileSystem && !target) throw resourceNotFound('File system', metadata.fileSystemId);
  const job: RestoreJob = {
    id: randomUUID().toUpperCase(),
    recoveryPoint: point,
    iamRoleArn: input.IamRoleArn,
    ...(input.IdempotencyToken ? { idempotencyToken: input.IdempotencyToken } : {}),
    creationDate: service.clock.now(),
    status: 'CREATED',
    percentDone: 0,
  };
  service.restoreJobs.set(job.id, job);
  service.bus.put(restoreJobEvent(job));
  service.track(runRestore(service, job, metadata, target));
  return job;
}

async function runRestore(service: BackupService, job: RestoreJob, metadata: EfsRestoreMetadata, existing: FileSystem | undefined): Promise<void> {
  setStatus(service, job, 'PENDING');
  await service.clock.sleep(service.timings.startMs);
  setStatus(service, job, 'RUNNING');
  const target = existing ?? (await service.createFileSystem());
  const directory = await freeDirectory(target.path, service.clock.now());
  try {
    if (metadata.itemsToRestore.length) await copyItems(job.recoveryPoint.path, metadata.itemsToRestore, directory);
    else await copyTree(job.recoveryPoint.path, directory);
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    return finish(service, job, 'FAILED', `Restore failed: ${(error as Error).message}`);
  }
  await service.clock.sleep(service.timings.restoreMs);
  const failure = service.failures.restore.shift();
  if (failure) {
    await rm(directory, { recursive: true, force: true });
    return finish(service, job, failure.state, failure.message ?? (failure.state === 'ABORTED' ? 'Restore job was stopped by user.' : 'Restore job failed (injected by the emulator).'));
  }
  job.createdResourceArn = target.arn;
  job.restoredPath = directory;
  job.percentDone = 100;
  finish(service, job, 'COMPLETED');
}

/** `aws-backup-restore_<datetime>` under the root, one that does not exist yet. */
async function freeDirectory(root: string, now: number): Promise<string> {
  for (let at = now; ; at += 1) {
    const candidate = join(root, restoreDirectoryName(at));
    try {
      await access(candidate);
    } catch {
      return candidate;
    }
  }
}

function setStatus(service: BackupService, job: RestoreJob, status: RestoreJob['status']): void {
  job.status = status;
  service.bus.put(restoreJobEvent(job));
}

function finish(service: BackupService, job: RestoreJob, status: RestoreJob['status'], message?: string): void {
  job.completionDate = service.clock.now();
  if (message !== undefined) job.statusMessage = message;
  setStatus(service, job, status);
}
