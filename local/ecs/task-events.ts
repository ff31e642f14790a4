import { createHash } from 'node:crypto';
import type { EventSink } from '../kernel/events';
import type { DeploymentRecord, ServiceRecord, TaskRecord } from './types';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The ENI attachment of an awsvpc task, as DescribeTasks and the task event show it. */
export function eniAttachment(task: TaskRecord): Record<string, unknown> {
  const id = task.taskArn.slice(-32, -20);
  return {
    id: `eni-attach-${id}`,
    type: 'eni',
    status: task.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
    details: [
      { name: 'subnetId', value: 'subnet-local' },
      { name: 'networkInterfaceId', value: `eni-${id}` },
      // A locally administered MAC address made from the ENI id.
      { name: 'macAddress', value: `0a:${id.slice(0, 10).match(/../g)!.join(':')}` },
      { name: 'privateIPv4Address', value: task.privateIp },
    ],
  };
}

/**
 * The `detail` of an "ECS Task State Change" event, with the fields of the
 * documented example (AWS docs "Amazon ECS task state change events"):
 * ISO-string timestamps, `group` `service:<name>`, `startedBy` the deployment id,
 * task-level `cpu` and `memory` and each container's `cpu` and `runtimeId`.
 */
export function taskStateDetail(task: TaskRecord): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    attachments: [eniAttachment(task)],
    availabilityZone: 'us-east-1a',
    clusterArn: task.clusterArn,
    connectivity: task.lastStatus === 'PROVISIONING' ? 'CONNECTING' : 'CONNECTED',
    containers: task.containers.map((container) => ({
      containerArn: container.containerArn,
      lastStatus: containerStatus(task),
      name: container.name,
      image: container.image,
      ...(container.imageDigest ? { imageDigest: container.imageDigest } : {}),
      // The container runtime's id (a Docker container id: 64 hex digits), once the container was created.
      ...(task.pullStoppedAt !== undefined ? { runtimeId: createHash('sha256').update(container.containerArn).digest('hex') } : {}),
      taskArn: task.taskArn,
      networkInterfaces: [{ attachmentId: `eni-attach-${task.taskArn.slice(-32, -20)}`, privateIpv4Address: task.privateIp }],
      cpu: container.cpu ?? '0',
    })),
    createdAt: iso(task.createdAt),
    launchType: task.launchType,
    ...(task.containers[0]?.taskSize ?? {}),
    desiredStatus: task.desiredStatus,
    group: `service:${task.serviceName}`,
    lastStatus: task.lastStatus,
    overrides: { containerOverrides: task.containers.map((container) => ({ name: container.name })) },
    platformVersion: '1.4.0',
    startedBy: task.deploymentId,
    taskArn: task.taskArn,
    taskDefinitionArn: task.taskDefinitionArn,
    updatedAt: iso(task.updatedAt),
    version: task.version,
  };
  const optional: Record<string, number | undefined> = {
    // The ENI is attached when the task leaves PROVISIONING.
    connectivityAt: task.statusTimes.PENDING, pullStartedAt: task.pullStartedAt, pullStoppedAt: task.pullStoppedAt, startedAt: task.startedAt,
    stoppingAt: task.stoppingAt, stoppedAt: task.stoppedAt,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) detail[key] = iso(value);
  if (task.stoppedReason !== undefined) detail.stoppedReason = task.stoppedReason;
  if (task.stopCode !== undefined) detail.stopCode = task.stopCode;
  return detail;
}

/** A container's status follows its task's: PENDING until RUNNING, STOPPED at the end. */
export function containerStatus(task: TaskRecord): string {
  if (task.lastStatus === 'STOPPED') return 'STOPPED';
  if (task.lastStatus === 'PROVISIONING' || task.lastStatus === 'PENDING') return 'PENDING';
  return 'RUNNING';
}

/** Puts an "ECS Task State Change" event for the task's current state. */
export function emitTaskStateChange(bus: EventSink, task: TaskRecord): void {
  bus.put({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', resources: [task.taskArn], detail: taskStateDetail(task), time: new Date(task.updatedAt).toISOString() });
}

/** Names of the documented service deployment state change events. */
export type DeploymentEventName = 'SERVICE_DEPLOYMENT_IN_PROGRESS' | 'SERVICE_DEPLOYMENT_COMPLETED' | 'SERVICE_DEPLOYMENT_FAILED';

/**
 * Puts an "ECS Deployment State Change" event (AWS docs "Amazon ECS service
 * deployment state change events"): resources = [service ARN], detail =
 * eventType, eventName, deploymentId, updatedAt, reason.
 */
export function emitDeploymentStateChange(bus: EventSink, service: ServiceRecord, deployment: DeploymentRecord, eventName: DeploymentEventName, at: number): void {
  bus.put({
    source: 'aws.ecs',
    'detail-type': 'ECS Deployment State Change',
    resources: [service.serviceArn],
    time: new Date(at).toISOString(),
    detail: {
      eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
      eventName,
      deploymentId: deployment.id,
      // Whole seconds, as the documented examples write it ("2020-05-23T11:11:11Z").
      updatedAt: new Date(at).toISOString().replace(/\.\d+Z$/, 'Z'),
      reason: deployment.rolloutStateReason,
    },
  });
}
