import type { GateJob } from '../../../shared/deploy';
import { mayRecordJobState } from '../../../shared/snapshot/decisions';
import type { ModelEvent } from './ecs-model';

/** The dynamic data a snapshot backs up: one job per resource, and they end in any order. */
export const BACKUP_RESOURCES = ['arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1', 'arn:aws:rds:eu-west-1:1:cluster:wicked'] as const;

/** A backup job as the snapshot module's job items hold it. */
export interface ModelJob extends GateJob {
  readonly requestId: string;
  readonly deploymentIds: readonly string[];
}

/** A `Backup Job State Change` as track-backup reads it. */
export interface BackupStateChange {
  readonly jobId: string;
  readonly state: string;
  readonly recoveryPointArn?: string;
  readonly statusMessage?: string;
}

/**
 * AWS Backup, snapshot-data and track-backup's records as a model: a
 * `Portal Snapshot Requested` starts one job per resource (the request id is
 * the idempotency token, so a repeated request joins the jobs it started)
 * and records each in the ledger; a test moves any job on (`tick`), in any
 * order, to RUNNING, then to COMPLETED with a recovery point or to FAILED;
 * each change puts a `Backup Job State Change` (`backup-state`), which
 * track-backup records (`record`) and, for an end, turns into the snapshot
 * outcome that nudges the deploy loop. The ledger's records (`records`) know
 * only the changes that were delivered; AWS Backup's jobs (`jobs`) are the truth.
 */
export class BackupModel {
  /** AWS Backup's jobs, as DescribeBackupJob reports them. */
  readonly jobs: ModelJob[] = [];
  /** The ledger's job items: written when a job starts and from each state change track-backup handled. */
  readonly records: ModelJob[] = [];
  readonly events: ModelEvent[] = [];
  private counter = 0;

  /** snapshot-data's answer to a request: jobs for every resource not yet started under this request id, each recorded. */
  start(requestId: string, deploymentId: string): void {
    for (const resourceArn of BACKUP_RESOURCES) {
      if (this.jobs.some((job) => job.requestId === requestId && job.resourceArn === resourceArn)) continue;
      const job: ModelJob = { jobId: `job-${(this.counter += 1)}`, requestId, resourceArn, state: 'CREATED', deploymentIds: [deploymentId] };
      this.jobs.push(job);
      this.records.push({ ...job });
    }
  }

  /** DescribeBackupJob. */
  describe(jobId: string): ModelJob {
    const job = this.jobs.find((candidate) => candidate.jobId === jobId);
    if (!job) throw new Error(`backup model: no job ${jobId}`);
    return { ...job };
  }

  /**
   * track-backup's write of a state change, as the store's conditional write: a job that ended keeps its end
   * (a change delivered late or twice changes nothing). Returns the record as it is after the write.
   */
  record(change: BackupStateChange): ModelJob {
    const index = this.records.findIndex((candidate) => candidate.jobId === change.jobId);
    const stored = this.records[index]!;
    if (!mayRecordJobState(stored.state, change.state)) return { ...stored };
    this.records[index] = { ...stored, ...change };
    return { ...this.records[index]! };
  }

  /** Jobs not yet ended. */
  active(): ModelJob[] {
    return this.jobs.filter((job) => job.state === 'CREATED' || job.state === 'RUNNING');
  }

  /**
   * Moves the `pick`-th active job one state on: CREATED → RUNNING → COMPLETED
   * (FAILED when `fail`), and puts its state change. Returns false when no job is active.
   */
  tick(pick: number, fail: boolean): boolean {
    const active = this.active();
    if (active.length === 0) return false;
    const job = active[pick % active.length]!;
    const index = this.jobs.indexOf(job);
    const next: ModelJob = job.state === 'CREATED'
      ? { ...job, state: 'RUNNING' }
      : fail
        ? { ...job, state: 'FAILED', statusMessage: 'modelled failure' }
        : { ...job, state: 'COMPLETED', recoveryPointArn: `arn:aws:backup:eu-west-1:1:recovery-point:${job.jobId}` };
    this.jobs[index] = next;
    const change: BackupStateChange = {
      jobId: next.jobId, state: next.state, ...(next.recoveryPointArn ? { recoveryPointArn: next.recoveryPointArn } : {}), ...(next.statusMessage ? { statusMessage: next.statusMessage } : {}),
    };
    this.events.push({ id: `backup-${(this.counter += 1)}`, kind: 'backup-state', body: change });
    return true;
  }

  /** Whether every resource of `deploymentId`'s snapshot has a COMPLETED job. */
  completedFor(deploymentId: string): boolean {
    return BACKUP_RESOURCES.every((resource) => this.jobs.some((job) => job.resourceArn === resource && job.state === 'COMPLETED' && job.deploymentIds.includes(deploymentId)));
  }
}
