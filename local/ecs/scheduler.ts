import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock';
import type { EventSink } from '../kernel/events';
import { containerArn, ipAllocator, newDeploymentId, newTaskId, taskArn } from './naming';
import { circuitBreakerThreshold, planRolloutStep } from './rollout';
import type { PlannedTask } from './rollout';
import { emitDeploymentStateChange, emitTaskStateChange } from './task-events';
import type { DeploymentEventName } from './task-events';
import { TaskLifecycle } from './task-lifecycle';
import type { TaskTimings } from './task-lifecycle';
import type { DeploymentRecord, PinnedContainer, ServiceRecord, TaskDefinitionRecord, TaskRecord } from './types';

/** Resolves an image reference to the digest ECS pins for a deployment; undefined when the image does not exist. */
export type ImageResolver = (image: string) => Promise<string | undefined>;

/** What the scheduler needs from its environment. */
export interface SchedulerOptions {
  readonly clock: Clock;
  readonly bus: EventSink;
  readonly timings: TaskTimings;
  readonly resolveImage: ImageResolver;
}

const shortId = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/**
 * The emulated ECS service scheduler: deployments, the rolling update, the
 * circuit breaker with rollback, and every task's life on the clock.
 */
export class ServiceScheduler {
  /** Services by `<cluster>/<service>`. */
  readonly services = new Map<string, ServiceRecord>();
  /** Every task ever launched, by ARN (STOPPED ones included). */
  readonly tasks = new Map<string, TaskRecord>();
  private readonly failing = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private readonly lifecycle: TaskLifecycle;
  private readonly nextIp = ipAllocator();

  constructor(private readonly options: SchedulerOptions) {
    this.lifecycle = new TaskLifecycle(options.clock, options.timings, {
      changed: (task) => this.taskChanged(task),
      healthy: (task) => this.taskHealthy(task),
      failed: (task) => this.taskFailed(task),
      failsHealth: (task) => task.containers.some((c) => this.failing.has(c.image) || (c.imageDigest !== undefined && this.failing.has(c.imageDigest))),
    });
  }

  /** Pins every container image of a task definition to a digest (a digest reference pins itself). */
  async pin(taskDefinition: TaskDefinitionRecord): Promise<PinnedContainer[]> {
    return Promise.all(taskDefinition.containerDefinitions.map(async (definition) => {
      const { name, image } = definition;
      const inline = /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
      const imageDigest = inline ?? (await this.options.resolveImage(image));
      const checked = ((definition.healthCheck as { command?: unknown[] } | undefined)?.command?.length ?? 0) > 0;
      const { cpu, memory } = taskDefinition.input as { cpu?: unknown; memory?: unknown };
      return {
        name, image, ...(imageDigest === undefined ? {} : { imageDigest }),
        cpu: String(definition.cpu ?? 0),
        taskSize: { ...(cpu !== undefined ? { cpu: String(cpu) } : {}), ...(memory !== undefined ? { memory: String(memory) } : {}) },
        ...(checked ? { healthChecked: true as const } : {}), ...(definition.essential === false ? { nonEssential: true as const } : {}),
      };
    }));
  }

  /** Adds a service and starts its first deployment. */
  addService(service: ServiceRecord, taskDefinitionArn: string, containers: readonly PinnedContainer[]): void {
    this.services.set(`${service.clusterName}/${service.serviceName}`, service);
    this.startDeployment(service, taskDefinitionArn, containers);
  }

  /** Starts a new PRIMARY deployment; the previous PRIMARY becomes ACTIVE and drains. */
  startDeployment(service: ServiceRecord, taskDefinitionArn: string, containers: readonly PinnedContainer[]): DeploymentRecord {
    const now = this.options.clock.now();
    for (const previous of service.deployments) if (previous.status === 'PRIMARY') previous.status = 'ACTIVE';
    const id = newDeploymentId();
    const deployment: DeploymentRecord = {
      id, status: 'PRIMARY', taskDefinitionArn, containers, createdAt: now, updatedAt: now,
      rolloutState: 'IN_PROGRESS', rolloutStateReason: `ECS deployment ${id} in progress.`, failedTasks: 0, failureCount: 0,
    };
    service.deployments.unshift(deployment);
    this.announce(service, deployment, 'SERVICE_DEPLOYMENT_IN_PROGRESS');
    this.reconcile(service);
    return deployment;
  }

