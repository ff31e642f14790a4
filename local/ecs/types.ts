/** State records of the ECS emulator (internal, mutable; views copy them). */

/** Task statuses the emulator models, in lifecycle order. */
export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'STOPPED';

/** Deployment status as DescribeServices reports it. */
export type DeploymentStatus = 'PRIMARY' | 'ACTIVE' | 'INACTIVE';

/** Deployment rollout state as DescribeServices reports it. */
export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** A container definition as registered (only what the emulator reads is typed). */
export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
  readonly [key: string]: unknown;
}

/** A registered task definition revision. */
export interface TaskDefinitionRecord {
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  readonly containerDefinitions: readonly ContainerDefinition[];
  readonly networkMode: string;
  readonly registeredAt: number;
  readonly input: Readonly<Record<string, unknown>>;
}

/** Deployment configuration with ECS defaults applied. */
export interface DeploymentConfig {
  readonly minimumHealthyPercent: number;
  readonly maximumPercent: number;
  readonly circuitBreaker: { readonly enable: boolean; readonly rollback: boolean };
}

/** One container of a deployment: image reference and the digest it was pinned to. */
export interface PinnedContainer {
  readonly name: string;
  readonly image: string;
  /** Undefined when the image could not be resolved: its tasks fail to pull. */
  readonly imageDigest?: string;
  /** Set when the container definition defines a health check: only then does ECS report the container's health. */
  readonly healthChecked?: true;
  /** Set when the container definition says `essential: false` (ECS's default is essential). */
  readonly nonEssential?: true;
  /** The container definition's `cpu` units, as the task event writes them ("0" when unset). */
  readonly cpu?: string;
  /** The task definition's task-level `cpu` and `memory` (the same on every container of a deployment). */
  readonly taskSize?: { readonly cpu?: string; readonly memory?: string };
}

/** A service deployment. */
export interface DeploymentRecord {
  readonly id: string;
  status: DeploymentStatus;
  readonly taskDefinitionArn: string;
  readonly containers: readonly PinnedContainer[];
  readonly createdAt: number;
  updatedAt: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  failedTasks: number;
  /** Consecutive failures since the last healthy task (the circuit breaker's counter). */
  failureCount: number;
}

/** One service event (DescribeServices `events`). */
export interface ServiceEventRecord {
  readonly id: string;
  readonly createdAt: number;
  readonly message: string;
}

/** An ECS service. */
export interface ServiceRecord {
  readonly serviceName: string;
  readonly serviceArn: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly createdAt: number;
  readonly launchType: string;
  readonly networkConfiguration?: Readonly<Record<string, unknown>>;
  desiredCount: number;
  deploymentConfig: DeploymentConfig;
  /** Every deployment ever made, newest first; INACTIVE ones are kept for rollback and the control surface. */
  deployments: DeploymentRecord[];
  events: ServiceEventRecord[];
  reconciling: boolean;
  dirty: boolean;
}

/** One container of a task. */
export interface TaskContainer {
  readonly containerArn: string;
  readonly name: string;
  readonly image: string;
  readonly imageDigest?: string;
  readonly healthChecked?: true;
  readonly nonEssential?: true;
  readonly cpu?: string;
  readonly taskSize?: { readonly cpu?: string; readonly memory?: string };
}

/** One task of a service. */
export interface TaskRecord {
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly serviceKey: string;
  readonly serviceName: string;
  readonly deploymentId: string;
  readonly taskDefinitionArn: string;
  readonly containers: readonly TaskContainer[];
  readonly privateIp: string;
  readonly launchType: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';
  readonly createdAt: number;
  updatedAt: number;
  version: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
  /** Emulated time at which each status was entered. */
  readonly statusTimes: Partial<Record<TaskStatus, number>>;
  /** Cancels the next scheduled transition. */
  cancelNext?: () => void;
}
