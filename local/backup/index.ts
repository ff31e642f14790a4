import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../kernel/clock';
import type { EventSink } from '../kernel/events';
import { serveBackup } from './routes';
import type { BackupPlan, BackupRuleInput, BackupSelection, BackupSelectionInput } from './plans';
import type { BackupJobHold, StartBackupJobInput } from './service';
import { BackupService } from './service';
import type { BackupJob, BackupTimings, Database, FileSystem, InjectedFailure, RecoveryPoint, RestoreJob, Vault } from './state';
import { DEFAULT_BACKUP_TIMINGS } from './state';

export * from './errors';
export * from './events';
export * from './model';
export type { BackupPlan, BackupRuleInput, BackupSelection, BackupSelectionInput, JobCreator, PlanRule } from './plans';
export type { StartRestoreJobInput } from './restore';
export { describeBackupJob, describeRestoreJob } from './routes';
export type { StartBackupJobInput } from './service';
export * from './state';

/** Options of {@link startBackup}. */
export interface BackupOptions {
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  readonly clock: Clock;
  readonly bus: EventSink;
  /** File systems live under `<stateDir>/efs`, recovery points under `<stateDir>/backup`. */
  readonly stateDir: string;
  /** Modelled durations. @default {@link DEFAULT_BACKUP_TIMINGS} */
  readonly timings?: Partial<BackupTimings>;
}

/** The emulated AWS Backup's control surface for tests and the demo. */
export interface BackupControl {
  /** Creates an emulated EFS file system (a real directory) and returns its id, ARN and path. */
  createFileSystem(id?: string): Promise<FileSystem>;
  /** Creates a backup vault (CreateBackupVault). */
  createVault(name: string): Vault;
  /** Deletes an empty vault (DeleteBackupVault). */
  deleteVault(name: string): void;
  /** Deletes a file system and its directory (EFS DeleteFileSystem). */
  deleteFileSystem(id: string): Promise<void>;
  /** Makes an RDS DB instance (a stack's recorded `AWS::RDS::DBInstance`) known to AWS Backup: its points hold no data. */
  registerDatabase(id: string, arn: string): Database;
  /** The DB instance was deleted; its recovery points stay. */
  deregisterDatabase(id: string): void;
  /** A file system by id (a stack's `AWS::EFS::FileSystem` physical id), with the directory that stands for it. */
  fileSystem(id: string): FileSystem | undefined;
  /** The next backup job ends in this state instead of COMPLETED. */
  failNextBackupJob(failure?: InjectedFailure): void;
  /**
   * Keeps the next backup job that starts running RUNNING, as a long backup of a large file system would be, until the
   * hold is released; it then ends as it would have. `reached` resolves once the job waits on the hold. Stopping the
   * emulator releases every hold.
   */
  holdNextBackupJob(): BackupJobHold;
  /**
   * Starts this job (another party's, a backup plan's) right before the next StartBackupJob of its resource: the race
   * between a caller's ListBackupJobs and its own start, which AWS Backup answers by ending the caller's job EXPIRED.
   */
  raceNextStart(input: StartBackupJobInput & { readonly ResourceArn: string }): Promise<BackupJob>;
  /** CreateBackupPlan from a stack's `AWS::Backup::BackupPlan`: its rules fire on the clock at their schedules. */
  createPlan(name: string, rules: readonly BackupRuleInput[]): BackupPlan;
  /** UpdateBackupPlan: new rules, a new version. */
  updatePlan(id: string, rules: readonly BackupRuleInput[]): BackupPlan;
  /** DeleteBackupPlan (only without selections). */
  deletePlan(id: string): void;
  /** CreateBackupSelection: resources assigned to a plan by ARN. */
  createSelection(planId: string, input: BackupSelectionInput): BackupSelection;
  /** DeleteBackupSelection. */
  deleteSelection(planId: string, selectionId: string): void;
  /**
   * Fires a plan's rule (by name; the first when none is named) now, as the clock does at its schedule: one job per
   * assigned resource. Returns the jobs it started.
   */
  runPlanRule(planId: string, ruleName?: string): BackupJob[];
  /** The next restore job ends in this state instead of COMPLETED. */
  failNextRestoreJob(failure?: InjectedFailure): void;
  /** Deletes the recovery points whose lifecycle ran out now; returns their ARNs. */
  sweepExpired(): Promise<string[]>;
  /** Resolves when every job in flight has reached its final state. */
  settled(): Promise<void>;
  /** Backup jobs, restore jobs and recovery points so far. */
  readonly jobs: ReadonlyMap<string, BackupJob>;
  readonly restoreJobs: ReadonlyMap<string, RestoreJob>;
  readonly recoveryPoints: ReadonlyMap<string, RecoveryPoint>;
  readonly plans: ReadonlyMap<string, BackupPlan>;
  readonly selections: ReadonlyMap<string, BackupSelection>;
}

/**
 * Starts the emulated AWS Backup (restJson1) on 127.0.0.1: StartBackupJob,
 * DescribeBackupJob, ListBackupJobs, ListRecoveryPointsByResource, StartRestoreJob,
 * DescribeRestoreJob, DeleteRecoveryPoint, CreateBackupVault, DescribeBackupVault,
 * and backup plans and selections (Create/Get/List/Update/Delete), whose rules
 * run on the clock, for EFS file systems that are real directories and RDS instances.
 *
 * @example
 * const backup = await startBackup({ clock, bus, stateDir });
 * const fs = await backup.control.createFileSystem();
 * new BackupClient({ endpoint: backup.url });
 */
export async function startBackup(options: BackupOptions): Promise<{ url: string; stop(): Promise<void>; control: BackupControl }> {
  const service = new BackupService(options.clock, options.bus, options.stateDir, { ...DEFAULT_BACKUP_TIMINGS, ...options.timings });
  const server = createServer((req, res) => { void serveBackup(service, req, res); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      service.stopPlans();
      for (const point of service.points.values()) point.cancelExpiry?.();
      for (const hold of service.holds) hold.release();
      await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
    },
    control: {
      createFileSystem: (id) => service.createFileSystem(id),
      createVault: (name) => service.createVault(name),
      deleteVault: (name) => service.deleteVault(name),
      deleteFileSystem: (id) => service.deleteFileSystem(id),
      fileSystem: (id) => service.fileSystems.get(id),
      registerDatabase: (id, arn) => service.registerDatabase(id, arn),
      deregisterDatabase: (id) => service.deregisterDatabase(id),
      failNextBackupJob: (failure = { state: 'FAILED' }) => { service.failures.backup.push(failure); },
      holdNextBackupJob: () => service.holdNextBackupJob(),
      raceNextStart: (input) => service.raceNextStart(input),
      createPlan: (name, rules) => service.createPlan(name, rules),
      updatePlan: (id, rules) => service.updatePlan(id, rules),
      deletePlan: (id) => { service.deletePlan(id); },
      createSelection: (planId, input) => service.createSelection(planId, input),
      deleteSelection: (planId, selectionId) => service.deleteSelection(planId, selectionId),
      runPlanRule: (planId, ruleName) => service.runRule(planId, ruleName),
      failNextRestoreJob: (failure = { state: 'FAILED' }) => { service.failures.restore.push(failure); },
      sweepExpired: () => service.sweepExpired(),
      settled: () => service.settled(),
      jobs: service.jobs,
      restoreJobs: service.restoreJobs,
      recoveryPoints: service.points,
      plans: service.plans,
      selections: service.selections,
    },
  };
}
