import type { DeployServicesResult, NudgeResult, ReconcileResult, RestartResult } from '../../shared/deploy';

/** Powertools metric put once for every deployment the deploy functions mark stuck; the stack alarms on it. */
export const DEPLOYMENT_STUCK_METRIC = 'DeploymentStuck';

/**
 * The outcome metrics of one invocation: `DeploymentSucceeded`,
 * `DeploymentFailed` and {@link DEPLOYMENT_STUCK_METRIC} once for each
 * deployment its reconciles finished (a stuck one counts as failed too).
 * Steps that lost to another reconcile, waits and admissions count nothing.
 *
 * @example
 * outcomeMetrics(result) // ['DeploymentFailed', 'DeploymentStuck']
 */
export function outcomeMetrics(result: DeployServicesResult | NudgeResult | RestartResult): string[] {
  const reconciled: readonly ReconcileResult[] = 'reconcile' in result ? [result.reconcile] : 'reconciled' in result ? result.reconciled : [];
  return reconciled.flatMap((r) => r.steps).flatMap((step) => {
    const completed = step.outcome.kind === 'done' ? step.outcome.completed : undefined;
    if (!completed) return [];
    if (completed.outcome === 'succeeded') return ['DeploymentSucceeded'];
    return completed.outcome === 'stuck' ? ['DeploymentFailed', DEPLOYMENT_STUCK_METRIC] : ['DeploymentFailed'];
  });
}

/**
 * Whether an invocation marked a deployment stuck (the stack's alarm counts these).
 *
 * @example
 * isStuckDeployment(result) // true when a reconcile step ended a deployment as stuck
 */
export function isStuckDeployment(result: DeployServicesResult | NudgeResult | RestartResult): boolean {
  return outcomeMetrics(result).includes(DEPLOYMENT_STUCK_METRIC);
}
