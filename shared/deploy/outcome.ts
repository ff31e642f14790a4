import type { EcsDeploymentStateChangeEvent, FailureCause } from '../events/deploy';
import type { ServiceSnapshot } from './types';

/** What a tracked deployment's ledger record says it is waiting for. */
export interface TrackedDeployment {
  readonly ecsDeploymentId: string;
  readonly digest: string;
}

/** The verdict on one `ECS Deployment State Change` for a tracked deployment. */
export type DeploymentVerdict =
  | { readonly kind: 'pending'; readonly reason: string }
  | { readonly kind: 'succeeded'; readonly reason: string }
  | { readonly kind: 'failed'; readonly cause: FailureCause; readonly reason: string };

const ROLLBACK = /rolling back|roll(ed)? back|circuit breaker/i;

/**
 * Decides, purely, what an ECS deployment event means for a tracked deployment:
 *
 * - success only for COMPLETED of that deployment id when the service's
 *   PRIMARY deployment is that id and every primary task runs the digest;
 * - FAILED of that id → `circuit-breaker`;
 * - another deployment starting or completing with a rollback reason →
 *   `rolled-back`; another deployment that became PRIMARY → `replaced`;
 * - anything else (in progress, late events of older deployments) → pending.
 *
 * @example
 * decideDeploymentOutcome(event.detail, { ecsDeploymentId: 'ecs-svc/1', digest }, snapshot).kind
 */
export function decideDeploymentOutcome(
  detail: EcsDeploymentStateChangeEvent['detail'], tracked: TrackedDeployment, snapshot: ServiceSnapshot,
): DeploymentVerdict {
  const ours = detail.deploymentId === tracked.ecsDeploymentId;
  const said = detail.reason ? `: ${detail.reason}` : '';
  if (ours) {
    if (detail.eventName === 'SERVICE_DEPLOYMENT_FAILED') return { kind: 'failed', cause: 'circuit-breaker', reason: `ECS deployment ${tracked.ecsDeploymentId} failed${said}` };
    if (detail.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS') return { kind: 'pending', reason: `ECS deployment ${tracked.ecsDeploymentId} in progress` };
    return completedVerdict(tracked, snapshot);
  }
  if (detail.eventName !== 'SERVICE_DEPLOYMENT_FAILED' && ROLLBACK.test(detail.reason)) {
    return { kind: 'failed', cause: 'rolled-back', reason: `ECS rolled ${tracked.ecsDeploymentId} back with deployment ${detail.deploymentId}${said}` };
  }
  if (snapshot.primaryDeploymentId !== undefined && snapshot.primaryDeploymentId !== tracked.ecsDeploymentId && detail.deploymentId === snapshot.primaryDeploymentId) {
    return { kind: 'failed', cause: 'replaced', reason: `deployment ${tracked.ecsDeploymentId} was replaced by ${detail.deploymentId} (${detail.eventName})` };
  }
  return { kind: 'pending', reason: `event of deployment ${detail.deploymentId}, tracking ${tracked.ecsDeploymentId}` };
}

/** COMPLETED of the tracked id: success only when ECS's own view agrees. */
function completedVerdict(tracked: TrackedDeployment, snapshot: ServiceSnapshot): DeploymentVerdict {
  const id = tracked.ecsDeploymentId;
  if (snapshot.primaryDeploymentId !== id) {
    return { kind: 'failed', cause: 'replaced', reason: `ECS reported ${id} COMPLETED but the PRIMARY deployment is ${snapshot.primaryDeploymentId ?? 'none'}` };
  }
  const others = snapshot.primaryTaskDigests.filter((d) => d !== tracked.digest);
  if (others.length > 0 || (snapshot.primaryTaskDigests.length === 0 && snapshot.desiredCount > 0)) {
    const found = snapshot.primaryTaskDigests.length === 0 ? 'no running task' : [...new Set(others)].join(', ');
    return { kind: 'failed', cause: 'digest-mismatch', reason: `ECS reported ${id} COMPLETED; expected its tasks to run ${tracked.digest}, found ${found}` };
  }
  return { kind: 'succeeded', reason: `ECS deployment ${id} completed on ${tracked.digest}` };
}
