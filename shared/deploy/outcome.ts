import type { FailureCause } from '../events/deploy';
import type { ServiceSnapshot } from './types';

/** What a tracked deployment's ledger record says it is waiting for. */
export interface TrackedDeployment {
  readonly ecsDeploymentId: string;
  readonly digest: string;
}

/** The verdict on a tracked deployment from ECS's own view of its service. */
export type DeploymentVerdict =
  | { readonly kind: 'pending'; readonly reason: string }
  | { readonly kind: 'succeeded'; readonly reason: string }
  | { readonly kind: 'failed'; readonly cause: FailureCause; readonly reason: string };

const ROLLBACK = /rolling back|roll(ed)? back|circuit breaker/i;

/**
 * Decides, purely and from the service as DescribeServices/DescribeTasks show
 * it now (never from which event arrived), what became of a tracked ECS
 * deployment:
 *
 * - the PRIMARY deployment is ours and its `rolloutState` is COMPLETED: success
 *   when every running primary task runs the digest and, when the task
 *   definition defines a container health check, every one is HEALTHY
 *   (otherwise `digest-mismatch`, or pending while health is not yet known);
 * - ours is PRIMARY and FAILED → `circuit-breaker`;
 * - another deployment is PRIMARY: ours FAILED, or a rollback named in the
 *   service's events → `rolled-back`; otherwise `replaced`;
 * - anything else (IN_PROGRESS) → pending.
 *
 * Sources: AWS ECS API reference, `Deployment.rolloutState` ("COMPLETED:
 * the deployment has completed successfully", "FAILED") and `Task.healthStatus`
 * ("If no health checks are defined, the task's health status is UNKNOWN");
 * AWS docs "How the Amazon ECS deployment circuit breaker detects failures"
 * (a failed deployment is rolled back to the last COMPLETED one).
 *
 * @example
 * decideRollout({ ecsDeploymentId: 'ecs-svc/1', digest }, snapshot).kind // 'succeeded' | 'failed' | 'pending'
 */
export function decideRollout(tracked: TrackedDeployment, snapshot: ServiceSnapshot): DeploymentVerdict {
  const id = tracked.ecsDeploymentId;
  const ours = snapshot.deployments?.find((d) => d.id === id);
  const said = ours?.rolloutStateReason ? `: ${ours.rolloutStateReason}` : '';
  if (snapshot.primaryDeploymentId === id) {
    const state = snapshot.primaryRolloutState ?? ours?.rolloutState;
    if (state === 'FAILED') return { kind: 'failed', cause: 'circuit-breaker', reason: `ECS deployment ${id} failed${said}` };
    if (state === 'COMPLETED') return completedVerdict(tracked, snapshot);
    return { kind: 'pending', reason: `ECS deployment ${id} is ${state ?? 'in progress'}` };
  }
  const primary = snapshot.primaryDeploymentId ?? 'none';
  const primaryReason = snapshot.deployments?.find((d) => d.id === primary)?.rolloutStateReason ?? '';
  // The circuit breaker's rollback deployment says so in its rolloutStateReason ("ECS deployment circuit breaker: rolling back to deploymentId ...").
  const failedEvent = (event: string): boolean => event.includes(id) && (ROLLBACK.test(event) || /deployment failed/i.test(event));
  if (ours?.rolloutState === 'FAILED' || ROLLBACK.test(primaryReason) || snapshot.recentEvents.some(failedEvent)) {
    return { kind: 'failed', cause: 'rolled-back', reason: `ECS rolled ${id} back with deployment ${primary}${said}` };
  }
  return { kind: 'failed', cause: 'replaced', reason: `deployment ${id} was replaced by ${primary}` };
}

/** COMPLETED of the tracked id: success only when the tasks run the digest and, when checked, are healthy. */
function completedVerdict(tracked: TrackedDeployment, snapshot: ServiceSnapshot): DeploymentVerdict {
  const id = tracked.ecsDeploymentId;
  const others = snapshot.primaryTaskDigests.filter((d) => d !== tracked.digest);
  if (others.length > 0 || (snapshot.primaryTaskDigests.length === 0 && snapshot.desiredCount > 0)) {
    const found = snapshot.primaryTaskDigests.length === 0 ? 'no running task' : [...new Set(others)].join(', ');
    return { kind: 'failed', cause: 'digest-mismatch', reason: `ECS reported ${id} COMPLETED; expected its tasks to run ${tracked.digest}, found ${found}` };
  }
  const health = snapshot.primaryTaskHealth ?? [];
  if (health.includes('UNHEALTHY')) return { kind: 'pending', reason: `ECS reported ${id} COMPLETED but a task is UNHEALTHY; ECS replaces it` };
  if (snapshot.healthChecked && health.some((status) => status !== 'HEALTHY')) {
    return { kind: 'pending', reason: `ECS reported ${id} COMPLETED; waiting for its tasks' health checks (${health.join(', ')})` };
  }
  return { kind: 'succeeded', reason: `ECS deployment ${id} completed on ${tracked.digest}` };
}

/**
 * Whether ECS runs `digest` healthily on the service now: its primary
 * deployment's running tasks all run it, at least the desired count of them,
 * none UNHEALTHY and, with a health check, all HEALTHY. A stuck deployment in
 * this state is not failed and its release tag is not moved away.
 *
 * @example
 * runsHealthily(snapshot, digest) // true when nothing is to be put back
 */
export function runsHealthily(snapshot: ServiceSnapshot, digest: string): boolean {
  const digests = snapshot.primaryTaskDigests;
  const health = snapshot.primaryTaskHealth ?? [];
  if (digests.length === 0 || digests.length < snapshot.desiredCount || digests.some((d) => d !== digest)) return false;
  if (health.includes('UNHEALTHY')) return false;
  return !snapshot.healthChecked || (health.length === digests.length && health.every((status) => status === 'HEALTHY'));
}
