import type { AliveTask, ServiceSnapshot, UpdateServiceInput } from '../../../shared/deploy';

/** An event the model's AWS puts on the bus (ECS deployment or task state change). */
export interface ModelEvent {
  readonly id: string;
  readonly kind: 'deployment' | 'task' | 'image-built' | 'restart' | 'nudge' | 'stuck-due' | 'snapshot-requested' | 'backup-state';
  readonly body: unknown;
  /** A delivery that crashed: EventBridge delivers it again (never dropped). */
  readonly retry?: boolean;
}

interface Deployment { id: string; digest: string; status: 'PRIMARY' | 'ACTIVE'; rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' }
interface Task { arn: string; deploymentId: string; digest: string; status: 'RUNNING' | 'STOPPING' | 'STOPPED' }
interface Service { desired: number; deployments: Deployment[]; tasks: Task[]; lastCompleted: string }

/**
 * ECS as a model for property tests: one cluster, services whose
 * deployments pin the release tag's digest when created, tasks that a test
 * moves on step by step (`tick`), a circuit breaker that fails a deployment
 * of a bad digest and rolls back to the last COMPLETED one. Like real ECS it
 * does not count STOPPING tasks against maximumPercent, so only the strict
 * singleton mode guarantees one task at a time. A deployment of a hung
 * digest never starts a task (tasks that never leave PENDING): it stays
 * IN_PROGRESS until another replaces it. Every state change puts the event
 * ECS would put (`events`).
 */
export class EcsModel {
  readonly services = new Map<string, Service>();
  readonly events: ModelEvent[] = [];
  /** UpdateService inputs received, in order. */
  readonly updates: UpdateServiceInput[] = [];
  /** Largest number of alive (not STOPPED) tasks of a service seen at once. */
  readonly peakAlive = new Map<string, number>();
  private counter = 0;
  private readonly hung: Set<string>;
  /** Digests a rollout completed on after they stopped hanging ({@link unhang}): ECS finished a rollout late. */
  readonly lateCompletions: string[] = [];

  /** `services`: each one's digest, and its desired count at creation (1: one task runs it; 0: none, as the stack creates a singleton). */
  constructor(
    private readonly tagDigest: () => string, private readonly bad: ReadonlySet<string>, services: Record<string, { digest: string; desired: 0 | 1 }>,
    hung: ReadonlySet<string> = new Set(),
  ) {
    this.hung = new Set(hung);
    for (const [name, { digest, desired }] of Object.entries(services)) {
      const id = this.nextId();
      const tasks: Task[] = desired === 1 ? [{ arn: `t-${this.nextId()}`, deploymentId: id, digest, status: 'RUNNING' }] : [];
      this.services.set(name, { desired, lastCompleted: digest, deployments: [{ id, digest, status: 'PRIMARY', rolloutState: 'COMPLETED' }], tasks });
      this.peakAlive.set(name, desired);
    }
  }

  /** Desired counts of the named services that exist (one DescribeServices). */
  desiredCounts(services: readonly string[]): Record<string, number> {
    return Object.fromEntries(services.filter((name) => this.services.has(name)).map((name) => [name, this.service(name).desired]));
  }

  /** A service's desired count now. */
  desired(service: string): number {
    return this.service(service).desired;
  }

  describe(service: string): ServiceSnapshot {
    const svc = this.service(service);
    const primary = svc.deployments.find((d) => d.status === 'PRIMARY')!;
    const running = svc.tasks.filter((t) => t.status === 'RUNNING' && t.deploymentId === primary.id);
    return {
      serviceName: service, desiredCount: svc.desired, aliveTaskCount: svc.tasks.filter((t) => t.status !== 'STOPPED').length,
      primaryDeploymentId: primary.id, primaryRolloutState: primary.rolloutState, primaryTaskDigests: running.map((t) => t.digest), primaryTaskHealth: running.map(() => 'UNKNOWN'),
      healthChecked: false, deployments: svc.deployments.map((d) => ({ id: d.id, status: d.status, rolloutState: d.rolloutState })), recentEvents: [],
    };
  }

  aliveTasks(service: string): AliveTask[] {
    return this.service(service).tasks.filter((t) => t.status !== 'STOPPED').map((t) => ({ taskArn: t.arn, lastStatus: t.status, startedBy: t.deploymentId, digest: t.digest }));
  }

  updateService(input: UpdateServiceInput, digestOf: (service: string) => string): string {
    this.updates.push(input);
    const svc = this.service(input.service!);
    if (input.desiredCount !== undefined) svc.desired = input.desiredCount;
    if (input.desiredCount === 0) for (const task of svc.tasks) if (task.status === 'RUNNING') this.setStatus(input.service!, task, 'STOPPING');
    if (input.forceNewDeployment) this.deploy(input.service!, digestOf(input.service!));
    return svc.deployments.find((d) => d.status === 'PRIMARY')!.id;
  }

  /** The digest portal-api's new deployments pin: where the release tag points. */
  tag(): string {
    return this.tagDigest();
  }

