import type { UpdateServiceCommandInput } from '@aws-sdk/client-ecs';

/** How a service scales: wicked core components are singletons; Kong gateways scale out. */
export type ServiceKind = 'singleton' | 'gateway';

/** What the planner needs to know about a running service and its release tag. */
export interface ServiceState {
  readonly cluster: string;
  readonly serviceName: string;
  readonly desiredCount: number;
  /** Tasks of the service not yet STOPPED (RUNNING, STOPPING, PENDING, ...). */
  readonly aliveTaskCount: number;
  /** The digest every running task of the PRIMARY deployment runs; undefined when none or mixed. */
  readonly primaryDigest?: string;
  /** Where the release tag points now; undefined when the tag does not exist. */
  readonly releaseTagDigest?: string;
}

/** The image a deploy wants running. */
export interface DesiredImage {
  readonly digest: string;
  readonly imageUri: string;
  /** ECR repository name of the release tag. */
  readonly repositoryName: string;
  /** The per-environment release tag (`<env>-live`) the task definition names. */
  readonly releaseTag: string;
}

/** How a service may be rolled. */
export interface DeployPolicy {
  /** Scale to 0 and wait for zero tasks before starting the new one (singletons only). */
  readonly strictSingleton: boolean;
  readonly kind: ServiceKind;
}

/** One step of a deployment plan, executed in order. */
export type DeployAction =
  | { readonly type: 'move-release-tag'; readonly repositoryName: string; readonly tag: string; readonly digest: string }
  | { readonly type: 'scale-to-zero' }
  | { readonly type: 'wait-for-no-tasks' }
  | { readonly type: 'force-new-deployment' };

/** The ECS facts decisions about outcomes read (DescribeServices + the primary deployment's tasks). */
export interface ServiceSnapshot {
  readonly serviceName: string;
  readonly desiredCount: number;
  /** Tasks of the service not yet STOPPED. */
  readonly aliveTaskCount: number;
  readonly primaryDeploymentId?: string;
  readonly primaryRolloutState?: string;
  /** Digests the primary deployment's running tasks report (one entry per task). */
  readonly primaryTaskDigests: readonly string[];
  /** The service's most recent events, newest first. */
  readonly recentEvents: readonly string[];
  /** Deployments DescribeServices lists (PRIMARY and ACTIVE), with their rollout state. @default unknown */
  readonly deployments?: readonly DeploymentView[];
  /**
   * ECS task `healthStatus` of each running primary task, in the order of
   * {@link primaryTaskDigests}: HEALTHY, UNHEALTHY or UNKNOWN (no container
   * health check, or none passed yet). @default unknown
   */
  readonly primaryTaskHealth?: readonly string[];
  /** Whether a container of the primary deployment's task definition defines a health check. @default false */
  readonly healthChecked?: boolean;
}

/** One ECS deployment of a service as DescribeServices lists it. */
export interface DeploymentView {
  readonly id: string;
  readonly status: string;
  readonly rolloutState?: string;
  readonly rolloutStateReason?: string;
}

/** The `UpdateService` input a plan step becomes. */
export type UpdateServiceInput = UpdateServiceCommandInput;