  /** Changes the desired count (UpdateService or Application Auto Scaling). */
  setDesiredCount(service: ServiceRecord, desiredCount: number): void {
    service.desiredCount = desiredCount;
    this.reconcile(service);
  }

  /** Makes tasks of an image reference or digest fail their health check from now on. */
  failHealth(imageOrDigest: string): void {
    this.failing.add(imageOrDigest);
  }

  /** Lets tasks of one image (or of every image) pass health checks again. */
  clearHealth(imageOrDigest?: string): void {
    if (imageOrDigest === undefined) this.failing.clear();
    else this.failing.delete(imageOrDigest);
  }

  /** Calls `listener` after every scheduler step; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tasks of a service that are not STOPPED. */
  liveTasks(service: ServiceRecord): TaskRecord[] {
    const key = `${service.clusterName}/${service.serviceName}`;
    return [...this.tasks.values()].filter((task) => task.serviceKey === key && task.lastStatus !== 'STOPPED');
  }

  /** The PRIMARY deployment of a service. */
  primaryOf(service: ServiceRecord): DeploymentRecord {
    const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY');
    if (!primary) throw new Error(`service ${service.serviceName} has no PRIMARY deployment`);
    return primary;
  }

  /** Stops every scheduled transition (emulator shutdown). */
  halt(): void {
    for (const task of this.tasks.values()) task.cancelNext?.();
  }

  private reconcile(service: ServiceRecord): void {
    if (service.reconciling) {
      service.dirty = true;
      return;
    }
    service.reconciling = true;
    try {
      do {
        service.dirty = false;
        this.step(service);
      } while (service.dirty);
    } finally {
      service.reconciling = false;
    }
    for (const listener of [...this.listeners]) listener();
  }

  private step(service: ServiceRecord): void {
    const primary = this.primaryOf(service);
    const live = this.liveTasks(service);
    const tasks: PlannedTask[] = live.map((task) => ({
      id: task.taskArn,
      primary: task.deploymentId === primary.id,
      phase: task.desiredStatus === 'STOPPED' ? 'stopping' : task.healthStatus === 'HEALTHY' ? 'healthy' : 'starting',
    }));
    const { minimumHealthyPercent, maximumPercent } = service.deploymentConfig;
    const plan = planRolloutStep({ desiredCount: service.desiredCount, minimumHealthyPercent, maximumPercent, tasks, allowStart: primary.rolloutState !== 'FAILED' });
    const stopped = plan.stop.map((arn) => this.tasks.get(arn)).filter((task): task is TaskRecord => task !== undefined);
    for (const task of stopped) this.lifecycle.stop(task, `Scaling activity initiated by (deployment ${task.deploymentId})`, 'ServiceSchedulerInitiated');
    if (stopped.length) this.serviceEvent(service, `has stopped ${stopped.length} running tasks: ${stopped.map((task) => `(task ${shortId(task.taskArn)})`).join(' ')}.`);
    const started = Array.from({ length: plan.start }, () => this.launch(service, primary));
    if (started.length) this.serviceEvent(service, `has started ${started.length} tasks: ${started.map((task) => `(task ${shortId(task.taskArn)})`).join(' ')}.`);
    this.settle(service, primary);
  }

  private settle(service: ServiceRecord, primary: DeploymentRecord): void {
    const live = this.liveTasks(service);
    for (const deployment of service.deployments) {
      if (deployment.status === 'ACTIVE' && !live.some((task) => task.deploymentId === deployment.id)) deployment.status = 'INACTIVE';
    }
    if (primary.rolloutState !== 'IN_PROGRESS') return;
    const mine = live.filter((task) => task.deploymentId === primary.id && task.desiredStatus === 'RUNNING');
    const healthy = mine.filter((task) => task.healthStatus === 'HEALTHY').length;
    if (healthy === service.desiredCount && mine.length === healthy && live.length === mine.length) {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      this.announce(service, primary, 'SERVICE_DEPLOYMENT_COMPLETED');
      this.serviceEvent(service, `(deployment ${primary.id}) deployment completed.`);
      this.serviceEvent(service, 'has reached a steady state.');
    }
  }

