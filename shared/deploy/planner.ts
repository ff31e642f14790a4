import type { DeployAction, DeployPolicy, DesiredImage, ServiceState, UpdateServiceInput } from './types';

/**
 * Plans a deployment, purely: what must happen so that `current` runs
 * `desired.digest` under `policy`.
 *
 * - The release tag moves only when it points elsewhere.
 * - A service already running the digest is never restarted (a later
 *   `cdk deploy` or a duplicate event restarts nothing).
 * - A strict singleton scales to 0, waits until no task is alive, then starts
 *   one; steps already done (desired 0, no task alive) are skipped, so a plan
 *   re-made after a wait continues where it stopped.
 *
 * @example
 * planDeployment(state, { digest, imageUri, repositoryName: 'portal-api', releaseTag: 'dev-live' }, { strictSingleton: false, kind: 'singleton' })
 * // [{ type: 'move-release-tag', ... }, { type: 'force-new-deployment' }]
 */
export function planDeployment(current: ServiceState, desired: DesiredImage, policy: DeployPolicy): DeployAction[] {
  const actions: DeployAction[] = [];
  if (current.releaseTagDigest !== desired.digest) {
    actions.push({ type: 'move-release-tag', repositoryName: desired.repositoryName, tag: desired.releaseTag, digest: desired.digest });
  }
  if (current.primaryDigest === desired.digest) return actions;
  if (policy.kind === 'singleton' && policy.strictSingleton) {
    if (current.desiredCount > 0) actions.push({ type: 'scale-to-zero' });
    if (current.desiredCount > 0 || current.aliveTaskCount > 0) actions.push({ type: 'wait-for-no-tasks' });
  }
  actions.push({ type: 'force-new-deployment' });
  return actions;
}

/**
 * The `UpdateService` input of a plan step. Singletons get minimum healthy 0,
 * maximum 100 and desired 1 (0 for `scale-to-zero`); a gateway never gets a
 * `desiredCount` (its autoscaler owns it) nor a deployment configuration.
 *
 * @example
 * toUpdateServiceInput('wicked', 'kong', { type: 'force-new-deployment' }, 'gateway')
 * // { cluster: 'wicked', service: 'kong', forceNewDeployment: true }
 */
export function toUpdateServiceInput(
  cluster: string, service: string, action: Extract<DeployAction, { type: 'scale-to-zero' | 'force-new-deployment' }>, kind: DeployPolicy['kind'],
): UpdateServiceInput {
  if (kind === 'gateway') {
    if (action.type === 'scale-to-zero') throw new RangeError(`scaling gateway ${service} to zero: expected a singleton, a gateway's desired count belongs to its autoscaler`);
    return { cluster, service, forceNewDeployment: true };
  }
  const deploymentConfiguration = { minimumHealthyPercent: 0, maximumPercent: 100 };
  if (action.type === 'scale-to-zero') return { cluster, service, desiredCount: 0, deploymentConfiguration };
  return { cluster, service, desiredCount: 1, forceNewDeployment: true, deploymentConfiguration };
}

/**
 * The `UpdateService` input that brings a singleton other than portal-api up
 * from no task to one: only `desiredCount: 1`. No forced deployment (a
 * running task is never replaced by it; the service scheduler starts a task
 * of the current task definition when the count rises, AWS ECS API
 * reference, `UpdateService` `desiredCount`), no deployment configuration
 * (the stack's 0 %/100 % stays). Never for a gateway, whose count belongs to
 * its autoscaler.
 *
 * @example
 * toStartSingletonInput('wicked', 'portal-kong-adapter') // { cluster: 'wicked', service: 'portal-kong-adapter', desiredCount: 1 }
 */
export function toStartSingletonInput(cluster: string, service: string): UpdateServiceInput {
  return { cluster, service, desiredCount: 1 };
}
