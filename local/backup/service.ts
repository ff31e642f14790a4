import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../kernel/clock';
import type { EventSink } from '../kernel/events';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../kernel/events';
import { invalidParameter, invalidRequest, missingParameter, resourceNotFound } from './errors';
import { backupJobEvent } from './events';
import { copyTree, treeSize } from './file-tree';
import type { Lifecycle } from './model';
import { checkLifecycle, decideBackupStart, expiresAt, SAME_RESOURCE_MESSAGE } from './model';
import type { BackupPlan, BackupRuleInput, BackupSelection, BackupSelectionInput, JobCreator, PlanRule } from './plans';
import { assignedResources, checkRule, checkSelection, jobCreator, newVersionId, nextRuleTime } from './plans';
import type { BackedUpResource, BackupJob, BackupTimings, Database, FileSystem, InjectedFailure, RecoveryPoint, RestoreJob, Vault } from './state';
import { DEFAULT_BACKUP_TIMINGS } from './state';

/** Default start window of an on-demand backup: 8 hours (StartBackupJob, StartWindowMinutes). */
const DEFAULT_START_WINDOW_MINUTES = 480;

/** StartBackupJob's input, as the SDK sends it. */
export interface StartBackupJobInput {
  readonly BackupVaultName?: string;
  readonly ResourceArn?: string;
  readonly IamRoleArn?: string;
  readonly IdempotencyToken?: string;
  readonly StartWindowMinutes?: number;
  readonly Lifecycle?: Lifecycle;
}

/** What a new job is made of: its vault and resource, the role, the window, and what the caller or plan rule adds. */
interface JobStart {
  readonly vault: Vault;
  readonly resource: BackedUpResource;
  readonly iamRoleArn: string;
  readonly startWindowMinutes: number;
  readonly idempotencyToken?: string;
  readonly lifecycle?: Lifecycle;
  readonly createdBy?: JobCreator;
}

/** A backup job kept RUNNING: `reached` once its backup is done and it waits; `release` lets it end. */
export interface BackupJobHold {
  readonly reached: Promise<void>;
  release(): void;
}

/**
 * The emulated AWS Backup's state and backup jobs for EFS file systems that
 * are real directories under `<stateDir>/efs`; recovery points are real
 * copies under `<stateDir>/backup`. Every modelled delay goes through the clock.
 */
export class BackupService {
  readonly vaults = new Map<string, Vault>();
  readonly fileSystems = new Map<string, FileSystem>();
  /** RDS DB instances by id (a stack's `AWS::RDS::DBInstance`, recorded): backed up without contents. */
  readonly databases = new Map<string, Database>();
  readonly jobs = new Map<string, BackupJob>();
  readonly restoreJobs = new Map<string, RestoreJob>();
  readonly points = new Map<string, RecoveryPoint>();
  readonly plans = new Map<string, BackupPlan>();
  readonly selections = new Map<string, BackupSelection>();
  /** Cancels the pending fire time of each plan's rules, by plan id. */
  private readonly planTimers = new Map<string, (() => void)[]>();
  readonly failures: { backup: InjectedFailure[]; restore: InjectedFailure[] } = { backup: [], restore: [] };
  /** Holds taken in turn by the next jobs that start running (`holdsTaken` so far): each stays RUNNING until its hold is released. */
  readonly holds: (BackupJobHold & { readonly released: Promise<void>; readonly arrive: () => void })[] = [];
  private holdsTaken = 0;
  private readonly work = new Set<Promise<void>>();
  private readonly racers = new Map<string, { input: StartBackupJobInput; resolve: (job: BackupJob) => void; reject: (error: unknown) => void }[]>();

  constructor(readonly clock: Clock, readonly bus: EventSink, readonly stateDir: string, readonly timings: BackupTimings = DEFAULT_BACKUP_TIMINGS) {}

  /** Creates a file system: a directory under `<stateDir>/efs/<id>`. */
  async createFileSystem(id = `fs-${randomBytes(9).toString('hex').slice(0, 17)}`): Promise<FileSystem> {
    const fileSystem: FileSystem = { id, arn: `arn:aws:elasticfilesystem:${LOCAL_REGION}:${LOCAL_ACCOUNT}:file-system/${id}`, path: join(this.stateDir, 'efs', id) };
    await mkdir(fileSystem.path, { recursive: true });
    this.fileSystems.set(id, fileSystem);
    return fileSystem;
  }

