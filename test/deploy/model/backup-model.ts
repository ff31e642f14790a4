import type { GateJob } from '../../../shared/deploy';
import type { ModelEvent } from './ecs-model';

/** The dynamic data a snapshot backs up: one job per resource, and they end in any order. */
export const BACKUP_RESOURCES = ['arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1', 'arn:aws:rds:eu-west-1:1:cluster:wicked'] as const;

/** A backup job as the snapshot module's job items hold it. */
export interface ModelJob extends GateJob {
  readonly requestId: string;
  readonly deploymentIds: readonly string[];
}

/**
 * AWS Backup and snapshot-data as a model: a `Portal Snapshot Requested`
 * starts one job per resource (the request id is the idempotency token, so
 * a repeated request joins the jobs it started); a test moves any job on
 * (`tick`), in any order, to COMPLETED with a recovery point or to FAILED;
 * each ended job puts the snapshot outcome event that nudges the deploy loop.
 */
export class BackupModel {
  readonly jobs: ModelJob[] = [];
  readonly events: ModelEvent[] = [];
  private counter = 0;

  /** snapshot-data's answer to a request: jobs for every resource not yet started under this request id. */
  start(requestId: string, deploymentId: string): void {
    for (const resourceArn of BACKUP_RESOURCES) {
      if (this.jobs.some((job) => job.requestId === requestId && job.resourceArn === resourceArn)) continue;
      this.jobs.push({ jobId: `job-${(this.counter += 1)}`, requestId, resourceArn, state: 'CREATED', deploymentIds: [deploymentId] });
    }
  }

  /** Jobs not yet ended. */
  active(): ModelJob[] {
    return this.jobs.filter((job) => job.state === 'CREATED' || job.state === 'RUNNING');
  }

  /**
   * Moves the `pick`-th active job one state on: CREATED → RUNNING → COMPLETED
   * (FAILED when `fail`). Returns false when no job is active.
   */
  tick(pick: number, fail: boolean): boolean {
    const active = this.active();
    if (active.length === 0) return false;
    const job = active[pick % active.length]!;
    const index = this.jobs.indexOf(job);
    if (job.state === 'CREATED') {
      this.jobs[index] = { ...job, state: 'RUNNING' };
      return true;
    }
    const ended: ModelJob = fail
      ? { ...job, state: 'FAILED', statusMessage: 'modelled failure' }
      : { ...job, state: 'COMPLETED', recoveryPointArn: `arn:aws:backup:eu-west-1:1:recovery-point:${job.jobId}` };
    this.jobs[index] = ended;
    this.events.push({ id: `backup-${(this.counter += 1)}`, kind: 'snapshot-outcome', body: { jobId: ended.jobId, state: ended.state, deploymentIds: ended.deploymentIds } });
    return true;
  }

  /** Whether every resource of `deploymentId`'s snapshot has a COMPLETED job. */
  completedFor(deploymentId: string): boolean {
    return BACKUP_RESOURCES.every((resource) => this.jobs.some((job) => job.resourceArn === resource && job.state === 'COMPLETED' && job.deploymentIds.includes(deploymentId)));
  }
}
