import fc from 'fast-check';
import type { BackupJobEvent, BackupJobView, BackupPort, SnapshotDeps } from '../../shared/snapshot';
import { isPendingJob, SnapshotDetailType, sweepSnapshotJobs, takeSnapshot, trackBackupEvent } from '../../shared/snapshot';
import { FakeSweep, fakeDeps, FS } from './fakes';

/**
 * Model-based property test of the snapshot sweep: random interleavings of
 * snapshot requests, jobs a backup plan starts, AWS Backup moving any job on
 * (to COMPLETED or FAILED), `Backup Job State Change` deliveries to
 * track-backup (each dropped, duplicated or reordered), sweeps (while the
 * sweep schedule is on, a minute apart; another handler may run between a
 * sweep's switch-off and its second look), and a crash of any handler
 * between two calls, followed by its retry. Afterwards every event still on
 * its way is lost, AWS Backup ends every job, and only the sweep runs while
 * it is on. Liveness: within a bounded number of sweeps every job the ledger
 * records has the end AWS Backup reports (a COMPLETED with its recovery point
 * listed and `Portal Snapshot Completed`, a FAILED with `Portal Snapshot
 * Failed` and a notification, told once unless a handler died in between), and the sweep is off. Seed and path of a
 * failure are printed by fast-check; re-run one with FC_SEED=<seed>
 * FC_PATH=<path>; FC_RUNS sets the number of cases.
 */

const START = Date.parse('2026-01-02T03:00:00Z');
/** Sweeps within which everything must be recorded once events stop: a failure waits out its grace (one). */
const MAX_SWEEPS = 4;

interface ModelJob {
  readonly jobId: string;
  readonly resourceArn: string;
  readonly token: string | undefined;
  readonly createdAt: number;
  state: string;
  completionDate?: string;
  recoveryPointArn?: string;
  statusMessage?: string;
}

/** AWS Backup as a model: one active job per resource; each state change puts its event. */
class BackupModel implements BackupPort {
  readonly jobs: ModelJob[] = [];
  readonly events: BackupJobEvent[] = [];
  readonly copies: string[] = [];
  constructor(private readonly now: () => number) {}

  private emit(job: ModelJob): void {
    this.events.push({
      source: 'aws.backup', 'detail-type': 'Backup Job State Change', time: new Date(this.now()).toISOString(), resources: job.recoveryPointArn ? [job.recoveryPointArn] : [],
      detail: { backupJobId: job.jobId, state: job.state, resourceArn: job.resourceArn, backupVaultName: 'wicked-prod', ...(job.statusMessage ? { statusMessage: job.statusMessage } : {}), ...(job.completionDate ? { completionDate: job.completionDate } : {}) },
    });
  }

  /** A job of the resource (a plan's, without a token) unless one is active: AWS Backup would end it at once. */
  start(resourceArn: string, token?: string): ModelJob | undefined {
    if (token !== undefined) {
      const same = this.jobs.find((job) => job.token === token);
      if (same) return same;
    }
    if (this.jobs.some((job) => job.resourceArn === resourceArn && ['CREATED', 'RUNNING'].includes(job.state))) return undefined;
    const job: ModelJob = { jobId: `job-${this.jobs.length + 1}`, resourceArn, token, createdAt: this.now(), state: 'CREATED' };
    this.jobs.push(job);
    this.emit(job);
    return job;
  }

  /** Moves the `pick`-th active job on: CREATED → RUNNING → COMPLETED, or FAILED. */
  tick(pick: number, fail: boolean): void {
    const active = this.jobs.filter((job) => ['CREATED', 'RUNNING'].includes(job.state));
    const job = active[pick % Math.max(1, active.length)];
    if (!job) return;
    if (job.state === 'CREATED') job.state = 'RUNNING';
    else {
      job.state = fail ? 'FAILED' : 'COMPLETED';
      job.completionDate = new Date(this.now()).toISOString();
      if (fail) job.statusMessage = 'modelled failure';
      else job.recoveryPointArn = `arn:aws:backup:eu-west-1:1:recovery-point:rp-${job.jobId}`;
    }
    this.emit(job);
  }

  async startBackupJob(input: Parameters<BackupPort['startBackupJob']>[0]): Promise<{ jobId: string }> {
    const job = this.start(input.ResourceArn!, input.IdempotencyToken);
    // snapshot-data joins an active job instead of starting one: a start meeting one is not modelled here.
    if (!job) throw new Error(`model: StartBackupJob of ${input.ResourceArn} while a job of it is active`);
    return { jobId: job.jobId };
  }

  async describeBackupJob(jobId: string): Promise<BackupJobView> {
    const job = this.jobs.find((candidate) => candidate.jobId === jobId)!;
    return {
      jobId, state: job.state, resourceArn: job.resourceArn,
      ...(job.recoveryPointArn ? { recoveryPointArn: job.recoveryPointArn } : {}), ...(job.completionDate ? { completionDate: job.completionDate } : {}),
      ...(job.statusMessage ? { statusMessage: job.statusMessage } : {}),
    };
  }

