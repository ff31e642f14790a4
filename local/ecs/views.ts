import type { ServiceScheduler } from './scheduler';
import { containerStatus, eniAttachment } from './task-events';
import type { DeploymentRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from './types';

/**
 * awsJson timestamps are epoch seconds. Numbers are written rather than Date
 * objects because JSON.stringify turns a Date into an ISO string before any
 * replacer sees it, and the SDK rejects ISO strings in awsJson timestamps.
 */
export const epochSeconds = (ms: number): number => ms / 1000;
const date = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : epochSeconds(ms));

/** A task definition as RegisterTaskDefinition / DescribeTaskDefinition return it. */
export function taskDefinitionView(record: TaskDefinitionRecord): Record<string, unknown> {
  return {
    ...record.input,
    taskDefinitionArn: record.taskDefinitionArn,
    family: record.family,
    revision: record.revision,
    status: 'ACTIVE',
    containerDefinitions: record.containerDefinitions,
    networkMode: record.networkMode,
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: epochSeconds(record.registeredAt),
  };
}

/** A deployment as DescribeServices returns it. */
export function deploymentView(deployment: DeploymentRecord, service: ServiceRecord, scheduler: ServiceScheduler): Record<string, unknown> {
  const mine = scheduler.liveTasks(service).filter((task) => task.deploymentId === deployment.id && task.desiredStatus === 'RUNNING');
  return {
    id: deployment.id,
    status: deployment.status,
    taskDefinition: deployment.taskDefinitionArn,
    desiredCount: deployment.status === 'PRIMARY' ? service.desiredCount : mine.length,
    pendingCount: mine.filter((task) => task.lastStatus !== 'RUNNING').length,
    runningCount: mine.filter((task) => task.lastStatus === 'RUNNING').length,
    failedTasks: deployment.failedTasks,
    createdAt: epochSeconds(deployment.createdAt),
    updatedAt: epochSeconds(deployment.updatedAt),
    launchType: service.launchType,
    platformVersion: '1.4.0',
    networkConfiguration: service.networkConfiguration,
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
  };
}

/** A service as CreateService / UpdateService / DescribeServices return it (INACTIVE deployments are not listed, as on ECS). */
export function serviceView(service: ServiceRecord, scheduler: ServiceScheduler): Record<string, unknown> {
  const live = scheduler.liveTasks(service).filter((task) => task.desiredStatus === 'RUNNING');
  const listed = [...service.deployments]
    .filter((deployment) => deployment.status !== 'INACTIVE')
    .sort((a, b) => Number(b.status === 'PRIMARY') - Number(a.status === 'PRIMARY'));
  const { minimumHealthyPercent, maximumPercent, circuitBreaker } = service.deploymentConfig;
  return {
    serviceArn: service.serviceArn,
    serviceName: service.serviceName,
    clusterArn: service.clusterArn,
    status: 'ACTIVE',
    desiredCount: service.desiredCount,
    runningCount: live.filter((task) => task.lastStatus === 'RUNNING').length,
    pendingCount: live.filter((task) => task.lastStatus !== 'RUNNING').length,
    launchType: service.launchType,
    platformVersion: '1.4.0',
    taskDefinition: scheduler.primaryOf(service).taskDefinitionArn,
    deploymentConfiguration: { minimumHealthyPercent, maximumPercent, deploymentCircuitBreaker: circuitBreaker },
    deploymentController: { type: 'ECS' },
    schedulingStrategy: 'REPLICA',
    deployments: listed.map((deployment) => deploymentView(deployment, service, scheduler)),
    events: service.events.map((event) => ({ id: event.id, createdAt: epochSeconds(event.createdAt), message: event.message })),
    createdAt: epochSeconds(service.createdAt),
    networkConfiguration: service.networkConfiguration,
  };
}

/**
 * The health ECS reports, from the health the emulated checks reached: a
 * container without a health check in its definition is UNKNOWN; the task
 * is the health of its essential containers that define one (of the
 * non-essential ones when no essential one does), UNKNOWN when none does.
 * Source: AWS ECS API reference, `HealthCheck` ("UNKNOWN - ... there's no
 * container health check defined"; "The container health check status of
 * nonessential containers only affects the health status of a task if no
 * essential containers have health checks defined") and `Task.healthStatus`.
 */
export function reportedHealth(task: TaskRecord): { task: string; containers: string[] } {
  const containers = task.containers.map((c) => (c.healthChecked ? task.healthStatus : 'UNKNOWN'));
  const essential = task.containers.filter((c) => c.healthChecked && !c.nonEssential);
  const counted = essential.length > 0 ? essential : task.containers.filter((c) => c.healthChecked);
  return { task: counted.length > 0 ? task.healthStatus : 'UNKNOWN', containers };
}

/** A task as DescribeTasks returns it. */
export function taskView(task: TaskRecord): Record<string, unknown> {
  const health = reportedHealth(task);
  return {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    group: `service:${task.serviceName}`,
    startedBy: task.deploymentId,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    healthStatus: health.task,
    launchType: task.launchType,
    platformVersion: '1.4.0',
    availabilityZone: 'us-east-1a',
    connectivity: task.lastStatus === 'PROVISIONING' ? 'CONNECTING' : 'CONNECTED',
    attachments: [eniAttachment(task)],
    containers: task.containers.map((container, index) => ({
      containerArn: container.containerArn,
      taskArn: task.taskArn,
      name: container.name,
      image: container.image,
      imageDigest: container.imageDigest,
      lastStatus: containerStatus(task),
      healthStatus: health.containers[index],
      networkInterfaces: [{ attachmentId: `eni-attach-${task.taskArn.slice(-32, -20)}`, privateIpv4Address: task.privateIp }],
    })),
    version: task.version,
    createdAt: date(task.createdAt),
    pullStartedAt: date(task.pullStartedAt),
    pullStoppedAt: date(task.pullStoppedAt),
    startedAt: date(task.startedAt),
    stoppingAt: date(task.stoppingAt),
    stoppedAt: date(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
  };
}
