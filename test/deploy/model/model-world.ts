import { AsyncLocalStorage } from 'node:async_hooks';
import { deployServices, nudgeOnSnapshotOutcome, nudgeOnTaskStateChange, reconcileDue, restartService, trackDeployment } from '../../../shared/deploy';
import type { DeployDeps, SnapshotOutcome } from '../../../shared/deploy';
import { SnapshotDetailType } from '../../../shared/snapshot/events';
import type { SnapshotRequestedDetail } from '../../../shared/snapshot/events';
import { DeployDetailType } from '../../../shared/events';
import type { ImageBuiltDetail } from '../../../shared/events';
import { environmentKey, Ledger, toItem } from '../../../shared/ledger';
import { BackupModel } from './backup-model';
import type { BackupStateChange } from './backup-model';
import { EcsModel } from './ecs-model';
import type { ModelEvent } from './ecs-model';
import { MemoryTable } from './memory-table';

/** Thrown at an AWS call to model the Lambda dying there; EventBridge then delivers the event again. */
export class Crash extends Error {}

/** A digest of one hex character repeated. */
export const digest = (c: string): string => `sha256:${c.repeat(64)}`;
/** Config `i` (1..) is built into this digest; 0 is what runs at the start. */
export const configDigest = (i: number): string => digest('0123456789abcdef'[i]!);
/** The stock images of the services other than portal-api (stand-ins: one digest each). */
const STOCK: Readonly<Record<string, string>> = { kong: digest('e'), portal: digest('d'), 'portal-kong-adapter': digest('c') };
/** The singletons other than portal-api the environment runs (the stack creates them with no task). */
export const OTHER_SINGLETONS = ['portal', 'portal-kong-adapter'] as const;
/** What portal-api's first deployment pins in a fresh environment (an image that never ran: desired count 0). */
const NOTHING_YET = digest('f');
const LEASE_MS = 120_000;
/**
 * The stuck deadline of a rollout, of a strict singleton's wait for zero tasks and of a pre-deploy snapshot.
 * Longer than the chaos phase can advance the clock (see the test), so during it only leases expire; once
 * events stop, a deployment that ECS or AWS Backup never finishes meets its deadline within this many minutes.
 */
export const DEADLINE_MS = 10 * 60_000;

/** How a {@link ModelWorld} starts. */
export interface WorldOptions {
  /** portal-api in strict singleton mode (never two tasks). */
  readonly strict: boolean;
  /** Digests whose tasks fail to start: the circuit breaker fails their rollout. */
  readonly bad: ReadonlySet<string>;
  /** Digests whose tasks never start: their rollout never ends by itself. */
  readonly hung: ReadonlySet<string>;
  /** Config deployments take a pre-deploy snapshot first (the gate). */
  readonly gated: boolean;
  /** As `cdk deploy` leaves a new environment: nothing deployed, every singleton at 0 tasks. */
  readonly fresh: boolean;
  /** Where the test's scheduler interleaves concurrent invocations. */
  readonly interleave: () => Promise<void>;
}

interface Invocation { calls: number; crashAt: number; readonly told: Set<string> }

/**
 * The control plane's deploy functions against modelled AWS: the real
 * reconcile loop, ledger and handlers; the ledger table, ECS, ECR, the bus
 * and the scheduler in memory. Every AWS call passes `gate`, where the test's
 * scheduler interleaves concurrent invocations and a crash may end one.
 */
export class ModelWorld {
  readonly table: MemoryTable;
  readonly ecs: EcsModel;
  readonly backup = new BackupModel();
  readonly deps: DeployDeps;
  /** Stuck checks scheduled (EventBridge Scheduler `at(...)`), not yet due. */
  readonly stuckChecks: { readonly at: number; readonly deploymentId: string }[] = [];
  /** Events waiting for delivery (inputs and what ECS put), in arrival order. */
  readonly inbox: ModelEvent[] = [];
  /** Broken invariants, described. */
  readonly violations: string[] = [];
  /** Failures of an invocation other than a modelled crash (a real error would be retried, but none is expected). */
  readonly errors: string[] = [];
  /** Config indexes of the config images UpdateService rolled, in order. */
  readonly rolled: number[] = [];
  now = 10_000_000;
  /** Where the release tag points; undefined before the first upload of a fresh environment. */
  tag: string | undefined;
  armed = false;
  /** Invocations that died at a modelled crash (and were delivered again). */
  crashes = 0;
  /** Deployment outcomes put on the bus (`Portal Deployment Succeeded` / `Failed`) and told the operators, by deployment id, in order. */
  readonly announced: { readonly deploymentId: string; readonly what: 'succeeded' | 'failed' | 'notified' }[] = [];
  /** Announced ends an invocation other than the one that ended the deployment claimed (it died, or its claim ran out). */
  takenOver = 0;
  /** By deployment id: invocations that died after they told its end (their retry, or a reconcile, may tell it again). */
  readonly diedAfterTelling = new Map<string, number>();
  private readonly context = new AsyncLocalStorage<Invocation>();
  private ids = 0;