  private launch(service: ServiceRecord, deployment: DeploymentRecord): TaskRecord {
    const now = this.options.clock.now();
    const id = newTaskId();
    const task: TaskRecord = {
      taskArn: taskArn(service.clusterName, id), clusterArn: service.clusterArn, serviceKey: `${service.clusterName}/${service.serviceName}`,
      serviceName: service.serviceName, deploymentId: deployment.id, taskDefinitionArn: deployment.taskDefinitionArn,
      containers: deployment.containers.map((c) => ({ ...c, containerArn: containerArn(service.clusterName, id) })),
      privateIp: this.nextIp(), launchType: service.launchType, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', healthStatus: 'UNKNOWN',
      createdAt: now, updatedAt: now, version: 0, statusTimes: {},
    };
    this.tasks.set(task.taskArn, task);
    this.lifecycle.launch(task);
    return task;
  }

  private taskChanged(task: TaskRecord): void {
    emitTaskStateChange(this.options.bus, task);
    const service = this.services.get(task.serviceKey);
    if (service) this.reconcile(service);
  }

  private taskHealthy(task: TaskRecord): void {
    const service = this.services.get(task.serviceKey);
    const deployment = service?.deployments.find((candidate) => candidate.id === task.deploymentId);
    if (!service || !deployment) return;
    deployment.failureCount = 0;
    this.reconcile(service);
  }

  private taskFailed(task: TaskRecord): void {
    const service = this.services.get(task.serviceKey);
    const deployment = service?.deployments.find((candidate) => candidate.id === task.deploymentId);
    if (!service || !deployment) return;
    deployment.failedTasks += 1;
    deployment.failureCount += 1;
    this.serviceEvent(service, `(task ${shortId(task.taskArn)}) failed: ${task.stoppedReason ?? 'unknown reason'}.`);
    const breaker = service.deploymentConfig.circuitBreaker;
    const watched = breaker.enable && deployment.status === 'PRIMARY' && deployment.rolloutState === 'IN_PROGRESS';
    if (watched && deployment.failureCount >= circuitBreakerThreshold(service.desiredCount)) this.trip(service, deployment);
    this.reconcile(service);
  }

  /** The circuit breaker tripped: FAILED, then roll back to the most recent COMPLETED deployment if asked to. */
  private trip(service: ServiceRecord, failed: DeploymentRecord): void {
    const now = this.options.clock.now();
    failed.rolloutState = 'FAILED';
    failed.rolloutStateReason = 'ECS deployment circuit breaker: task failed to start.';
    failed.updatedAt = now;
    this.announce(service, failed, 'SERVICE_DEPLOYMENT_FAILED');
    this.serviceEvent(service, `(deployment ${failed.id}) deployment failed: tasks failed to start.`);
    if (!service.deploymentConfig.circuitBreaker.rollback) return;
    const target = service.deployments.find((deployment) => deployment !== failed && deployment.rolloutState === 'COMPLETED');
    if (!target) return;
    failed.status = 'ACTIVE';
    target.status = 'PRIMARY';
    target.rolloutState = 'IN_PROGRESS';
    target.rolloutStateReason = `ECS deployment circuit breaker: rolling back to deploymentId ${target.id}.`;
    target.updatedAt = now;
    target.failureCount = 0;
    this.announce(service, target, 'SERVICE_DEPLOYMENT_IN_PROGRESS');
    this.serviceEvent(service, `rolling back to deployment ${target.id}.`);
  }

  private announce(service: ServiceRecord, deployment: DeploymentRecord, eventName: DeploymentEventName): void {
    emitDeploymentStateChange(this.options.bus, service, deployment, eventName, this.options.clock.now());
  }

  private serviceEvent(service: ServiceRecord, message: string): void {
    service.events.unshift({ id: randomUUID(), createdAt: this.options.clock.now(), message: `(service ${service.serviceName}) ${message}` });
    if (service.events.length > 100) service.events.length = 100;
  }
}