  /** Makes a DB instance known to AWS Backup (its stack created it). */
  registerDatabase(id: string, arn: string): Database {
    const database: Database = { id, arn };
    this.databases.set(id, database);
    return database;
  }

  /** The DB instance is gone (its stack deleted it); its recovery points stay, as on AWS. */
  deregisterDatabase(id: string): void {
    this.databases.delete(id);
  }

  /** CreateBackupVault. */
  createVault(name: string): Vault {
    if (!/^[a-zA-Z0-9\-_]{2,50}$/.test(name)) throw invalidParameter('BackupVaultName', name, '2-50 letters, digits, hyphens and underscores');
    const existing = this.vaults.get(name);
    if (existing) return existing;
    const vault: Vault = { name, arn: `arn:aws:backup:${LOCAL_REGION}:${LOCAL_ACCOUNT}:backup-vault:${name}`, creationDate: this.clock.now() };
    this.vaults.set(name, vault);
    return vault;
  }

  /** DeleteBackupVault: only a vault without recovery points ("DeleteBackupVault", AWS Backup API Reference). */
  deleteVault(name: string): void {
    const vault = this.vault(name);
    const points = [...this.points.values()].filter((point) => point.vault.name === vault.name).length;
    if (points > 0) throw invalidParameter('BackupVaultName', name, `an empty vault (it holds ${points} recovery points)`);
    this.vaults.delete(name);
  }

  /** DeleteFileSystem (EFS): the directory standing in for it goes too. */
  async deleteFileSystem(id: string): Promise<void> {
    const fileSystem = this.fileSystems.get(id);
    if (!fileSystem) throw resourceNotFound('File system', id);
    this.fileSystems.delete(id);
    await rm(fileSystem.path, { recursive: true, force: true });
  }

  /** A vault by name, or ResourceNotFoundException. */
  vault(name: string | undefined): Vault {
    if (!name) throw missingParameter('BackupVaultName');
    const vault = this.vaults.get(name);
    if (!vault) throw resourceNotFound('Backup vault', name);
    return vault;
  }

  /**
   * The resource of a StartBackupJob by ARN: an EFS file system (its directory is copied) or an RDS DB instance
   * (nothing to copy); an error naming what was expected otherwise.
   */
  backedUpResource(arn: string | undefined): BackedUpResource {
    if (arn?.startsWith('arn:aws:rds:')) {
      const database = [...this.databases.values()].find((db) => db.arn === arn);
      if (!database) throw resourceNotFound('DB instance', arn);
      return { type: 'RDS', arn: database.arn };
    }
    const fileSystem = this.fileSystemByArn(arn);
    return { type: 'EFS', arn: fileSystem.arn, source: fileSystem.path };
  }

  /** A file system by ARN, or an error naming what was expected. */
  fileSystemByArn(arn: string | undefined): FileSystem {
    if (!arn) throw missingParameter('ResourceArn');
    if (!arn.startsWith('arn:aws:elasticfilesystem:')) throw invalidParameter('ResourceArn', arn, 'an EFS file system or RDS DB instance ARN (the emulator backs up these two)');
    const found = [...this.fileSystems.values()].find((fs) => fs.arn === arn);
    if (!found) throw resourceNotFound('File system', arn);
    return found;
  }

  /** Keeps the next job that starts running RUNNING (a long backup) until the hold is released. */
  holdNextBackupJob(): BackupJobHold {
    let release = (): void => undefined;
    let arrive = (): void => undefined;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const reached = new Promise<void>((resolve) => { arrive = resolve; });
    const hold = { released, release, reached, arrive };
    this.holds.push(hold);
    return { reached, release };
  }

  /**
   * Starts `input`'s job (another party's: a backup plan, the console) right before the next StartBackupJob of the
   * same resource is handled: the job a caller cannot have found with ListBackupJobs, since it began between that
   * caller's listing and its start. Resolves with the job once it is started; rejects if AWS Backup would refuse
   * it, and the caller's start goes on regardless.
   */
  raceNextStart(input: StartBackupJobInput & { readonly ResourceArn: string }): Promise<BackupJob> {
    return new Promise((resolve, reject) => {
      this.racers.set(input.ResourceArn, [...(this.racers.get(input.ResourceArn) ?? []), { input, resolve, reject }]);
    });
  }

