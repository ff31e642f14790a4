import type { Notifier } from '../deploy/adapters/notifier';
import type { BackupGateway } from './backup-adapter';
import type { RetentionProps } from './inputs';
import type { SnapshotStore } from './store';
import type { SweepSwitch } from './sweep';

/** The AWS Backup calls the orchestration makes (a {@link BackupGateway} or a fake). */
export type BackupPort = Pick<BackupGateway, 'startBackupJob' | 'describeBackupJob' | 'findRunningJob' | 'listJobsCreatedAfter' | 'startCopyJob'>;
/** The ledger items the orchestration reads and writes (a {@link SnapshotStore} or a fake). */
export type StorePort = Pick<SnapshotStore, 'putJob' | 'addRequesters' | 'setJobState' | 'claimOutcome' | 'outcomeAnnounced' | 'claimNotice' | 'noticeTold' | 'getJob' | 'listJobs' | 'putRecoveryPoint' | 'listRecoveryPoints'>;
/** Puts the control plane's events on the bus. */
export interface EventsPort {
  publish(detailType: string, detail: object, resources?: string[]): Promise<string>;
}
/** What is deployed now: the tags of a recovery point name it. */
export type DeployedPort = (env: string) => Promise<{ configHash?: string; digest?: string } | undefined>;

/** One environment's snapshot settings (the function's environment, parsed). */
export interface SnapshotConfig extends RetentionProps {
  readonly env: string;
  readonly vaultName: string;
  readonly iamRoleArn: string;
  /** EFS file system ARN first, then the RDS instance ARN when the platform stores data in Postgres. */
  readonly resources: readonly string[];
  /** Schedule expression (`rate(...)` / `cron(...)`): keys the per-slot idempotency token. */
  readonly schedule: string;
  /** @default 60 */
  readonly startWindowMinutes?: number;
  /** Disaster-recovery vault ARN (another region or account): every recovery point is copied there. */
  readonly drVaultArn?: string;
  /** Retention in the disaster-recovery vault. @default the same as the source */
  readonly drRetention?: RetentionProps;
}

/** Everything the snapshot orchestration needs. */
export interface SnapshotDeps {
  readonly config: SnapshotConfig;
  readonly backup: BackupPort;
  readonly store: StorePort;
  readonly events: EventsPort;
  /** The operators' topic (an `SnsNotifier`): failed jobs are published there. */
  readonly notifier: Notifier;
  readonly deployed: DeployedPort;
  /**
   * The environment's sweep schedule: switched on once a request recorded its jobs, off by the sweep when no job
   * is pending (`sweepSnapshotJobs`). @default none (nothing sweeps: tests drive the sweep themselves)
   */
  readonly sweep?: SweepSwitch;
  /** Clock in epoch milliseconds (event ages). @default Date.now */
  readonly now?: () => number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}
