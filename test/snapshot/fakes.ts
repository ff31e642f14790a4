import type { Notification, Notifier } from '../../shared/deploy';
import type { BackupJobView, BackupPort, EventsPort, JobItem, RecoveryPointItem, SnapshotConfig, SnapshotDeps, StorePort, SweepSwitch } from '../../shared/snapshot';
import { isActiveJobState, mayRecordJobState } from '../../shared/snapshot';

/** The ledger items in memory, with the store's semantics (put-once jobs, requester union). */
export class FakeStore implements StorePort {
  readonly jobs = new Map<string, JobItem>();
  readonly points: RecoveryPointItem[] = [];
  async putJob(job: JobItem): Promise<void> {
    const existing = this.jobs.get(job.jobId);
    if (!existing) this.jobs.set(job.jobId, { ...job });
    else if (existing.trigger === 'external' && job.trigger !== 'external') this.jobs.set(job.jobId, { ...existing, trigger: job.trigger, tags: job.tags });
  }
  async addRequesters(_env: string, jobId: string, requestIds: readonly string[], deploymentIds: readonly string[]): Promise<JobItem | undefined> {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    const next = { ...job, requestIds: [...new Set([...job.requestIds, ...requestIds])], deploymentIds: [...new Set([...job.deploymentIds, ...deploymentIds])] };
    this.jobs.set(jobId, next);
    return next;
  }
  async setJobState(_env: string, jobId: string, fields: { state: string; statusMessage?: string; recoveryPointArn?: string; updatedAt: string; outcomePending?: boolean }): Promise<JobItem> {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`fake store: no job ${jobId}`);
    // As the store's conditional write: a job that ended keeps its end, and the same end written again keeps its outcome.
    if (!mayRecordJobState(job.state, fields.state)) return job;
    const { outcomePending: _kept, ...again } = fields;
    const next = isActiveJobState(job.state) ? { ...job, ...fields } : { ...job, ...again };
    this.jobs.set(jobId, next);
    return next;
  }
  async claimOutcome(_env: string, jobId: string, now: number, until: number): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (!job?.outcomePending || (job.outcomeClaimedUntil !== undefined && job.outcomeClaimedUntil > now)) return false;
    this.jobs.set(jobId, { ...job, outcomeClaimedUntil: until });
    return true;
  }
  async outcomeAnnounced(_env: string, jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job) return;
    const { outcomePending: _announced, outcomeClaimedUntil: _claim, ...rest } = job;
    this.jobs.set(jobId, rest);
  }
  /** Notices by `<kind>#<jobId>`. */
  readonly notices = new Map<string, { pending: boolean; claimedUntil?: number }>();
  async claimNotice(_env: string, notice: { kind: string; jobId: string }, now: number, until: number): Promise<'claimed' | 'told' | 'held'> {
    const key = `${notice.kind}#${notice.jobId}`;
    const stored = this.notices.get(key);
    if (stored && !stored.pending) return 'told';
    if (stored && stored.claimedUntil! > now) return 'held';
    this.notices.set(key, { pending: true, claimedUntil: until });
    return 'claimed';
  }
  async noticeTold(_env: string, kind: string, jobId: string): Promise<void> {
    if (this.notices.has(`${kind}#${jobId}`)) this.notices.set(`${kind}#${jobId}`, { pending: false });
  }
  async getJob(_env: string, jobId: string): Promise<JobItem | undefined> {
    return this.jobs.get(jobId);
  }
  async listJobs(): Promise<JobItem[]> {
    return [...this.jobs.values()];
  }
  async putRecoveryPoint(point: RecoveryPointItem): Promise<void> {
    if (!this.points.some((p) => p.recoveryPointArn === point.recoveryPointArn)) this.points.push(point);
  }
  async listRecoveryPoints(): Promise<RecoveryPointItem[]> {
    return [...this.points];
  }
}

/** The recovery point of a fake COMPLETED job. */
export const recoveryPointOf = (jobId: string): string => `arn:aws:backup:eu-west-1:1:recovery-point:rp-${jobId}`;