  /** StartBackupJob: idempotent per token; a job meeting a running job of the same resource ends EXPIRED. */
  startBackupJob(input: StartBackupJobInput): BackupJob {
    const racer = input.ResourceArn === undefined ? undefined : this.racers.get(input.ResourceArn)?.shift();
    if (racer) {
      try {
        racer.resolve(this.startBackupJob(racer.input));
      } catch (error) {
        racer.reject(error);
      }
    }
    const vault = this.vault(input.BackupVaultName);
    const resource = this.backedUpResource(input.ResourceArn);
    if (!input.IamRoleArn) throw missingParameter('IamRoleArn');
    const lifecycle = checkLifecycle(input.Lifecycle);
    return this.beginJob({
      vault, resource, iamRoleArn: input.IamRoleArn, startWindowMinutes: input.StartWindowMinutes ?? DEFAULT_START_WINDOW_MINUTES,
      ...(input.IdempotencyToken ? { idempotencyToken: input.IdempotencyToken } : {}), ...(lifecycle ? { lifecycle } : {}),
    });
  }

  /** Creates a job (or finds the one of the same idempotency token) and runs it in the background. */
  private beginJob(start: JobStart): BackupJob {
    const decision = decideBackupStart([...this.jobs.values()], { resourceArn: start.resource.arn, ...(start.idempotencyToken ? { idempotencyToken: start.idempotencyToken } : {}) });
    if (decision.kind === 'reuse') return this.jobs.get(decision.jobId)!;
    const job = this.createJob(start);
    this.track(this.runBackup(job, start.resource.source, decision.runningJobId !== undefined));
    return job;
  }

  /** A new job, CREATED (its event emitted), not yet running. */
  private createJob(start: JobStart): BackupJob {
    const now = this.clock.now();
    const job: BackupJob = {
      id: randomUUID().toUpperCase(),
      vault: start.vault,
      resourceArn: start.resource.arn,
      resourceType: start.resource.type,
      iamRoleArn: start.iamRoleArn,
      ...(start.idempotencyToken ? { idempotencyToken: start.idempotencyToken } : {}),
      ...(start.lifecycle ? { lifecycle: start.lifecycle } : {}),
      ...(start.createdBy ? { createdBy: start.createdBy } : {}),
      recoveryPointArn: `arn:aws:backup:${LOCAL_REGION}:${LOCAL_ACCOUNT}:recovery-point:${randomUUID()}`,
      creationDate: now,
      startBy: now + start.startWindowMinutes * 60_000,
      state: 'CREATED',
      percentDone: 0,
      backupSizeInBytes: 0,
    };
    this.jobs.set(job.id, job);
    this.emit(job);
    return job;
  }

  /** CreateBackupPlan: checks every rule, then runs each on the clock at its schedule. */
  createPlan(name: string, rules: readonly BackupRuleInput[]): BackupPlan {
    if (!/^[a-zA-Z0-9\-_.]{1,50}$/.test(name)) throw invalidParameter('BackupPlan.BackupPlanName', name, '1-50 letters, digits, hyphens, underscores and periods');
    const id = randomUUID();
    const plan: BackupPlan = {
      id, arn: `arn:aws:backup:${LOCAL_REGION}:${LOCAL_ACCOUNT}:backup-plan:${id}`, name, versionId: newVersionId(),
      rules: this.checkRules(rules), creationDate: this.clock.now(),
    };
    this.plans.set(id, plan);
    this.armPlan(plan);
    return plan;
  }

  /** UpdateBackupPlan: new rules and a new version; the next fire times follow the new schedules. */
  updatePlan(id: string, rules: readonly BackupRuleInput[]): BackupPlan {
    const plan = this.plan(id);
    plan.rules = this.checkRules(rules);
    plan.versionId = newVersionId();
    this.armPlan(plan);
    return plan;
  }

  /** DeleteBackupPlan: only a plan without selections ("delete all selections first"); its rules stop firing. */
  deletePlan(id: string): BackupPlan {
    const plan = this.plan(id);
    const selections = [...this.selections.values()].filter((selection) => selection.planId === id).length;
    if (selections > 0) throw invalidRequest(`Backup plan ${id} still has ${selections} resource assignment(s): delete its selections first`, { id });
    this.disarmPlan(id);
    this.plans.delete(id);
    return plan;
  }

  /** A plan by id, or ResourceNotFoundException. */
  plan(id: string | undefined): BackupPlan {
    const plan = id === undefined ? undefined : this.plans.get(id);
    if (!plan) throw resourceNotFound('Backup plan', id ?? '(none)');
    return plan;
  }

