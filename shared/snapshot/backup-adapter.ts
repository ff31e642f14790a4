import type { BackupJob, BackupJobState, StartBackupJobInput, StartCopyJobInput, StartRestoreJobInput } from '@aws-sdk/client-backup';
import {
  BackupClient, DescribeBackupJobCommand, DescribeRestoreJobCommand, ListBackupJobsCommand, ListRecoveryPointsByResourceCommand,
  paginateListBackupJobs, StartBackupJobCommand, StartCopyJobCommand, StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { SnapshotError, wrapAwsError } from './errors';

/** A backup job as the control plane reads it. */
export interface BackupJobView {
  readonly jobId: string;
  readonly state: string;
  readonly statusMessage?: string;
  readonly resourceArn?: string;
  readonly recoveryPointArn?: string;
  readonly sizeBytes?: number;
  /** When the job ended (ISO 8601). */
  readonly completionDate?: string;
  /** When AWS Backup created it (ISO 8601). */
  readonly creationDate?: string;
}

/** A job as DescribeBackupJob or ListBackupJobs answers it, as the control plane reads it. */
function jobView(job: Pick<BackupJob, 'BackupJobId' | 'State' | 'StatusMessage' | 'ResourceArn' | 'RecoveryPointArn' | 'BackupSizeInBytes' | 'CompletionDate' | 'CreationDate'>, jobId = job.BackupJobId ?? ''): BackupJobView {
  return {
    jobId,
    state: job.State ?? 'UNKNOWN',
    ...(job.StatusMessage ? { statusMessage: job.StatusMessage } : {}),
    ...(job.ResourceArn ? { resourceArn: job.ResourceArn } : {}),
    ...(job.RecoveryPointArn ? { recoveryPointArn: job.RecoveryPointArn } : {}),
    ...(job.BackupSizeInBytes !== undefined ? { sizeBytes: job.BackupSizeInBytes } : {}),
    ...(job.CompletionDate ? { completionDate: job.CompletionDate.toISOString() } : {}),
    ...(job.CreationDate ? { creationDate: job.CreationDate.toISOString() } : {}),
  };
}

/** A restore job as the control plane reads it. */
export interface RestoreJobView {
  readonly restoreJobId: string;
  readonly status: string;
  readonly statusMessage?: string;
  readonly createdResourceArn?: string;
  readonly percentDone?: string;
}

/** A recovery point that AWS Backup still holds. */
export interface RecoveryPointView {
  readonly recoveryPointArn: string;
  readonly createdAt?: string;
  readonly status?: string;
  readonly vaultName?: string;
  readonly sizeBytes?: number;
}

/**
 * Every AWS Backup call of the control plane, with the client passed in.
 * Failures become {@link SnapshotError}s that say what was being done.
 *
 * @example
 * const backup = new BackupGateway({ client: new BackupClient({}) });
 * const { jobId } = await backup.startBackupJob(toStartBackupJobInput(props));
 */
export class BackupGateway {
  private readonly client: BackupClient;

  constructor(props: { client?: BackupClient } = {}) {
    this.client = props.client ?? new BackupClient({});
  }

  /** StartBackupJob; a retried token returns the job it started before. */
  async startBackupJob(input: StartBackupJobInput): Promise<{ jobId: string; recoveryPointArn?: string }> {
    const output = await this.call(`starting a backup job of ${input.ResourceArn} in vault ${input.BackupVaultName}`, () => this.client.send(new StartBackupJobCommand(input)), { resourceArn: input.ResourceArn });
    if (!output.BackupJobId) throw new SnapshotError('BACKUP_FAILED', `starting a backup job of ${input.ResourceArn}: AWS Backup returned no BackupJobId`, { context: { resourceArn: input.ResourceArn } });
    return { jobId: output.BackupJobId, ...(output.RecoveryPointArn ? { recoveryPointArn: output.RecoveryPointArn } : {}) };
  }

  /** DescribeBackupJob. */
  async describeBackupJob(jobId: string): Promise<BackupJobView> {
    const output = await this.call(`describing backup job ${jobId}`, () => this.client.send(new DescribeBackupJobCommand({ BackupJobId: jobId })), { jobId });
    return jobView(output, jobId);
  }

  /**
   * The jobs of a resource in a vault that AWS Backup created after `since`, whoever started them
   * (ListBackupJobs by resource, vault and creation date, every page).
   */
  async listJobsCreatedAfter(resourceArn: string, vaultName: string, since: Date): Promise<BackupJobView[]> {
    return this.call(`listing the backup jobs of ${resourceArn} in vault ${vaultName} created after ${since.toISOString()}`, async () => {
      const jobs: BackupJobView[] = [];
      for await (const page of paginateListBackupJobs({ client: this.client }, { ByResourceArn: resourceArn, ByBackupVaultName: vaultName, ByCreatedAfter: since })) {
        jobs.push(...(page.BackupJobs ?? []).map((job) => jobView(job)));
      }
      return jobs;
    }, { resourceArn });
  }

  /**
   * A job of the resource that still runs (started by anyone: a backup plan,
   * the console), or `undefined` when none does (ListBackupJobs by resource
   * and state, one call per active state).
   */
  async findRunningJob(resourceArn: string): Promise<string | undefined> {
    for (const state of ['RUNNING', 'PENDING', 'CREATED'] as BackupJobState[]) {
      const output = await this.call(`listing ${state} backup jobs of ${resourceArn}`, () => this.client.send(new ListBackupJobsCommand({ ByResourceArn: resourceArn, ByState: state, MaxResults: 1 })), { resourceArn });
      const found = output.BackupJobs?.[0]?.BackupJobId;
      if (found) return found;
    }
    return undefined;
  }

  /** StartCopyJob (to the disaster-recovery vault). */
  async startCopyJob(input: StartCopyJobInput): Promise<string> {
    const output = await this.call(`copying ${input.RecoveryPointArn} to ${input.DestinationBackupVaultArn}`, () => this.client.send(new StartCopyJobCommand(input)), { recoveryPointArn: input.RecoveryPointArn });
    return output.CopyJobId ?? '';
  }

  /** StartRestoreJob. */
  async startRestoreJob(input: StartRestoreJobInput): Promise<string> {
    const output = await this.call(`starting a restore of ${input.RecoveryPointArn}`, () => this.client.send(new StartRestoreJobCommand(input)), { recoveryPointArn: input.RecoveryPointArn });
    if (!output.RestoreJobId) throw new SnapshotError('BACKUP_FAILED', `starting a restore of ${input.RecoveryPointArn}: AWS Backup returned no RestoreJobId`);
    return output.RestoreJobId;
  }

  /** DescribeRestoreJob. */
  async describeRestoreJob(restoreJobId: string): Promise<RestoreJobView> {
    const output = await this.call(`describing restore job ${restoreJobId}`, () => this.client.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId })), { restoreJobId });
    return {
      restoreJobId,
      status: output.Status ?? 'UNKNOWN',
      ...(output.StatusMessage ? { statusMessage: output.StatusMessage } : {}),
      ...(output.CreatedResourceArn ? { createdResourceArn: output.CreatedResourceArn } : {}),
      ...(output.PercentDone ? { percentDone: output.PercentDone } : {}),
    };
  }

  /** Every recovery point AWS Backup holds for a resource (all pages), newest first as the API returns them. */
  async listRecoveryPoints(resourceArn: string): Promise<RecoveryPointView[]> {
    const points: RecoveryPointView[] = [];
    let token: string | undefined;
    do {
      const output = await this.call(`listing recovery points of ${resourceArn}`, () => this.client.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: resourceArn, NextToken: token })), { resourceArn });
      for (const point of output.RecoveryPoints ?? []) {
        if (!point.RecoveryPointArn) continue;
        points.push({
          recoveryPointArn: point.RecoveryPointArn,
          ...(point.CreationDate ? { createdAt: point.CreationDate.toISOString() } : {}),
          ...(point.Status ? { status: point.Status } : {}),
          ...(point.BackupVaultName ? { vaultName: point.BackupVaultName } : {}),
          ...(point.BackupSizeBytes !== undefined ? { sizeBytes: point.BackupSizeBytes } : {}),
        });
      }
      token = output.NextToken;
    } while (token);
    return points;
  }

  private async call<T>(doing: string, fn: () => Promise<T>, context: Record<string, string | undefined>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw wrapAwsError(doing, error, 'BACKUP_FAILED', context);
    }
  }
}