  readonly strict: boolean;
  readonly gated: boolean;
  readonly fresh: boolean;
  private readonly interleave: () => Promise<void>;

  /**
   * A fresh environment is as `cdk deploy` leaves it (nothing deployed, portal-api and the other
   * singletons at desired count 0); otherwise config 0 is the last good deployment and every singleton runs.
   */
  constructor(options: WorldOptions) {
    const { strict, bad, hung, gated, fresh } = options;
    this.strict = strict;
    this.gated = gated;
    this.fresh = fresh;
    this.interleave = options.interleave;
    this.table = new MemoryTable((label) => this.gate(label));
    this.tag = fresh ? undefined : configDigest(0);
    const up = fresh ? 0 : 1;
    this.ecs = new EcsModel(() => this.tag ?? NOTHING_YET, bad, {
      'portal-api': { digest: fresh ? NOTHING_YET : configDigest(0), desired: up }, kong: { digest: STOCK.kong!, desired: 1 },
      ...Object.fromEntries(OTHER_SINGLETONS.map((name) => [name, { digest: STOCK[name]!, desired: up }])),
    }, hung);
    const ledger = new Ledger({ client: this.table.client(), tableName: 'ledger', clock: () => this.now, leaseMs: LEASE_MS, maxAttempts: 10_000, sleep: () => this.interleave() });
    // Counts the ends one reconcile made known for an invocation that died after ending the deployment (the coverage check).
    const watched = Object.create(ledger) as Ledger;
    watched.claimOutbox = async (...args) => {
      const entry = await ledger.claimOutbox(...args);
      if (entry?.announcement) this.takenOver += 1;
      return entry;
    };
    this.deps = {
      ledger: watched,
      ecs: {
        describe: async (_cluster, service) => { await this.gate('ecs'); return this.ecs.describe(service); },
        aliveTasks: async (_cluster, service) => { await this.gate('ecs'); return this.ecs.aliveTasks(service); },
        updateService: async (input) => { await this.gate('ecs'); this.checkUpdate(input); return this.ecs.updateService(input, (s) => (s === 'portal-api' ? this.tag ?? NOTHING_YET : STOCK[s]!)); },
        desiredCounts: async (_cluster, services) => { await this.gate('ecs'); return this.ecs.desiredCounts(services); },
      },
      ecr: {
        resolveTag: async () => { await this.gate('ecr'); return this.tag; },
        moveTag: async (_repository, _tag, to) => { await this.gate('ecr'); this.tag = to; },
      },
      events: {
        publish: async (detailType, detail) => {
          await this.gate('events');
          if (detailType === SnapshotDetailType.Requested) this.inbox.push({ id: `in-${(this.ids += 1)}`, kind: 'snapshot-requested', body: detail });
          const deploymentId = String((detail as { deploymentId?: unknown }).deploymentId);
          if (detailType === DeployDetailType.DeploymentSucceeded) this.told(deploymentId, 'succeeded');
          if (detailType === DeployDetailType.DeploymentFailed) this.told(deploymentId, 'failed');
        },
      },
      notifier: { notify: async (notification) => { await this.gate('sns'); this.told(String(notification.attributes?.deploymentId), 'notified'); } },
      scheduler: { scheduleStuckCheck: async ({ deploymentId, at }) => { await this.gate('scheduler'); this.stuckChecks.push({ deploymentId, at: at.getTime() }); } },
      nudge: {
        arm: async () => { await this.gate('scheduler'); this.armed = true; },
        disarm: async () => { await this.gate('scheduler'); this.armed = false; },
      },
      targets: { dev: { cluster: 'wicked', service: 'portal-api', repositoryName: 'portal-api', strictSingleton: strict, restartable: [...OTHER_SINGLETONS, 'kong'], singletons: ['portal-api', ...OTHER_SINGLETONS] } },
      clock: () => this.now,
      stuckAfterMs: DEADLINE_MS,
      waitForZeroMs: DEADLINE_MS,
      preDeploySnapshot: gated,
      snapshotWaitMs: DEADLINE_MS,
      snapshotJobs: { listJobs: async () => { await this.gate('dynamodb'); return this.backup.records.map((job) => ({ ...job })); } },
      backupJobs: { describeBackupJob: async (jobId) => { await this.gate('backup'); return this.backup.describe(jobId); } },
    };
  }

