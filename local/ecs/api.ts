import type { Clock } from '../kernel/clock';
import type { JsonOperation } from '../kernel/aws-json';
import { EcsEmulatorError } from './errors';
import { fieldReader } from './input';
import { nameOf, serviceArn } from './naming';
import type { EcsRegistry } from './registry';
import type { ServiceScheduler } from './scheduler';
import type { DeploymentConfig, ServiceRecord, TaskDefinitionRecord } from './types';
import { serviceView, taskDefinitionView, taskView } from './views';

const read = fieldReader((message, context) => new EcsEmulatorError('INVALID_PARAMETER', message, context));

/** ECS defaults for a rolling update (AWS docs "Deploy Amazon ECS services by replacing tasks"). */
export const DEFAULT_DEPLOYMENT_CONFIG: DeploymentConfig = { minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: false, rollback: false } };

/** Reads a `deploymentConfiguration` over `base` (fields not given keep their value). */
export function toDeploymentConfig(input: Record<string, unknown> | undefined, base: DeploymentConfig): DeploymentConfig {
  if (!input) return base;
  const breaker = read.optionalObject(input, 'deploymentCircuitBreaker');
  return {
    minimumHealthyPercent: read.optionalInteger(input, 'minimumHealthyPercent', 0, 100) ?? base.minimumHealthyPercent,
    maximumPercent: read.optionalInteger(input, 'maximumPercent', 0, 200) ?? base.maximumPercent,
    circuitBreaker: breaker
      ? { enable: read.optionalBoolean(breaker, 'enable') ?? false, rollback: read.optionalBoolean(breaker, 'rollback') ?? false }
      : base.circuitBreaker,
  };
}

/** The ECS operations the emulator serves, keyed by operation name. */
export function ecsOperations(registry: EcsRegistry, scheduler: ServiceScheduler, clock: Clock): Record<string, JsonOperation> {
  const service = (cluster: string | undefined, name: string): ServiceRecord => {
    const found = scheduler.services.get(`${registry.cluster(cluster).clusterName}/${nameOf(name)}`);
    if (!found) throw new EcsEmulatorError('SERVICE_NOT_FOUND', `Service not found: ${name}.`, { cluster, service: name });
    return found;
  };
  return {
    CreateCluster: (input) => ({ cluster: clusterView(registry.createCluster(read.string(input, 'clusterName', 'default'), clock.now())) }),
    DescribeClusters: (input) => ({
      clusters: (read.optionalStrings(input, 'clusters') ?? ['default']).map((name) => clusterView(registry.cluster(name))),
      failures: [],
    }),
    RegisterTaskDefinition: (input) => ({ taskDefinition: taskDefinitionView(registry.register(input, clock.now())), tags: [] }),
    DescribeTaskDefinition: (input) => ({ taskDefinition: taskDefinitionView(registry.taskDefinition(read.string(input, 'taskDefinition'))), tags: [] }),
    CreateService: async (input) => ({ service: serviceView(await createService(registry, scheduler, clock, input), scheduler) }),
    UpdateService: async (input) => {
      const target = service(read.optionalString(input, 'cluster'), read.string(input, 'service'));
      await updateService(registry, scheduler, target, input);
      return { service: serviceView(target, scheduler) };
    },
    // DeleteService: without force the service must be scaled to zero first; with force ECS scales it down itself ("DeleteService", Amazon ECS API Reference).
    DeleteService: (input) => {
      const target = service(read.optionalString(input, 'cluster'), read.string(input, 'service'));
      if (target.desiredCount > 0 && read.optionalBoolean(input, 'force') !== true) {
        throw new EcsEmulatorError('INVALID_PARAMETER', `The service cannot be stopped while it is scaled above 0 (desiredCount ${target.desiredCount}); scale it to 0 or pass force`, { service: target.serviceName });
      }
      scheduler.setDesiredCount(target, 0);
      scheduler.services.delete(`${target.clusterName}/${target.serviceName}`);
      return { service: { ...(serviceView(target, scheduler) as Record<string, unknown>), status: 'DRAINING' } };
    },
    // DeleteCluster refuses a cluster that still has services (ClusterContainsServicesException).
    DeleteCluster: (input) => {
      const cluster = registry.cluster(read.string(input, 'cluster'));
      const services = [...scheduler.services.values()].filter((s) => s.clusterName === cluster.clusterName).map((s) => s.serviceName);
      if (services.length) throw new EcsEmulatorError('CLIENT', `The Cluster cannot be deleted while Services are active: ${services.join(', ')}`, { cluster: cluster.clusterName });
      registry.deleteCluster(cluster.clusterName);
      return { cluster: { clusterName: cluster.clusterName, clusterArn: cluster.clusterArn, status: 'INACTIVE' } };
    },
    DescribeServices: (input) => {
      const cluster = registry.cluster(read.optionalString(input, 'cluster'));
      const names = read.optionalStrings(input, 'services') ?? [];
      const found = names.map((name) => scheduler.services.get(`${cluster.clusterName}/${nameOf(name)}`));
      return {
        services: found.filter((s): s is ServiceRecord => s !== undefined).map((s) => serviceView(s, scheduler)),
        failures: names.filter((_, i) => !found[i]).map((name) => ({ arn: serviceArn(cluster.clusterName, nameOf(name)), reason: 'MISSING' })),
      };
    },
    ListTasks: (input) => listTasks(registry, scheduler, input),
    DescribeTasks: (input) => {
      const cluster = registry.cluster(read.optionalString(input, 'cluster'));
      const ids = read.optionalStrings(input, 'tasks') ?? [];
      const all = [...scheduler.tasks.values()].filter((task) => task.clusterArn === cluster.clusterArn);
      const found = ids.map((id) => all.find((task) => task.taskArn === id || nameOf(task.taskArn) === id));
      return {
        tasks: found.flatMap((task) => (task ? [taskView(task)] : [])),
        failures: ids.filter((_, i) => !found[i]).map((id) => ({ arn: id, reason: 'MISSING' })),
      };
    },
  };
}