/** AWS Backup in memory: a token returns its job; `states` says what DescribeBackupJob answers. */
export class FakeBackup implements BackupPort {
  readonly started: Parameters<BackupPort['startBackupJob']>[0][] = [];
  readonly copies: Parameters<BackupPort['startCopyJob']>[0][] = [];
  readonly states = new Map<string, string>();
  /** More of what DescribeBackupJob answers for a job (its status message, completion date). */
  readonly details = new Map<string, Partial<BackupJobView>>();
  /** Jobs whose DescribeBackupJob fails, with the error. */
  readonly describeErrors = new Map<string, Error>();
  runningOutside: string | undefined;
  /** What ListBackupJobs answers for jobs created since a time (any resource's: filtered by resource here). */
  readonly listed: BackupJobView[] = [];
  /** The creation dates ListBackupJobs was asked for jobs after. */
  readonly listedSince: Date[] = [];
  async startBackupJob(input: Parameters<BackupPort['startBackupJob']>[0]): Promise<{ jobId: string }> {
    const same = this.started.findIndex((other) => other.IdempotencyToken === input.IdempotencyToken);
    if (same >= 0) return { jobId: `job-${same + 1}` };
    this.started.push(input);
    const jobId = `job-${this.started.length}`;
    this.states.set(jobId, 'CREATED');
    return { jobId };
  }
  /** A COMPLETED job names its recovery point, as DescribeBackupJob does. */
  async describeBackupJob(jobId: string): Promise<BackupJobView> {
    const error = this.describeErrors.get(jobId);
    if (error) throw error;
    const state = this.states.get(jobId) ?? 'UNKNOWN';
    return { jobId, state, ...(state === 'COMPLETED' ? { recoveryPointArn: recoveryPointOf(jobId) } : {}), ...this.details.get(jobId) };
  }
  async findRunningJob(): Promise<string | undefined> {
    return this.runningOutside;
  }
  async listJobsCreatedAfter(resourceArn: string, _vaultName: string, since: Date): Promise<BackupJobView[]> {
    this.listedSince.push(since);
    return this.listed.filter((job) => job.resourceArn === resourceArn);
  }
  async startCopyJob(input: Parameters<BackupPort['startCopyJob']>[0]): Promise<string> {
    this.copies.push(input);
    return `copy-${this.copies.length}`;
  }
}

/** The bus in memory. */
export class FakeEvents implements EventsPort {
  readonly published: { detailType: string; detail: Record<string, unknown> }[] = [];
  async publish(detailType: string, detail: object): Promise<string> {
    this.published.push({ detailType, detail: detail as Record<string, unknown> });
    return `e-${this.published.length}`;
  }
  of(detailType: string): Record<string, unknown>[] {
    return this.published.filter((event) => event.detailType === detailType).map((event) => event.detail);
  }
}

/** The operators' topic in memory. */
export class FakeNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async notify(notification: Notification): Promise<void> {
    this.sent.push(notification);
  }
}

export const FS = 'arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1';
export const DB = 'arn:aws:rds:eu-west-1:1:db:wicked-prod';

/** Dependencies over the fakes for environment prod. */
export function fakeDeps(config: Partial<SnapshotConfig> = {}, deployed?: { configHash?: string; digest?: string }): SnapshotDeps & { store: FakeStore; backup: FakeBackup; events: FakeEvents; notifier: FakeNotifier } {
  return {
    config: { env: 'prod', vaultName: 'wicked-prod', iamRoleArn: 'arn:aws:iam::1:role/backup', resources: [FS], schedule: 'cron(0 3 * * ? *)', deleteAfterDays: 35, ...config },
    store: new FakeStore(),
    backup: new FakeBackup(),
    events: new FakeEvents(),
    notifier: new FakeNotifier(),
    deployed: async () => deployed,
    now: () => Date.parse('2026-01-02T03:00:10Z'),
  };
}

/** The sweep schedule in memory: on or off, and every switch in order. */
export class FakeSweep implements SweepSwitch {
  on = false;
  readonly calls: string[] = [];
  /** Runs right before a switch-off takes effect: another handler running whole between the sweep's read of the ledger and its switch-off. */
  beforeDisarm: (() => Promise<void>) | undefined;
  /** Runs right after a switch-off (a request recording its jobs meanwhile). */
  afterDisarm: (() => Promise<void>) | undefined;
  async arm(env: string): Promise<void> {
    this.calls.push(`arm ${env}`);
    this.on = true;
  }
  async disarm(env: string): Promise<void> {
    await this.beforeDisarm?.();
    this.calls.push(`disarm ${env}`);
    this.on = false;
    await this.afterDisarm?.();
  }
}
