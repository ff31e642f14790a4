import * as z from '../zod';

/** Detail-types of the control plane's deployment outcome events. */
export const DeployDetailType = {
  DeploymentSucceeded: 'Portal Deployment Succeeded',
  DeploymentFailed: 'Portal Deployment Failed',
  /** A deployment's one-shot stuck check is due (put on the bus by an EventBridge Scheduler schedule). */
  StuckCheckDue: 'Portal Stuck Check Due',
  /** The safety-net nudge of an environment (a recurring EventBridge Scheduler schedule while something is in flight). */
  ReconcileDue: 'Portal Reconcile Due',
} as const;

/** Detail of `Portal Reconcile Due`: the environment to reconcile. */
export const ReconcileDueDetailSchema = z.strictObject({ env: z.string().check(z.minLength(1)) });
/** Detail of `Portal Reconcile Due`. */
export type ReconcileDueDetail = z.infer<typeof ReconcileDueDetailSchema>;

/** Detail of `Portal Stuck Check Due`: the schedule's input. */
export const StuckCheckDueDetailSchema = z.strictObject({ env: z.string().check(z.minLength(1)), deploymentId: z.string().check(z.minLength(1)) });
/** Detail of `Portal Stuck Check Due`. */
export type StuckCheckDueDetail = z.infer<typeof StuckCheckDueDetailSchema>;

const DeploymentFields = {
  env: z.string().check(z.minLength(1)),
  deploymentId: z.string().check(z.minLength(1)),
  configHash: z.string().check(z.minLength(1)),
  digest: z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/)),
  imageUri: z.string().check(z.minLength(1)),
  key: z.string().check(z.minLength(1)),
  versionId: z.optional(z.string()),
  service: z.optional(z.string()),
  ecsDeploymentId: z.optional(z.string()),
};

/** Detail of `Portal Deployment Succeeded`. */
export const DeploymentSucceededDetailSchema = z.strictObject({ ...DeploymentFields, reason: z.optional(z.string()) });
/** Detail of `Portal Deployment Succeeded`. */
export type DeploymentSucceededDetail = z.infer<typeof DeploymentSucceededDetailSchema>;

/** Why a deployment is not a success. */
export const FailureCauseSchema = z.enum(['circuit-breaker', 'rolled-back', 'replaced', 'digest-mismatch', 'stuck', 'start-failed', 'snapshot-failed']);
/** Why a deployment is not a success. */
export type FailureCause = z.infer<typeof FailureCauseSchema>;

/** Detail of `Portal Deployment Failed`. */
export const DeploymentFailedDetailSchema = z.strictObject({
  ...DeploymentFields,
  cause: FailureCauseSchema,
  reason: z.string(),
  /** The digest the release tag points back at, when there was a last good one. */
  releaseDigest: z.optional(z.string()),
  serviceEvents: z.array(z.string()).check(z.maxLength(10)),
});
/** Detail of `Portal Deployment Failed`. */
export type DeploymentFailedDetail = z.infer<typeof DeploymentFailedDetailSchema>;

/** `eventName` values of ECS service deployment state change events. */
export const EcsDeploymentEventNameSchema = z.enum(['SERVICE_DEPLOYMENT_IN_PROGRESS', 'SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_DEPLOYMENT_FAILED']);

/**
 * `ECS Deployment State Change`, as ECS documents it: `resources` holds the
 * service ARN; `detail.deploymentId` names the deployment (`ecs-svc/...`);
 * a circuit-breaker rollback starts a new deployment whose `reason` says it
 * rolls back.
 */
export const EcsDeploymentStateChangeEventSchema = z.object({
  source: z.literal('aws.ecs'),
  'detail-type': z.literal('ECS Deployment State Change'),
  id: z.optional(z.string()),
  time: z.optional(z.string()),
  resources: z.array(z.string()).check(z.minLength(1)),
  detail: z.object({
    eventType: z.enum(['INFO', 'WARN', 'ERROR']),
    eventName: EcsDeploymentEventNameSchema,
    deploymentId: z.string().check(z.minLength(1)),
    updatedAt: z.optional(z.string()),
    reason: z._default(z.string(), ''),
  }),
});
/** `ECS Deployment State Change`, parsed. */
export type EcsDeploymentStateChangeEvent = z.infer<typeof EcsDeploymentStateChangeEventSchema>;

/** `ECS Task State Change` (the fields strict singleton deploys wait on). */
export const EcsTaskStateChangeEventSchema = z.object({
  source: z.literal('aws.ecs'),
  'detail-type': z.literal('ECS Task State Change'),
  id: z.optional(z.string()),
  detail: z.object({
    clusterArn: z.string().check(z.minLength(1)),
    taskArn: z.string().check(z.minLength(1)),
    /** `service:<name>` for tasks of a service. */
    group: z.optional(z.string()),
    lastStatus: z.string(),
    desiredStatus: z.optional(z.string()),
  }),
});
/** `ECS Task State Change`, parsed. */
export type EcsTaskStateChangeEvent = z.infer<typeof EcsTaskStateChangeEventSchema>;

/**
 * Cluster and service names of an ECS service ARN (long format
 * `arn:aws:ecs:region:account:service/cluster/service`).
 * Returns `undefined` for other ARNs.
 *
 * @example
 * serviceFromArn('arn:aws:ecs:eu-west-1:1:service/wicked/portal-api') // { cluster: 'wicked', service: 'portal-api' }
 */
export function serviceFromArn(arn: string): { cluster: string; service: string } | undefined {
  const match = /^arn:[^:]+:ecs:[^:]*:[^:]*:service\/([^/]+)\/([^/]+)$/.exec(arn);
  return match ? { cluster: match[1]!, service: match[2]! } : undefined;
}
