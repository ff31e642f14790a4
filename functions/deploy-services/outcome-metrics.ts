import type { DeployServicesResult, RestartResult, ResumeResult, SnapshotResumeResult, TrackResult } from '../../shared/deploy';

/** Powertools metric put once for every deployment the deploy functions mark stuck; the stack alarms on it. */
export const DEPLOYMENT_STUCK_METRIC = 'DeploymentStuck';

/**
 * Whether a deploy function's result marks a deployment stuck: it failed with
 * cause `stuck` (no terminal ECS event before its deadline). Other failures,
 * pending checks and ignored duplicates are not.
 *
 * @example
 * isStuckDeployment({ action: 'failed', deploymentId: 'd-1', cause: 'stuck', reason: '...' }) // true
 * isStuckDeployment({ action: 'pending', reason: '...' }) // false
 */
export function isStuckDeployment(result: DeployServicesResult | ResumeResult | TrackResult | RestartResult | SnapshotResumeResult): boolean {
  return result.action === 'failed' && 'cause' in result && result.cause === 'stuck';
}