  private told(deploymentId: string, what: 'succeeded' | 'failed' | 'notified'): void {
    this.announced.push({ deploymentId, what });
    this.context.getStore()?.told.add(deploymentId);
  }

  /** Seeds the ledger: config 0 is the last good deployment. */
  seed(): void {
    const record = { kind: 'environment', env: 'dev', revision: 1, sequencers: {}, updatedAt: 'x', lastGood: { deploymentId: 'd-0', digest: configDigest(0), configHash: 'h0', imageUri: 'r', finishedAt: 'x' } };
    const item = toItem(environmentKey('dev'), record);
    this.table.items.set(`${item.pk as string}|${item.sk as string}`, item);
  }

  /** Puts an input on the inbox: an upload of config `i`, a restart request, or a safety-net nudge. */
  input(kind: 'image-built' | 'restart' | 'nudge', body: unknown): void {
    this.inbox.push({ id: `in-${(this.ids += 1)}`, kind, body });
  }

  /** Moves what ECS and AWS Backup put on the bus, and the stuck checks now due, into the inbox. */
  collect(): void {
    this.inbox.push(...this.ecs.events.splice(0), ...this.backup.events.splice(0));
    for (const check of this.stuckChecks.filter((c) => c.at <= this.now)) {
      this.stuckChecks.splice(this.stuckChecks.indexOf(check), 1);
      this.inbox.push({ id: `in-${(this.ids += 1)}`, kind: 'stuck-due', body: { deploymentId: check.deploymentId } });
    }
  }

  /**
   * Delivers one event to its handler as a Lambda invocation that may crash
   * at its `crashAt`-th AWS call (0: never). A crashed delivery goes back on
   * the inbox, as EventBridge retries it.
   */
  async deliver(event: ModelEvent, crashAt: number): Promise<void> {
    const owner = `${event.id}/${(this.ids += 1)}`;
    const invocation: Invocation = { calls: 0, crashAt, told: new Set() };
    try {
      await this.context.run(invocation, () => this.handle(event, owner));
    } catch (error) {
      if (crashed(error)) this.crashes += 1;
      if (crashed(error)) for (const id of invocation.told) this.diedAfterTelling.set(id, (this.diedAfterTelling.get(id) ?? 0) + 1);
      else this.errors.push(`${event.kind} ${event.id}: ${(error as Error).stack ?? String(error)}`);
      this.inbox.push({ ...event, retry: true });
    }
  }

