import type { EcsTaskStateChangeEvent, ImageBuiltDetail } from '../events';
import { requestFromImageBuilt } from '../ledger';
import type { Admission } from '../ledger';
import type { DeployDeps } from './deps';
import { reconcile } from './reconcile';
import type { ReconcileResult } from './reconcile';
import { targetOf } from './target';

/** How the ledger admitted a request: `apply-now` makes it the deployment in flight, the rest start nothing. */
export type AdmissionAction = 'apply-now' | 'ignored-duplicate' | 'ignored-older' | 'ignored-stale' | 'unchanged' | 'queued';

/** What deploy-services did with one `Portal Image Built`: the admission, then one reconcile of the environment. */
export interface DeployServicesResult {
  readonly action: AdmissionAction;
  readonly deploymentId: string;
  readonly reason: string;
  readonly reconcile: ReconcileResult;
}

/** What a nudge (an ECS, backup or schedule event) did: one reconcile per environment it concerns. */
export interface NudgeResult {
  readonly action: 'reconciled' | 'ignored';
  readonly reason: string;
  readonly reconciled: readonly ReconcileResult[];
}

/**
 * deploy-services for `Portal Image Built`: records the request in the
 * ledger (admission: apply now, queue, or ignore as older, duplicate, stale
 * or unchanged) and reconciles the environment, which starts whatever is to
 * start. `owner` is unique per invocation (see {@link reconcile}).
 *
 * @example
 * const result = await deployServices(ImageBuiltDetailSchema.parse(event.detail), `${event.id}/${randomUUID()}`, deps);
 */
export async function deployServices(detail: ImageBuiltDetail, owner: string, deps: DeployDeps, eventTime?: string): Promise<DeployServicesResult> {
  targetOf(detail.env, deps);
  const request = requestFromImageBuilt(detail, deps.clock(), eventTime);
  // Armed before the admission: a crash right after it leaves a deployment in flight that only the safety net would find.
  await deps.nudge?.arm(detail.env);
  const admission = await deps.ledger.admit(request, owner);
  return { action: admissionAction(admission), deploymentId: admission.deploymentId, reason: admission.reason, reconcile: await reconcile(detail.env, owner, deps) };
}

/** The result action of an admission. */
export function admissionAction(admission: Admission): AdmissionAction {
  switch (admission.kind) {
    case 'apply-now': return 'apply-now';
    case 'ignore-duplicate': return 'ignored-duplicate';
    case 'ignore-older': return 'ignored-older';
    case 'ignore-stale': return 'ignored-stale';
    case 'unchanged': return 'unchanged';
    case 'queue': return 'queued';
  }
}

/**
 * An `ECS Task State Change` of a managed service: nudges reconcile of the
 * environments whose target runs on that cluster and service (a strict
 * singleton waiting for zero tasks reads the tasks itself).
 *
 * @example
 * await nudgeOnTaskStateChange(EcsTaskStateChangeEventSchema.parse(event), owner, deps);
 */
export async function nudgeOnTaskStateChange(event: EcsTaskStateChangeEvent, owner: string, deps: DeployDeps): Promise<NudgeResult> {
  const service = event.detail.group?.startsWith('service:') ? event.detail.group.slice('service:'.length) : undefined;
  const cluster = event.detail.clusterArn.split('/').pop();
  const envs = Object.keys(deps.targets).filter((name) => deps.targets[name]!.service === service && deps.targets[name]!.cluster === cluster);
  if (envs.length === 0) return { action: 'ignored', reason: `task ${event.detail.taskArn} is not a task of a managed service`, reconciled: [] };
  return nudge(envs, owner, deps);
}

/**
 * Reconciles each environment once, in order. Used by every input that only
 * nudges: ECS deployment and task events, snapshot outcomes, stuck checks
 * and the safety-net schedule.
 *
 * @example
 * await nudge(['dev'], owner, deps); // { action: 'reconciled', reconciled: [{ env: 'dev', settled: 'idle', ... }] }
 */
export async function nudge(envs: readonly string[], owner: string, deps: DeployDeps): Promise<NudgeResult> {
  const reconciled: ReconcileResult[] = [];
  for (const env of envs) reconciled.push(await reconcile(env, owner, deps));
  return { action: 'reconciled', reason: `reconciled ${envs.join(', ')}`, reconciled };
}
