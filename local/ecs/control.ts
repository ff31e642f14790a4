import { EcsEmulatorError } from './errors';
import { maxConcurrentTasks, toLifetime } from './history';
import type { TaskLifetime } from './history';
import type { Clock } from '../kernel/clock';
import { nameOf } from './naming';
import type { ServiceScheduler } from './scheduler';
import type { DeploymentStatus, PinnedContainer, RolloutState, ServiceRecord } from './types';

/** A deployment as the control surface reports it (INACTIVE ones included). */
export interface DeploymentSnapshot {
  readonly id: string;
  readonly status: DeploymentStatus;
  readonly rolloutState: RolloutState;
  readonly rolloutStateReason: string;
  readonly taskDefinitionArn: string;
  readonly containers: readonly PinnedContainer[];
  readonly failedTasks: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The ECS emulator's in-process control surface, for tests, the demo and Application Auto Scaling. */
export interface EcsControl {
  /** Tasks whose image reference or digest equals `imageOrDigest` fail their health check from now on. */
  failHealth(imageOrDigest: string): void;
  /** Undoes {@link EcsControl.failHealth} for one image, or for all when called without one. */
  clearHealth(imageOrDigest?: string): void;
  /** Every task ever launched, with the time of each status. */
  taskHistory(): TaskLifetime[];
  /** Peak number of simultaneously non-STOPPED tasks of a service over the history. */
  maxConcurrentTasks(cluster: string, service: string): number;
  /** Sets a service's desired count as UpdateService would (used by Application Auto Scaling). */
  setDesiredCount(cluster: string, service: string, desiredCount: number): void;
  /** A service's desired count. */
  getDesiredCount(cluster: string, service: string): number;
  /** Every deployment of a service, newest first, INACTIVE ones included. */
  deployments(cluster: string, service: string): DeploymentSnapshot[];
  /**
   * Resolves once the service is settled: its PRIMARY deployment is no longer
   * IN_PROGRESS and no other deployment has tasks left. Rejects after
   * `timeoutMs` of wall time.
   */
  waitForSteadyState(cluster: string, service: string, timeoutMs?: number): Promise<DeploymentSnapshot>;
  /**
   * Resolves with one deployment once its rollout is no longer IN_PROGRESS
   * (COMPLETED, or FAILED when the circuit breaker tripped), or with the
   * deployment still IN_PROGRESS once `timeoutMs` of the emulator's clock
   * has passed (what CloudFormation's wait for a stable service sees).
   */
  waitForRollout(cluster: string, service: string, deploymentId: string, options: { readonly clock: Clock; readonly timeoutMs: number }): Promise<DeploymentSnapshot>;
}

/** {@link EcsControl} over the scheduler. */
export class EcsControlSurface implements EcsControl {
  constructor(private readonly scheduler: ServiceScheduler) {}

  failHealth(imageOrDigest: string): void {
    this.scheduler.failHealth(imageOrDigest);
  }

  clearHealth(imageOrDigest?: string): void {
    this.scheduler.clearHealth(imageOrDigest);
  }

  taskHistory(): TaskLifetime[] {
    return [...this.scheduler.tasks.values()].map(toLifetime);
  }

  maxConcurrentTasks(cluster: string, service: string): number {
    const record = this.service(cluster, service);
    return maxConcurrentTasks(this.taskHistory(), record.serviceName, record.clusterArn);
  }

  setDesiredCount(cluster: string, service: string, desiredCount: number): void {
    if (!Number.isInteger(desiredCount) || desiredCount < 0) {
      throw new EcsEmulatorError('INVALID_PARAMETER', `desiredCount: expected a non-negative integer, received ${desiredCount}`, { cluster, service, desiredCount });
    }
    this.scheduler.setDesiredCount(this.service(cluster, service), desiredCount);
  }

  getDesiredCount(cluster: string, service: string): number {
    return this.service(cluster, service).desiredCount;
  }

  deployments(cluster: string, service: string): DeploymentSnapshot[] {
    return this.service(cluster, service).deployments.map((d) => ({
      id: d.id, status: d.status, rolloutState: d.rolloutState, rolloutStateReason: d.rolloutStateReason,
      taskDefinitionArn: d.taskDefinitionArn, containers: d.containers, failedTasks: d.failedTasks, createdAt: d.createdAt, updatedAt: d.updatedAt,
    }));
  }

  waitForSteadyState(cluster: string, service: string, timeoutMs = 30_000): Promise<DeploymentSnapshot> {
    const record = this.service(cluster, service);
    const settled = (): DeploymentSnapshot | undefined => {
      const primary = this.scheduler.primaryOf(record);
      const others = this.scheduler.liveTasks(record).some((task) => task.deploymentId !== primary.id);
      return primary.rolloutState === 'IN_PROGRESS' || others ? undefined : this.deployments(cluster, service).find((d) => d.id === primary.id);
    };
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const done = settled();
        if (!done) return;
        finish();
        resolve(done);
      };
      const unsubscribe = this.scheduler.onChange(check);
      const timer = setTimeout(() => {
        finish();
        const primary = this.scheduler.primaryOf(record);
        reject(new Error(`service ${record.serviceName} did not settle within ${timeoutMs} ms: primary ${primary.id} is ${primary.rolloutState}`));
      }, timeoutMs);
      const finish = (): void => {
        unsubscribe();
        clearTimeout(timer);
      };
      check();
    });
  }

  waitForRollout(cluster: string, service: string, deploymentId: string, options: { readonly clock: Clock; readonly timeoutMs: number }): Promise<DeploymentSnapshot> {
    const snapshot = (): DeploymentSnapshot => {
      const found = this.deployments(cluster, service).find((d) => d.id === deploymentId);
      if (!found) throw new EcsEmulatorError('CLIENT', `deployment ${deploymentId} is not one of service ${service}'s`, { cluster, service, deploymentId });
      return found;
    };
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void): void => { unsubscribe(); cancel(); settle(); };
      const check = (): void => {
        try {
          const current = snapshot();
          if (current.rolloutState !== 'IN_PROGRESS') finish(() => resolve(current));
        } catch (error) {
          finish(() => reject(error as Error));
        }
      };
      const unsubscribe = this.scheduler.onChange(check);
      const cancel = options.clock.schedule(options.timeoutMs, () => finish(() => resolve(snapshot())));
      check();
    });
  }

  private service(cluster: string, service: string): ServiceRecord {
    const record = this.scheduler.services.get(`${nameOf(cluster)}/${nameOf(service)}`);
    if (!record) throw new EcsEmulatorError('SERVICE_NOT_FOUND', `Service not found: ${service} in cluster ${cluster}.`, { cluster, service });
    return record;
  }
}
