import { serviceFromArn } from '../events/deploy';
import type { EcsDeploymentStateChangeEvent } from '../events/deploy';
import { nudge } from './deploy-services';
import type { NudgeResult } from './deploy-services';
import type { DeployDeps } from './deps';
import { restartableServices } from './env';

/**
 * track-deployment: an `ECS Deployment State Change` of a service the
 * control plane deploys nudges reconcile of the environments on that
 * cluster that may roll it. The outcome is decided there from ECS's own view
 * of the service (`decideRollout`), whatever the event says and in whatever
 * order events arrive: a COMPLETED that arrived before the rollout was
 * recorded still ends the deployment as succeeded.
 *
 * @example
 * await trackDeployment(EcsDeploymentStateChangeEventSchema.parse(event), owner, deps);
 */
export async function trackDeployment(event: EcsDeploymentStateChangeEvent, owner: string, deps: DeployDeps): Promise<NudgeResult> {
  const arn = event.resources[0] ?? '';
  const named = serviceFromArn(arn);
  const envs = named ? Object.keys(deps.targets).filter((name) => deps.targets[name]!.cluster === named.cluster && restartableServices(deps.targets[name]!).includes(named.service)) : [];
  if (!named || envs.length === 0) return { action: 'ignored', reason: `${arn} is not a service the control plane deploys`, reconciled: [] };
  return nudge(envs, owner, deps);
}

/**
 * `Portal Stuck Check Due` (a deployment's deadline) and `Portal Reconcile
 * Due` (the safety-net nudge) reconcile their environment: past its deadline
 * a deployment is stuck unless ECS runs it healthily (see `nextStep`).
 *
 * @example
 * await reconcileDue({ env: 'dev' }, owner, deps);
 */
export async function reconcileDue(check: { env: string }, owner: string, deps: DeployDeps): Promise<NudgeResult> {
  if (!deps.targets[check.env]) return { action: 'ignored', reason: `environment ${check.env} is not one this function deploys`, reconciled: [] };
  return nudge([check.env], owner, deps);
}