  /** CreateBackupSelection: assigns resources by ARN to a plan. */
  createSelection(planId: string, input: BackupSelectionInput): BackupSelection {
    this.plan(planId);
    const selection: BackupSelection = { id: randomUUID(), planId, ...checkSelection(input), creationDate: this.clock.now() };
    this.selections.set(selection.id, selection);
    return selection;
  }

  /** DeleteBackupSelection. */
  deleteSelection(planId: string, selectionId: string): void {
    this.selection(planId, selectionId);
    this.selections.delete(selectionId);
  }

  /** A selection of a plan, or ResourceNotFoundException. */
  selection(planId: string, selectionId: string): BackupSelection {
    const selection = this.selections.get(selectionId);
    if (!selection || selection.planId !== planId) throw resourceNotFound('Backup selection', `${selectionId} of plan ${planId}`);
    return selection;
  }

  /**
   * Fires a plan's rule now, as the clock does at its schedule: one job per assigned resource that exists, started as
   * the rule says (its vault, start window and lifecycle), naming the plan version and rule that created it. A job
   * whose target vault is gone fails, as AWS Backup reports it. Returns the jobs started.
   */
  runRule(planId: string, ruleName?: string): BackupJob[] {
    const plan = this.plan(planId);
    const rule = ruleName === undefined ? plan.rules[0] : plan.rules.find((candidate) => candidate.ruleName === ruleName);
    if (!rule) throw resourceNotFound('Backup rule', `${ruleName ?? '(first)'} of plan ${planId}`);
    plan.lastExecutionDate = this.clock.now();
    const known = [...this.fileSystems.values(), ...this.databases.values()].map((resource) => resource.arn);
    const selections = [...this.selections.values()].filter((selection) => selection.planId === planId);
    const createdBy = jobCreator(plan, rule);
    return assignedResources(selections, known).map(({ arn, iamRoleArn }) => {
      const vault = this.vaults.get(rule.targetVaultName);
      const resource = this.backedUpResource(arn);
      const start = { resource, iamRoleArn, startWindowMinutes: rule.startWindowMinutes, createdBy, ...(rule.lifecycle ? { lifecycle: rule.lifecycle } : {}) };
      if (vault) return this.beginJob({ ...start, vault });
      const missing: Vault = { name: rule.targetVaultName, arn: `arn:aws:backup:${LOCAL_REGION}:${LOCAL_ACCOUNT}:backup-vault:${rule.targetVaultName}`, creationDate: 0 };
      return this.failedJob({ ...start, vault: missing }, `Backup job failed because backup vault ${missing.arn} does not exist.`);
    });
  }

  /** Stops every plan's rules from firing (the service is shutting down). */
  stopPlans(): void {
    for (const id of [...this.planTimers.keys()]) this.disarmPlan(id);
  }

  /** Cancels the pending fire times of a plan's rules. */
  private disarmPlan(id: string): void {
    for (const cancel of this.planTimers.get(id) ?? []) cancel();
    this.planTimers.delete(id);
  }

