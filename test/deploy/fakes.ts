import type { AliveTask, DeployDeps, Notification, ServiceSnapshot, UpdateServiceInput } from '../../shared/deploy';
import type { Ledger } from '../../shared/ledger';

/** One ECS service, in memory: deployments pin the digest the release tag had when they started; tests end rollouts. */
export class FakeEcs {
  desiredCount = 1;
  primaryId = 'ecs-svc/0';
  primaryDigest: string;
  rolloutState = 'COMPLETED';
  alive: AliveTask[] = [];
  /** Deployments other than the primary that DescribeServices still lists (a failed one during its rollback). */
  others: { id: string; status: string; rolloutState: string; rolloutStateReason?: string }[] = [];
  events: string[] = ['(service portal-api) was unable to place a task.'];
  healthChecked = false;
  /** Desired counts of the other singletons (`DeployTarget.singletons`), by name; absent ones are not found. */
  readonly otherCounts = new Map<string, number>();
  readonly updates: UpdateServiceInput[] = [];
  private counter = 0;

  constructor(private readonly ecr: FakeEcr, digest: string) {
    this.primaryDigest = digest;
    this.alive = [{ taskArn: 't0', lastStatus: 'RUNNING', startedBy: this.primaryId, digest, healthStatus: 'HEALTHY' }];
  }

  describe(_cluster: string, service: string): Promise<ServiceSnapshot> {
    const running = this.alive.filter((t) => t.lastStatus === 'RUNNING' && t.startedBy === this.primaryId);
    return Promise.resolve({
      serviceName: service, desiredCount: this.desiredCount, aliveTaskCount: this.alive.length, primaryDeploymentId: this.primaryId, primaryRolloutState: this.rolloutState,
      primaryTaskDigests: running.map((t) => t.digest ?? ''), primaryTaskHealth: running.map((t) => t.healthStatus ?? 'UNKNOWN'), healthChecked: this.healthChecked,
      deployments: [{ id: this.primaryId, status: 'PRIMARY', rolloutState: this.rolloutState }, ...this.others], recentEvents: [...this.events],
    });
  }

  desiredCounts(_cluster: string, services: readonly string[]): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const name of services) {
      const count = name === 'portal-api' ? this.desiredCount : this.otherCounts.get(name);
      if (count !== undefined) counts[name] = count;
    }
    return Promise.resolve(counts);
  }

  aliveTasks(): Promise<AliveTask[]> {
    return Promise.resolve([...this.alive]);
  }

  updateService(input: UpdateServiceInput): Promise<string> {
    this.updates.push(input);
    if (this.otherCounts.has(input.service!)) {
      if (input.desiredCount !== undefined) this.otherCounts.set(input.service!, input.desiredCount);
      return Promise.resolve(`ecs-svc/${input.service!}`);
    }
    if (input.desiredCount !== undefined) this.desiredCount = input.desiredCount;
    if (input.desiredCount === 0) this.alive = this.alive.map((t) => ({ ...t, lastStatus: 'STOPPING' }));
    if (input.forceNewDeployment) this.deploy(this.ecr.tags.get('dev-live') ?? 'none');
    return Promise.resolve(this.primaryId);
  }

  /** ECS ends the primary rollout: COMPLETED. */
  complete(): void {
    this.rolloutState = 'COMPLETED';
    this.others = [];
  }

  /** The circuit breaker fails the primary rollout and rolls back to `digest` with a new deployment. */
  rollBack(digest: string, reason = 'ECS deployment circuit breaker: tasks failed to start.'): void {
    const failed = { id: this.primaryId, status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: reason };
    this.deploy(digest);
    this.others = [failed];
  }

  private deploy(digest: string): void {
    this.primaryId = `ecs-svc/${(this.counter += 1)}`;
    this.primaryDigest = digest;
    this.rolloutState = 'IN_PROGRESS';
    this.others = [];
    this.alive = [{ taskArn: `t${this.counter}`, lastStatus: 'RUNNING', startedBy: this.primaryId, digest, healthStatus: 'UNKNOWN' }];
  }
}

/** Release tags in memory. */
export class FakeEcr {
  readonly tags = new Map<string, string>();
  readonly moves: string[] = [];
  resolveTag(_repository: string, tag: string): Promise<string | undefined> {
    return Promise.resolve(this.tags.get(tag));
  }
  moveTag(_repository: string, tag: string, digest: string): Promise<void> {
    this.moves.push(digest);
    this.tags.set(tag, digest);
    return Promise.resolve();
  }
}

/** Everything a test needs to drive and observe the orchestration. */
export interface World {
  readonly deps: DeployDeps;
  readonly ecs: FakeEcs;
  readonly ecr: FakeEcr;
  readonly published: { detailType: string; detail: Record<string, unknown> }[];
  readonly notifications: Notification[];
  readonly scheduled: { env: string; deploymentId: string; at: Date }[];
  /** Environments whose safety-net nudge is armed. */
  readonly armed: Set<string>;
  readonly clock: { now: number };
}

/** A world with one environment `dev` running `digest`, on the given ledger. */
export function world(ledger: Ledger, digest: string, options: { strictSingleton?: boolean; clock: { now: number } }): World {
  const ecr = new FakeEcr();
  ecr.tags.set('dev-live', digest);
  const ecs = new FakeEcs(ecr, digest);
  const published: World['published'] = [];
  const notifications: Notification[] = [];
  const scheduled: World['scheduled'] = [];
  const armed = new Set<string>();
  const deps: DeployDeps = {
    ledger, ecs, ecr,
    events: { publish: (detailType, detail) => { published.push({ detailType, detail: detail as Record<string, unknown> }); return Promise.resolve('id'); } },
    notifier: { notify: (n) => { notifications.push(n); return Promise.resolve(); } },
    scheduler: { scheduleStuckCheck: (c) => { scheduled.push(c); return Promise.resolve(); } },
    nudge: { arm: (env) => { armed.add(env); return Promise.resolve(); }, disarm: (env) => { armed.delete(env); return Promise.resolve(); } },
    targets: { dev: { cluster: 'wicked', service: 'portal-api', repositoryName: 'portal-api', strictSingleton: options.strictSingleton ?? false } },
    clock: () => options.clock.now,
    stuckAfterMs: 600_000,
    waitForZeroMs: 120_000,
  };
  return { deps, ecs, ecr, published, notifications, scheduled, armed, clock: options.clock };
}