  /**
   * ECS takes one step on `service`: `stop` ends a STOPPING task; `launch`
   * replaces an old task with one of the PRIMARY deployment (or trips the
   * circuit breaker for a bad digest), or starts one of a COMPLETED
   * deployment whose desired count was raised; `complete` ends a rollout whose tasks
   * all run. Returns false when the step had nothing to do.
   */
  tick(service: string, step: 'stop' | 'launch' | 'complete'): boolean {
    const svc = this.service(service);
    const primary = svc.deployments.find((d) => d.status === 'PRIMARY')!;
    const mine = svc.tasks.filter((t) => t.deploymentId === primary.id && t.status === 'RUNNING');
    if (step === 'stop') {
      const stopping = svc.tasks.find((t) => t.status === 'STOPPING');
      if (!stopping) return false;
      this.setStatus(service, stopping, 'STOPPED');
      return true;
    }
    if (step === 'launch' && primary.rolloutState === 'COMPLETED') {
      // A desired count raised without a new deployment: the service scheduler starts tasks of the PRIMARY deployment.
      if (mine.length >= svc.desired) return false;
      svc.tasks.push({ arn: `t-${this.nextId()}`, deploymentId: primary.id, digest: primary.digest, status: 'RUNNING' });
      this.countAlive(service);
      return true;
    }
    if (primary.rolloutState !== 'IN_PROGRESS' || this.hung.has(primary.digest)) return false;
    if (step === 'launch') {
      // minimumHealthyPercent 0 / maximumPercent 100: old tasks go first; STOPPING ones are not counted (ECS does not strictly guarantee one at a time).
      const live = svc.tasks.filter((t) => t.status === 'RUNNING');
      if (mine.length >= svc.desired) return false;
      for (const old of live.filter((t) => t.deploymentId !== primary.id)) this.setStatus(service, old, 'STOPPING');
      if (this.bad.has(primary.digest)) {
        primary.rolloutState = 'FAILED';
        this.event('deployment', { service, eventName: 'SERVICE_DEPLOYMENT_FAILED', deploymentId: primary.id, reason: 'ECS deployment circuit breaker: tasks failed to start.' });
        this.deploy(service, svc.lastCompleted);
        return true;
      }
      const task: Task = { arn: `t-${this.nextId()}`, deploymentId: primary.id, digest: primary.digest, status: 'RUNNING' };
      svc.tasks.push(task);
      this.countAlive(service);
      return true;
    }
    const others = svc.tasks.filter((t) => t.status !== 'STOPPED' && t.deploymentId !== primary.id);
    if (mine.length < svc.desired || others.length > 0) return false;
    primary.rolloutState = 'COMPLETED';
    if (this.unhung.has(primary.digest)) this.lateCompletions.push(primary.digest);
    svc.lastCompleted = primary.digest;
    svc.deployments = svc.deployments.filter((d) => d.status === 'PRIMARY' || d.rolloutState === 'FAILED');
    this.event('deployment', { service, eventName: 'SERVICE_DEPLOYMENT_COMPLETED', deploymentId: primary.id, reason: '' });
    return true;
  }

  /** Whether `service` is steady: its PRIMARY rollout is over and no other task is alive. */
  steady(service: string): boolean {
    const svc = this.service(service);
    const primary = svc.deployments.find((d) => d.status === 'PRIMARY')!;
    return primary.rolloutState !== 'IN_PROGRESS' && svc.tasks.every((t) => t.status === 'STOPPED' || (t.deploymentId === primary.id && t.status === 'RUNNING'));
  }

  /** The hung digests' tasks start from now on: a rollout of one still PRIMARY completes late (after its deadline). */
  unhang(): void {
    for (const digest of this.hung) this.unhung.add(digest);
    this.hung.clear();
  }

  private readonly unhung = new Set<string>();

  /** Whether the service's PRIMARY deployment pins a hung digest and is still rolling (it never ends by itself). */
  hangs(service: string): boolean {
    const primary = this.service(service).deployments.find((d) => d.status === 'PRIMARY')!;
    return primary.rolloutState === 'IN_PROGRESS' && this.hung.has(primary.digest);
  }

  /** The digests of every RUNNING task of the service, whatever deployment started it (what serves requests). */
  servingDigests(service: string): string[] {
    return [...new Set(this.service(service).tasks.filter((t) => t.status === 'RUNNING').map((t) => t.digest))];
  }

  /** The digest the service's PRIMARY deployment's running tasks run, when they all run one. */
  running(service: string): string | undefined {
    const digests = new Set(this.describe(service).primaryTaskDigests);
    return digests.size === 1 ? [...digests][0] : undefined;
  }

  private deploy(service: string, digest: string): void {
    const svc = this.service(service);
    for (const d of svc.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
    const id = this.nextId();
    svc.deployments.unshift({ id, digest, status: 'PRIMARY', rolloutState: 'IN_PROGRESS' });
    this.event('deployment', { service, eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: id, reason: '' });
  }

  private setStatus(service: string, task: Task, status: Task['status']): void {
    task.status = status;
    if (status === 'STOPPED') this.event('task', { service, taskArn: task.arn, lastStatus: 'STOPPED' });
    this.countAlive(service);
  }

  private countAlive(service: string): void {
    const alive = this.service(service).tasks.filter((t) => t.status !== 'STOPPED').length;
    this.peakAlive.set(service, Math.max(this.peakAlive.get(service) ?? 0, alive));
  }

  private event(kind: ModelEvent['kind'], body: unknown): void {
    this.events.push({ id: `ecs-${this.nextId()}`, kind, body });
  }

  private service(name: string): Service {
    const svc = this.services.get(name);
    if (!svc) throw Object.assign(new Error(`service ${name} not found`), { name: 'ServiceNotFoundException' });
    return svc;
  }

  private nextId(): string {
    return String((this.counter += 1));
  }
}