function clusterView(cluster: { clusterName: string; clusterArn: string }): Record<string, unknown> {
  return { clusterArn: cluster.clusterArn, clusterName: cluster.clusterName, status: 'ACTIVE', registeredContainerInstancesCount: 0 };
}

async function createService(registry: EcsRegistry, scheduler: ServiceScheduler, clock: Clock, input: Record<string, unknown>): Promise<ServiceRecord> {
  const cluster = registry.cluster(read.optionalString(input, 'cluster'));
  const serviceName = read.string(input, 'serviceName');
  if (scheduler.services.has(`${cluster.clusterName}/${serviceName}`)) {
    throw new EcsEmulatorError('INVALID_PARAMETER', `Creation of service was not idempotent: ${serviceName} already exists in ${cluster.clusterName}.`, { serviceName });
  }
  const taskDefinition = registry.taskDefinition(read.string(input, 'taskDefinition'));
  const launchType = read.string(input, 'launchType', 'EC2');
  const networkConfiguration = read.optionalObject(input, 'networkConfiguration');
  checkNetwork(taskDefinition, launchType, networkConfiguration);
  const containers = await scheduler.pin(taskDefinition);
  const record: ServiceRecord = {
    serviceName, serviceArn: serviceArn(cluster.clusterName, serviceName), clusterName: cluster.clusterName, clusterArn: cluster.clusterArn,
    createdAt: clock.now(), launchType, networkConfiguration, desiredCount: read.optionalInteger(input, 'desiredCount', 0) ?? 1,
    deploymentConfig: toDeploymentConfig(read.optionalObject(input, 'deploymentConfiguration'), DEFAULT_DEPLOYMENT_CONFIG),
    deployments: [], events: [], reconciling: false, dirty: false,
  };
  scheduler.addService(record, taskDefinition.taskDefinitionArn, containers);
  return record;
}

/** UpdateService: a new deployment when the task definition changes or `forceNewDeployment` is set, else only the count and configuration. */
async function updateService(registry: EcsRegistry, scheduler: ServiceScheduler, service: ServiceRecord, input: Record<string, unknown>): Promise<void> {
  const reference = read.optionalString(input, 'taskDefinition');
  const taskDefinition = reference === undefined ? undefined : registry.taskDefinition(reference);
  const desiredCount = read.optionalInteger(input, 'desiredCount', 0);
  const config = toDeploymentConfig(read.optionalObject(input, 'deploymentConfiguration'), service.deploymentConfig);
  const current = scheduler.primaryOf(service).taskDefinitionArn;
  const redeploy = read.optionalBoolean(input, 'forceNewDeployment') === true || (taskDefinition !== undefined && taskDefinition.taskDefinitionArn !== current);
  const next = taskDefinition ?? registry.taskDefinition(current);
  if (taskDefinition) checkNetwork(taskDefinition, service.launchType, service.networkConfiguration);
  const containers = redeploy ? await scheduler.pin(next) : undefined;
  service.deploymentConfig = config;
  if (containers) {
    if (desiredCount !== undefined) service.desiredCount = desiredCount;
    scheduler.startDeployment(service, next.taskDefinitionArn, containers);
  } else scheduler.setDesiredCount(service, desiredCount ?? service.desiredCount);
}

function checkNetwork(taskDefinition: TaskDefinitionRecord, launchType: string, network: Record<string, unknown> | undefined): void {
  if (launchType === 'FARGATE' && taskDefinition.networkMode !== 'awsvpc') {
    throw new EcsEmulatorError('INVALID_PARAMETER', `Task definition ${taskDefinition.taskDefinitionArn} does not support launch type FARGATE: networkMode is ${taskDefinition.networkMode}, expected awsvpc.`, { launchType });
  }
  if (taskDefinition.networkMode === 'awsvpc' && !network?.awsvpcConfiguration) {
    throw new EcsEmulatorError('INVALID_PARAMETER', "Network Configuration must be provided when networkMode 'awsvpc' is specified.", { taskDefinition: taskDefinition.taskDefinitionArn });
  }
}

function listTasks(registry: EcsRegistry, scheduler: ServiceScheduler, input: Record<string, unknown>): Record<string, unknown> {
  const cluster = registry.cluster(read.optionalString(input, 'cluster'));
  const serviceName = read.optionalString(input, 'serviceName');
  const startedBy = read.optionalString(input, 'startedBy');
  const desiredStatus = read.string(input, 'desiredStatus', 'RUNNING');
  const maxResults = read.optionalInteger(input, 'maxResults', 1, 100) ?? 100;
  const offset = Number(read.optionalString(input, 'nextToken') ?? '0');
  const arns = [...scheduler.tasks.values()]
    .filter((task) => task.clusterArn === cluster.clusterArn && task.desiredStatus === desiredStatus)
    .filter((task) => (serviceName === undefined || task.serviceName === nameOf(serviceName)) && (startedBy === undefined || task.deploymentId === startedBy))
    .map((task) => task.taskArn);
  const page = arns.slice(offset, offset + maxResults);
  return { taskArns: page, ...(offset + maxResults < arns.length ? { nextToken: String(offset + maxResults) } : {}) };
}