  async listJobsCreatedAfter(resourceArn: string, _vaultName: string, since: Date): Promise<BackupJobView[]> {
    return Promise.all(this.jobs.filter((job) => job.resourceArn === resourceArn && job.createdAt > since.getTime()).map((job) => this.describeBackupJob(job.jobId)));
  }

  async findRunningJob(resourceArn: string): Promise<string | undefined> {
    return this.jobs.find((job) => job.resourceArn === resourceArn && ['CREATED', 'RUNNING'].includes(job.state))?.jobId;
  }

  async startCopyJob(input: Parameters<BackupPort['startCopyJob']>[0]): Promise<string> {
    this.copies.push(input.IdempotencyToken!);
    return `copy-${this.copies.length}`;
  }
}

class Crash extends Error {}

/**
 * `deps` whose `at`-th call to AWS, the ledger or the sweep schedule (counting from 1) fails before it is made (0
 * never fails), and before whose `during.at`-th call another handler runs to its end (`during.run`): two Lambda
 * invocations at the same moment, a duplicate delivered twice at once or the sweep beside an event's handler.
 */
function faulty(deps: SnapshotDeps, at: number, during?: { readonly at: number; readonly run: () => Promise<void> }): SnapshotDeps {
  let calls = 0;
  const wrap = <T extends object>(port: T): T => new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls += 1;
        if (calls === during?.at) await during.run();
        if (calls === at) throw new Crash(`crashed before call ${at}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { ...deps, store: wrap(deps.store), backup: wrap(deps.backup), events: wrap(deps.events), notifier: wrap(deps.notifier), ...(deps.sweep ? { sweep: wrap(deps.sweep) } : {}) };
}

type Op =
  | { readonly op: 'request'; readonly crashAt: number }
  | { readonly op: 'plan' }
  | { readonly op: 'tick'; readonly pick: number; readonly fail: boolean }
  | { readonly op: 'deliver'; readonly pick: number; readonly keep: boolean; readonly crashAt: number; readonly during: During }
  | { readonly op: 'drop'; readonly pick: number }
  | { readonly op: 'sweep'; readonly crashAt: number; readonly between: 'none' | 'request' | 'deliver'; readonly during: During }
  | { readonly op: 'retry' }
  | { readonly op: 'advance'; readonly ms: number };

/** Another invocation that runs to its end before the `at`-th call of a handler (0: none): the same event again, or a sweep. */
interface During { readonly at: number; readonly with: 'same' | 'sweep' | 'deliver' }

const crashAt = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 }) });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('request' as const), crashAt }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('plan' as const) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('tick' as const), pick: fc.nat(), fail: fc.integer({ min: 0, max: 4 }).map((n) => n === 0) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('deliver' as const), pick: fc.nat(), keep: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), crashAt, during: fc.record({ at: crashAt, with: fc.constantFrom('same' as const, 'sweep' as const) }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('sweep' as const), crashAt, between: fc.constantFrom('none' as const, 'none' as const, 'request' as const, 'deliver' as const), during: fc.record({ at: crashAt, with: fc.constant('deliver' as const) }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('retry' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1_000, max: 90_000 }) }) },
);

describe('the snapshot sweep as a model: no lost, duplicated or reordered backup event, and no crash, leaves a job unrecorded', () => {
  it('records the end of every job within a bounded number of sweeps once events stop, and switches itself off', async () => {
    const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 60 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), async (ops, endings) => {
      let now = START;
      const backup = new BackupModel(() => now);
      const sweep = new FakeSweep();
      const deps: SnapshotDeps & ReturnType<typeof fakeDeps> = { ...fakeDeps({ resources: [FS] }), backup: backup as never, sweep, now: () => now };
      const retries: (() => Promise<unknown>)[] = [];
      let requests = 0;
      // The jobs each running invocation told the operators of (innermost last: one runs whole inside another's call),
      // and by job, the invocations that died after telling it (their retry, or the sweep, may tell it again).
      const telling: Set<string>[] = [];
      const diedAfterTelling = new Map<string, number>();
      const notify = deps.notifier.notify.bind(deps.notifier);
      deps.notifier.notify = async (notification) => {
        await notify(notification);
        telling[telling.length - 1]?.add(String(notification.attributes?.jobId));
      };
      /** One handler invocation (`attempt` of Lambda's three). A crash leaves its event to Lambda's retry, which runs without crashing. */
      type Beside = { readonly at: number; readonly run: () => Promise<void> } | undefined;
      const invoke = async (at: number, handler: (d: SnapshotDeps) => Promise<unknown>, during?: Beside, attempt = 1): Promise<void> => {
        const told = new Set<string>();
        telling.push(told);
        try {
          await handler(at > 0 || during ? faulty(deps, at, during) : deps);
        } catch (error) {
          // (The sweep goes on past a job it could not read, then fails naming it: a crash may surface that way too.)
          if (!(error instanceof Crash) && at === 0) throw error;
          for (const jobId of told) diedAfterTelling.set(jobId, (diedAfterTelling.get(jobId) ?? 0) + 1);
          if (attempt < 3) retries.push(() => invoke(0, handler, undefined, attempt + 1));
        } finally {
          telling.splice(telling.lastIndexOf(told), 1);
        }
      };
      const sweepNow = async (at: number, during?: Beside): Promise<void> => {
        if (!sweep.on) return;
        now += 60_000;
        const time = new Date(now).toISOString();
        await invoke(at, (d) => sweepSnapshotJobs(d, time), during);
      };
      const request = (at: number): Promise<void> => {
        requests += 1;
        const requestId = `r-${requests}`;
        const time = now;
        return invoke(at, (d) => takeSnapshot(d, { trigger: 'manual', time, requestId }));
      };
      const deliver = async (pick: number, keep: boolean, at: number, during?: During): Promise<void> => {
        if (backup.events.length === 0) return;
        const index = pick % backup.events.length;
        const event = backup.events[index]!;
        if (!keep) backup.events.splice(index, 1);
        const run = during?.with === 'same' ? () => invoke(0, (d) => trackBackupEvent(d, event)) : () => sweepNow(0);
        await invoke(at, (d) => trackBackupEvent(d, event), during && during.at > 0 ? { at: during.at, run } : undefined);
      };
      for (const step of ops) {
        now += 1_000;
        switch (step.op) {
          case 'request': await request(step.crashAt); break;
          case 'plan': backup.start(FS); break;
          case 'tick': backup.tick(step.pick, step.fail); break;
          case 'deliver': await deliver(step.pick, step.keep, step.crashAt, step.during); break;
          case 'drop': if (backup.events.length > 0) backup.events.splice(step.pick % backup.events.length, 1); break;
          case 'sweep': {
            if (step.between === 'request') sweep.beforeDisarm = () => request(0);
            if (step.between === 'deliver') sweep.beforeDisarm = () => deliver(0, false, 0);
            await sweepNow(step.crashAt, step.during.at > 0 ? { at: step.during.at, run: () => deliver(0, true, 0) } : undefined);
            sweep.beforeDisarm = undefined;
            break;
          }
          case 'retry': await retries.shift()?.(); break;
          case 'advance': now += step.ms; break;
        }
      }
      // Events stop: every retry runs (Lambda's), everything still on its way is lost, AWS Backup ends every job.
      while (retries.length > 0) await retries.shift()!();
      backup.events.length = 0;
      for (let i = 0; backup.jobs.some((job) => ['CREATED', 'RUNNING'].includes(job.state)); i += 1) backup.tick(0, endings[i % endings.length]!);
      backup.events.length = 0;
      let sweeps = 0;
      while (sweep.on && sweeps < MAX_SWEEPS + 1) {
        now += 60_000;
        sweeps += 1;
        await sweepSnapshotJobs(deps, new Date(now).toISOString());
      }
      expect(sweeps).toBeLessThanOrEqual(MAX_SWEEPS);
      expect(sweep.on).toBe(false);
      const recorded = [...deps.store.jobs.values()];
      expect(recorded.filter(isPendingJob)).toEqual([]);
      for (const job of recorded) {
        const truth = backup.jobs.find((candidate) => candidate.jobId === job.jobId)!;
        expect({ jobId: job.jobId, state: job.state, recoveryPointArn: job.recoveryPointArn }).toEqual({ jobId: truth.jobId, state: truth.state, recoveryPointArn: truth.recoveryPointArn });
        if (truth.state === 'COMPLETED') {
          expect(deps.store.points.map((point) => point.recoveryPointArn)).toContain(truth.recoveryPointArn);
          expect(deps.events.of(SnapshotDetailType.Completed).map((detail) => detail.jobId)).toContain(job.jobId);
        } else {
          expect(deps.events.of(SnapshotDetailType.Failed).map((detail) => detail.jobId)).toContain(job.jobId);
          expect(deps.notifier.sent.some((sent) => sent.attributes?.jobId === job.jobId)).toBe(true);
        }
        // Told once: a duplicated, late or swept-first event of an end already announced tells nobody again, nor one
        // recorded by two invocations at once. Only an invocation that died after telling, before recording that it
        // told, leaves it to be told again.
        const told = deps.notifier.sent.filter((sent) => sent.attributes?.jobId === job.jobId).length;
        expect({ jobId: job.jobId, toldTooOften: told > 1 + (diedAfterTelling.get(job.jobId) ?? 0) }).toEqual({ jobId: job.jobId, toldTooOften: false });
      }
      // Every request is served by a recorded job (the one it started, or one it joined).
      const served = new Set(recorded.flatMap((job) => job.requestIds));
      expect(Array.from({ length: requests }, (_, i) => `r-${i + 1}`).filter((id) => !served.has(id))).toEqual([]);
      // Every job a request started is recorded, with the end checked above: one whose attempt died before recording it
      // too, when the retry joined another job (a plan's) instead of getting it back through the idempotency token.
      expect(backup.jobs.filter((job) => job.token !== undefined && !deps.store.jobs.has(job.jobId)).map((job) => job.jobId)).toEqual([]);
    }), { numRuns: Number(process.env.FC_RUNS ?? 5000), ...(seed !== undefined ? { seed, path: process.env.FC_PATH } : {}) });
  }, 120_000);
});