  private handle(event: ModelEvent, owner: string): Promise<unknown> {
    const body = event.body as Record<string, unknown>;
    switch (event.kind) {
      case 'image-built': return deployServices(body as unknown as ImageBuiltDetail, owner, this.deps);
      case 'restart': return restartService({ env: 'dev', service: String(body.service), requestId: String(body.requestId), requestedAt: '2026-01-01T00:00:00.000Z' }, owner, this.deps);
      case 'nudge':
      case 'stuck-due': return reconcileDue({ env: 'dev' }, owner, this.deps);
      case 'snapshot-requested': return this.startBackup(body as unknown as SnapshotRequestedDetail);
      case 'backup-state': return this.trackBackup(body as unknown as BackupStateChange, owner);
      case 'deployment': return trackDeployment({
        source: 'aws.ecs', 'detail-type': 'ECS Deployment State Change', resources: [`arn:aws:ecs:eu-west-1:1:service/wicked/${String(body.service)}`],
        detail: { eventType: 'INFO', eventName: body.eventName as 'SERVICE_DEPLOYMENT_COMPLETED', deploymentId: String(body.deploymentId), reason: String(body.reason) },
      }, owner, this.deps);
      case 'task': return nudgeOnTaskStateChange({
        source: 'aws.ecs', 'detail-type': 'ECS Task State Change',
        detail: { clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/wicked', taskArn: String(body.taskArn), group: `service:${String(body.service)}`, lastStatus: 'STOPPED' },
      }, owner, this.deps);
    }
  }

  /** track-backup: records a job's state change; an end puts the snapshot outcome, which nudges reconcile. */
  private async trackBackup(change: BackupStateChange, owner: string): Promise<unknown> {
    await this.gate('dynamodb');
    const job = this.backup.record(change);
    if (change.state === 'CREATED' || change.state === 'RUNNING') return undefined;
    const outcome = { env: 'dev', trigger: 'pre-deploy', resourceArn: job.resourceArn, jobId: job.jobId, state: job.state, deploymentIds: job.deploymentIds, ...(job.recoveryPointArn ? { recoveryPointArn: job.recoveryPointArn } : {}) };
    return nudgeOnSnapshotOutcome(outcome as SnapshotOutcome, owner, this.deps);
  }

  /** snapshot-data: starts the backup jobs of a request (StartBackupJob with the request id as idempotency token). */
  private async startBackup(detail: SnapshotRequestedDetail): Promise<void> {
    await this.gate('backup');
    this.backup.start(detail.requestId, detail.deploymentId ?? '');
  }

  /** An AWS call: the scheduler may run other invocations first; the invocation may die here. */
  private async gate(_label: string): Promise<void> {
    await this.interleave();
    const invocation = this.context.getStore();
    if (!invocation) return;
    invocation.calls += 1;
    if (invocation.calls === invocation.crashAt) throw new Crash(`crash at AWS call ${invocation.calls}`);
  }

  /**
   * UpdateService only by the deployment holding the environment while it starts, or to bring another singleton
   * up after a good deployment; never a gateway's desired count; never a singleton above one task.
   */
  private checkUpdate(input: { service?: string; desiredCount?: number; forceNewDeployment?: boolean }): void {
    if (input.service === 'kong' && input.desiredCount !== undefined) this.violations.push(`kong's desired count written: ${input.desiredCount}`);
    if (input.service !== 'kong' && (input.desiredCount ?? 0) > 1) this.violations.push(`${input.service ?? '?'} set to ${input.desiredCount} tasks`);
    const record = this.table.environment('dev');
    if ((OTHER_SINGLETONS as readonly string[]).includes(input.service ?? '') && input.desiredCount !== undefined) {
      // The bring-up: exactly desired count 1 (no forced deployment: a running task is not replaced), and only after a good deployment.
      if (input.desiredCount !== 1 || input.forceNewDeployment || Object.keys(input).sort().join() !== 'cluster,desiredCount,service') this.violations.push(`${input.service ?? '?'} brought up with ${JSON.stringify(input)}`);
      if (!record?.lastGood) this.violations.push(`${input.service ?? '?'} brought up before portal-api had a good deployment`);
      return;
    }
    const inFlight = record?.inFlight;
    // The gate: a config deployment changes portal-api only once every resource's pre-deploy backup COMPLETED.
    if (this.gated && input.service === 'portal-api' && inFlight && inFlight.request.kind !== 'restart' && !this.backup.completedFor(inFlight.request.deploymentId)) {
      this.violations.push(`UpdateService of portal-api for ${inFlight.request.deploymentId} before its pre-deploy snapshot completed`);
    }
    if (inFlight?.phase !== 'starting') this.violations.push(`UpdateService of ${input.service ?? '?'} while the ledger shows ${inFlight ? `${inFlight.request.deploymentId} ${inFlight.phase}` : 'nothing in flight'}`);
    if (input.service === 'portal-api' && input.forceNewDeployment && input.desiredCount === 1 && inFlight?.request.kind !== 'restart') {
      const index = [...Array(16).keys()].find((i) => configDigest(i) === this.tag) ?? -1;
      if (inFlight && inFlight.request.digest !== this.tag) this.violations.push(`rolled ${this.tag} for ${inFlight.request.deploymentId} of ${inFlight.request.digest}`);
      this.rolled.push(index);
    }
  }
}

/**
 * The `Portal Image Built` detail of config `i`, uploaded in index order: the even ones under one key, the odd
 * ones under another (S3 sequencers order only one key's events), each a second after the one before.
 */
export function builtDetail(i: number): ImageBuiltDetail {
  return {
    env: 'dev', bucket: 'cfg', key: `config/dev/${i % 2 === 0 ? 'c' : 'd'}.tgz`, versionId: `v${i}`, sequencer: String(i).padStart(10, '0'), configHash: `h${i}`,
    requestedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    imageUri: `repo@${configDigest(i)}`, digest: configDigest(i), tag: `cfg-${i}`,
  };
}

/** Whether an error is a modelled crash, or wraps one (adapters wrap what the SDK throws). */
function crashed(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = (e as { cause?: unknown }).cause) if (e instanceof Crash) return true;
  return false;
}
