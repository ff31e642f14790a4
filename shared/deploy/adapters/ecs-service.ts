import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Task } from '@aws-sdk/client-ecs';
import { awsError, DeployError } from '../errors';
import type { ServiceSnapshot, UpdateServiceInput } from '../types';

/** A task of a service that is not STOPPED yet. */
export interface AliveTask {
  readonly taskArn: string;
  readonly lastStatus: string;
  /** The deployment that started it (`ecs-svc/...`). */
  readonly startedBy?: string;
  readonly digest?: string;
  /** ECS task `healthStatus`: HEALTHY, UNHEALTHY, or UNKNOWN (no container health check, or none passed yet). */
  readonly healthStatus?: string;
}

/**
 * ECS calls of a deploy: read a service with its primary deployment's digests,
 * list tasks still alive, update the service.
 *
 * @example
 * const ecs = new EcsServiceAdapter({ client: new ECSClient({}), containerName: 'portal-api' });
 * const id = await ecs.updateService(toUpdateServiceInput('wicked', 'portal-api', { type: 'force-new-deployment' }, 'singleton'));
 */
export class EcsServiceAdapter {
  private readonly client: ECSClient;
  private readonly containerName?: string;
  /** Task definition revisions are immutable: whether one defines a health check is read once. */
  private readonly healthChecks = new Map<string, boolean>();

  /** `containerName` picks the container whose digest counts. @default the task's first container */
  constructor(options: { client?: ECSClient; containerName?: string } = {}) {
    this.client = options.client ?? new ECSClient({});
    this.containerName = options.containerName;
  }

  /** The service, its PRIMARY deployment and the digests that deployment's running tasks run. */
  async describe(cluster: string, service: string): Promise<ServiceSnapshot> {
    const doing = `describing service ${service} in cluster ${cluster}`;
    const output = await this.send(doing, { cluster, service }, () => this.client.send(new DescribeServicesCommand({ cluster, services: [service] })));
    const found = output.services?.[0];
    if (!found || found.status === 'INACTIVE') {
      throw new DeployError('SERVICE_NOT_FOUND', `${doing}: expected an ACTIVE service, found ${found?.status ?? output.failures?.[0]?.reason ?? 'nothing'}`, { context: { cluster, service } });
    }
    const primary = found.deployments?.find((d) => d.status === 'PRIMARY');
    const tasks = await this.aliveTasks(cluster, service);
    const running = tasks.filter((t) => t.lastStatus === 'RUNNING' && primary?.id !== undefined && t.startedBy === primary.id);
    return {
      serviceName: service,
      desiredCount: found.desiredCount ?? 0,
      aliveTaskCount: tasks.length,
      primaryDeploymentId: primary?.id,
      primaryRolloutState: primary?.rolloutState,
      primaryTaskDigests: running.map((t) => t.digest ?? 'unknown'),
      primaryTaskHealth: running.map((t) => t.healthStatus ?? 'UNKNOWN'),
      healthChecked: primary?.taskDefinition ? await this.definesHealthCheck(primary.taskDefinition) : false,
      deployments: (found.deployments ?? []).map((d) => ({ id: d.id ?? '', status: d.status ?? '', rolloutState: d.rolloutState, rolloutStateReason: d.rolloutStateReason })),
      recentEvents: (found.events ?? []).slice(0, 10).map((e) => `${e.createdAt?.toISOString() ?? ''} ${e.message ?? ''}`.trim()),
    };
  }

  /**
   * Desired counts of ACTIVE services by name, one DescribeServices per 10
   * services (the API's limit per call); a service not found or INACTIVE is
   * left out.
   */
  async desiredCounts(cluster: string, services: readonly string[]): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < services.length; i += 10) {
      const batch = services.slice(i, i + 10);
      const doing = `describing services ${batch.join(', ')} in cluster ${cluster}`;
      const output = await this.send(doing, { cluster }, () => this.client.send(new DescribeServicesCommand({ cluster, services: batch })));
      for (const found of output.services ?? []) if (found.serviceName && found.status !== 'INACTIVE') counts[found.serviceName] = found.desiredCount ?? 0;
    }
    return counts;
  }

  /** Tasks of the service not yet STOPPED, whatever their desired status (a STOPPING task wants STOPPED). */
  async aliveTasks(cluster: string, service: string): Promise<AliveTask[]> {
    const doing = `listing tasks of service ${service} in cluster ${cluster}`;
    const arns: string[] = [];
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      let nextToken: string | undefined;
      do {
        const page = await this.send(doing, { cluster, service }, () => this.client.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus, nextToken })));
        arns.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    }
    const tasks: Task[] = [];
    for (let i = 0; i < arns.length; i += 100) {
      const output = await this.send(doing, { cluster, service }, () => this.client.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) })));
      tasks.push(...(output.tasks ?? []));
    }
    return tasks.filter((t) => t.lastStatus !== 'STOPPED').map((t) => ({
      taskArn: t.taskArn ?? '',
      lastStatus: t.lastStatus ?? 'UNKNOWN',
      startedBy: t.startedBy,
      digest: this.containerOf(t)?.imageDigest,
      healthStatus: t.healthStatus,
    }));
  }

  /**
   * Whether a container of the task definition defines a health check: then
   * a task counts as good only once ECS reports it HEALTHY (AWS ECS API
   * reference, `Task.healthStatus`: "If no health checks are defined, the
   * task's health status is UNKNOWN").
   */
  private async definesHealthCheck(taskDefinition: string): Promise<boolean> {
    const known = this.healthChecks.get(taskDefinition);
    if (known !== undefined) return known;
    const output = await this.send(`describing task definition ${taskDefinition}`, { taskDefinition }, () => this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition })));
    const containers = output.taskDefinition?.containerDefinitions ?? [];
    const named = containers.filter((c) => c.name === this.containerName);
    const checked = (named.length > 0 ? named : containers).some((c) => (c.healthCheck?.command?.length ?? 0) > 0);
    this.healthChecks.set(taskDefinition, checked);
    return checked;
  }

  /** The container that identifies what a task runs: the named one, or the only one (a restarted service other than portal-api). */
  private containerOf(task: Task): NonNullable<Task['containers']>[number] | undefined {
    const containers = task.containers ?? [];
    if (!this.containerName) return containers[0];
    return containers.find((c) => c.name === this.containerName) ?? (containers.length === 1 ? containers[0] : undefined);
  }

  /** Updates the service; returns the id of the PRIMARY deployment afterwards. */
  async updateService(input: UpdateServiceInput): Promise<string> {
    const doing = `updating service ${input.service} in cluster ${input.cluster ?? 'default'}`;
    const output = await this.send(doing, { cluster: input.cluster, service: input.service }, () => this.client.send(new UpdateServiceCommand(input)));
    const primary = output.service?.deployments?.find((d) => d.status === 'PRIMARY');
    if (!primary?.id) {
      throw new DeployError('NO_PRIMARY_DEPLOYMENT', `${doing}: expected a PRIMARY deployment in the response, found ${output.service?.deployments?.length ?? 0} deployments without one`, { context: { service: input.service } });
    }
    return primary.id;
  }

  private async send<T>(doing: string, context: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw awsError('ECS_FAILED', doing, error, context);
    }
  }
}