  private checkRules(rules: readonly BackupRuleInput[]): PlanRule[] {
    if (rules.length === 0) throw missingParameter('BackupPlan.Rules');
    const checked = rules.map((rule, i) => checkRule(rule, `BackupPlan.Rules[${i}]`, (name) => this.vaults.has(name)));
    const names = checked.map((rule) => rule.ruleName);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice !== undefined) throw invalidParameter('BackupPlan.Rules', twice, 'rule names that differ within the plan');
    return checked;
  }

  /** (Re)schedules each rule of the plan at its next fire time on the clock. */
  private armPlan(plan: BackupPlan): void {
    this.disarmPlan(plan.id);
    const cancels: (() => void)[] = [];
    this.planTimers.set(plan.id, cancels);
    for (const rule of plan.rules) {
      const arm = (after: number): void => {
        const at = nextRuleTime(rule, after);
        if (at === undefined) return;
        const cancel = scheduleAt(this.clock, at, () => {
          cancels.splice(cancels.indexOf(cancel), 1);
          if (this.plans.get(plan.id) !== plan || !plan.rules.includes(rule)) return;
          this.runRule(plan.id, rule.ruleName);
          // A fire that came late (the clock jumped ahead) is not followed by the ones it skipped: the next is after now.
          arm(Math.max(at, this.clock.now()));
        });
        cancels.push(cancel);
      };
      arm(this.clock.now());
    }
  }

  /** A job that fails as soon as it would start (its vault is gone). */
  private failedJob(start: JobStart, message: string): BackupJob {
    const job = this.createJob(start);
    this.track(this.clock.sleep(this.timings.startMs).then(() => this.finish(job, 'FAILED', message)));
    return job;
  }

  /** Resolves when every job in flight has reached its final state. */
  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /** Runs work in the background, tracked by {@link settled}. */
  track(work: Promise<void>): void {
    const done = work.catch(() => undefined).finally(() => this.work.delete(done));
    this.work.add(done);
  }

  /** Deletes a recovery point and its copy. */
  async deleteRecoveryPoint(vaultName: string, arn: string): Promise<void> {
    const vault = this.vault(vaultName);
    const point = this.points.get(arn);
    if (!point || point.vault !== vault) throw resourceNotFound('Recovery point', `${arn} in vault ${vaultName}`);
    await this.removePoint(point);
  }

  /**
   * Deletes every recovery point whose lifecycle has run out; returns the ARNs this sweep deleted.
   * Sweeps overlap (each expiry timer starts one, and a late wall timer can find several points expired), so every
   * point is taken out of the vault before the first await: a point another sweep already took is not this sweep's.
   */
  async sweepExpired(): Promise<string[]> {
    const now = this.clock.now();
    const expired = [...this.points.values()].filter((point) => point.deleteAt !== undefined && point.deleteAt <= now);
    await Promise.all(expired.map((point) => this.removePoint(point)));
    return expired.map((point) => point.arn);
  }

  /** Takes a point out of the vault at once, then deletes its copy. */
  private async removePoint(point: RecoveryPoint): Promise<void> {
    point.cancelExpiry?.();
    this.points.delete(point.arn);
    await rm(point.path, { recursive: true, force: true });
  }

  /** Runs a job; `source` is the directory of a file system (a DB instance's point is an empty directory). */
  private async runBackup(job: BackupJob, source: string | undefined, conflict: boolean): Promise<void> {
    await this.clock.sleep(this.timings.startMs);
    if (conflict) return this.finish(job, 'EXPIRED', SAME_RESOURCE_MESSAGE);
    job.state = 'RUNNING';
    this.emit(job);
    const path = join(this.stateDir, 'backup', job.vault.name, job.recoveryPointArn.slice(job.recoveryPointArn.lastIndexOf(':') + 1));
    const hold = this.holds[this.holdsTaken];
    if (hold) this.holdsTaken += 1;
    // The point-in-time copy is taken when the job starts running.
    if (source !== undefined) await copyTree(source, path);
    else await mkdir(path, { recursive: true });
    await this.clock.sleep(this.timings.backupMs);
    if (hold) {
      hold.arrive();
      await hold.released;
    }
    const failure = this.failures.backup.shift();
    if (failure) {
      await rm(path, { recursive: true, force: true });
      return this.finish(job, failure.state, failure.message ?? (failure.state === 'ABORTED' ? 'Backup job was stopped by user.' : 'Backup job failed (injected by the emulator).'));
    }
    job.backupSizeInBytes = await treeSize(path);
    job.percentDone = 100;
    this.addPoint(job, path);
    this.finish(job, 'COMPLETED');
  }

  private addPoint(job: BackupJob, path: string): void {
    const creationDate = this.clock.now();
    const deleteAt = expiresAt(creationDate, job.lifecycle);
    const point: RecoveryPoint = {
      arn: job.recoveryPointArn, vault: job.vault, resourceArn: job.resourceArn, resourceType: job.resourceType, creationDate, sizeBytes: job.backupSizeInBytes, path,
      ...(job.lifecycle ? { lifecycle: job.lifecycle } : {}),
      ...(deleteAt !== undefined ? { deleteAt } : {}),
    };
    if (deleteAt !== undefined) point.cancelExpiry = scheduleAt(this.clock, deleteAt, () => this.track(this.sweepExpired().then(() => undefined)));
    this.points.set(point.arn, point);
  }

  private finish(job: BackupJob, state: BackupJob['state'], message?: string): void {
    job.state = state;
    job.completionDate = this.clock.now();
    if (message !== undefined) job.statusMessage = message;
    this.emit(job);
  }

  private emit(job: BackupJob): void {
    this.bus.put(backupJobEvent(job));
  }
}

/** Runs `fn` at emulated time `at` (the clock waits out delays longer than Node's timers hold, as retention's days). */
export function scheduleAt(clock: Clock, at: number, fn: () => void): () => void {
  return clock.schedule(Math.max(0, at - clock.now()), fn);
}
