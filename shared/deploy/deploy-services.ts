import type { EcsTaskStateChangeEvent, ImageBuiltDetail } from '../events';
import { DeployDetailType } from '../events/deploy';
import type { DeploymentSucceededDetail } from '../events/deploy';
import { LeaseError, requestFromImageBuilt } from '../ledger';
import type { Admission, Completion, DeploymentRequest, InFlight } from '../ledger';
import type { DeployDeps } from './deps';
import { DeployError } from './errors';
import { releaseTagOf } from './env';
import type { DeployTarget } from './env';
import { planDeployment, toUpdateServiceInput } from './planner';
import { failSnapshotGate, gateVerdictOf, preDeploySnapshotOn, requestGateSnapshot } from './snapshot-gate';
import type { GateVerdict } from './snapshot-gate';
import { startRestart } from './restart-service';
import type { DeployAction, ServiceSnapshot, ServiceState } from './types';

/** What starting a deployment did. */
export type StartResult =
  | { readonly action: 'rolling'; readonly deploymentId: string; readonly ecsDeploymentId: string; readonly actions: readonly DeployAction[] }
  | { readonly action: 'waiting-for-zero'; readonly deploymentId: string; readonly aliveTasks: number; readonly actions: readonly DeployAction[] }
  | { readonly action: 'already-running'; readonly deploymentId: string; readonly actions: readonly DeployAction[]; readonly next?: NextResult }
  | { readonly action: 'awaiting-snapshot'; readonly deploymentId: string; readonly snapshotRequestId: string; readonly reason: string }
  | { readonly action: 'snapshot-failed'; readonly deploymentId: string; readonly reason: string; readonly next?: NextResult };

/** What happened to the queued deployment after one finished. */
export type NextResult = StartResult | { readonly action: 'next-not-started'; readonly deploymentId: string; readonly reason: string };

/** What deploy-services did with one `Portal Image Built`. */
export type DeployServicesResult =
  | { readonly action: 'ignored-duplicate' | 'ignored-older' | 'ignored-stale' | 'unchanged' | 'queued'; readonly deploymentId: string; readonly reason: string }
  | StartResult;

/** What a task state change did to a strict singleton deployment. */
export type ResumeResult = { readonly action: 'ignored' | 'still-waiting'; readonly reason: string } | StartResult;

/**
 * deploy-services: admits a built image into the ledger and, when it holds
 * the lease, rolls the environment's service. `eventId` (the EventBridge
 * event id, stable across retries) owns the lease, so a retried invocation
 * resumes its own start.
 *
 * @example
 * const result = await deployServices(ImageBuiltDetailSchema.parse(event.detail), event.id, deps);
 */
export async function deployServices(detail: ImageBuiltDetail, eventId: string, deps: DeployDeps): Promise<DeployServicesResult> {
  targetOf(detail.env, deps);
  const request = requestFromImageBuilt(detail, deps.clock());
  const admission = await deps.ledger.admit(request, eventId);
  return admission.kind === 'apply-now' ? beginDeployment(request, eventId, deps) : admissionResult(admission);
}

/** The result of an admission that starts nothing; `apply-now` is the caller's to start. */
export function admissionResult(admission: Admission): DeployServicesResult {
  const summary = { deploymentId: admission.deploymentId, reason: admission.reason };
  switch (admission.kind) {
    case 'ignore-duplicate': return { action: 'ignored-duplicate', ...summary };
    case 'ignore-older': return { action: 'ignored-older', ...summary };
    case 'ignore-stale': return { action: 'ignored-stale', ...summary };
    case 'unchanged': return { action: 'unchanged', ...summary };
    case 'queue': return { action: 'queued', ...summary };
    case 'apply-now': throw new RangeError(`admission of ${admission.deploymentId}: apply-now starts a deployment, expected one that starts nothing`);
  }
}

/**
 * Starts a deployment whose lease `owner` holds: with the pre-deploy gate on
 * for its environment it only asks for the snapshot and waits (no ECS or ECR
 * change yet); otherwise it rolls at once.
 */
export async function beginDeployment(request: DeploymentRequest, owner: string, deps: DeployDeps): Promise<StartResult> {
  const target = targetOf(request.env, deps);
  // A restart changes no configuration and leaves portal-api's data as it is: it is not gated.
  if (request.kind === 'restart' || !preDeploySnapshotOn(request.env, deps.preDeploySnapshot)) return startDeployment(request, owner, deps);
  const inFlight = await requestGateSnapshot(request, owner, deps);
  // The snapshot may have ended before the wait was recorded, and its outcome event been ignored as "nothing waiting": look now.
  return continueAfterSnapshot(inFlight, target, await gateVerdictOf(request.env, request.deploymentId, deps), owner, deps);
}

/**
 * Acts on the gate's verdict for a deployment waiting for its snapshot:
 * waits, fails it (nothing changed, environment released, the queued one
 * next), or claims the continuation (one caller wins) and rolls.
 */
export async function continueAfterSnapshot(inFlight: InFlight, target: DeployTarget, verdict: GateVerdict, owner: string, deps: DeployDeps): Promise<StartResult> {
  const { deploymentId, env } = inFlight.request;
  const snapshotRequestId = inFlight.snapshotRequestId ?? '';
  if (verdict.kind === 'wait') return { action: 'awaiting-snapshot', deploymentId, snapshotRequestId, reason: verdict.reason };
  if (verdict.kind === 'fail') {
    const completion = await failSnapshotGate(inFlight, target, 'snapshot-failed', verdict.reason, deps);
    if (!completion) return { action: 'awaiting-snapshot', deploymentId, snapshotRequestId, reason: `${deploymentId} is no longer waiting for its snapshot` };
    return { action: 'snapshot-failed', deploymentId, reason: verdict.reason, next: await startNext(completion, owner, deps) };
  }
  try {
    await deps.ledger.resumeAfterSnapshot(env, deploymentId, owner, verdict.recoveryPointArns);
  } catch (error) {
    if (error instanceof LeaseError) return { action: 'awaiting-snapshot', deploymentId, snapshotRequestId, reason: `another event resumed ${deploymentId}: ${error.message}` };
    throw error;
  }
  return startDeployment(inFlight.request, owner, deps);
}

/**
 * Rolls a deployment whose lease `owner` holds: reads the service and the
 * release tag, plans, and executes the plan until ECS rolls, a strict
 * singleton waits for its tasks to drain, or nothing was left to do.
 */
export async function startDeployment(request: DeploymentRequest, owner: string, deps: DeployDeps): Promise<StartResult> {
  if (request.kind === 'restart') return startRestart(request, owner, deps);
  const target = targetOf(request.env, deps);
  const snapshot = await deps.ecs.describe(target.cluster, target.service);
  const releaseTag = releaseTagOf(request.env, target);
  const state = toServiceState(target, snapshot, await deps.ecr.resolveTag(target.repositoryName, releaseTag));
  const actions = planDeployment(state, { digest: request.digest, imageUri: request.imageUri, repositoryName: target.repositoryName, releaseTag }, { kind: 'singleton', strictSingleton: target.strictSingleton });
  const { deploymentId, env } = request;
  for (const action of actions) {
    if (action.type === 'move-release-tag') await deps.ecr.moveTag(action.repositoryName, action.tag, action.digest);
    if (action.type === 'scale-to-zero') await deps.ecs.updateService(toUpdateServiceInput(target.cluster, target.service, action, 'singleton'));
    if (action.type === 'wait-for-no-tasks') {
      const alive = await deps.ecs.aliveTasks(target.cluster, target.service);
      if (alive.length > 0) {
        const until = deps.clock() + deps.waitForZeroMs;
        await deps.ledger.recordWaiting(env, deploymentId, owner, until);
        await deps.scheduler?.scheduleStuckCheck({ env, deploymentId, at: new Date(until) });
        // The last task may have stopped between the check above and the record, and its
        // ECS Task State Change been ignored as "nothing waiting": look again, or wait forever.
        if ((await deps.ecs.aliveTasks(target.cluster, target.service)).length === 0 && (await resumeOwn(env, deploymentId, owner, deps))) {
          return startDeployment(request, owner, deps);
        }
        return { action: 'waiting-for-zero', deploymentId, aliveTasks: alive.length, actions };
      }
    }
    if (action.type === 'force-new-deployment') {
      const ecsDeploymentId = await deps.ecs.updateService(toUpdateServiceInput(target.cluster, target.service, action, 'singleton'));
      const until = deps.clock() + deps.stuckAfterMs;
      await deps.ledger.recordEcsDeployment(env, deploymentId, owner, { service: target.service, ecsDeploymentId }, until);
      await deps.scheduler?.scheduleStuckCheck({ env, deploymentId, at: new Date(until) });
      return { action: 'rolling', deploymentId, ecsDeploymentId, actions };
    }
  }
  const reason = `service ${target.service} already runs ${request.digest}`;
  const completion = await deps.ledger.complete(env, deploymentId, { kind: 'succeeded', reason });
  if (completion.completed) await deps.events.publish(DeployDetailType.DeploymentSucceeded, succeededDetail(request, target.service, undefined, reason));
  return { action: 'already-running', deploymentId, actions, next: await startNext(completion, owner, deps) };
}

/** Starts the queued deployment a completion handed over, unless another invocation got there first. */
export async function startNext(completion: Completion, owner: string, deps: DeployDeps): Promise<NextResult | undefined> {
  const next = completion.next;
  if (!next) return undefined;
  try {
    await deps.ledger.acquireLease(next.env, next.deploymentId, owner);
  } catch (error) {
    if (error instanceof LeaseError) return { action: 'next-not-started', deploymentId: next.deploymentId, reason: error.message };
    throw error;
  }
  return beginDeployment(next, owner, deps);
}

/** Takes a waiting deployment back; false when a concurrent task event resumed it first. */
async function resumeOwn(env: string, deploymentId: string, owner: string, deps: DeployDeps): Promise<boolean> {
  try {
    await deps.ledger.resume(env, deploymentId, owner);
    return true;
  } catch (error) {
    if (error instanceof LeaseError) return false;
    throw error;
  }
}

/**
 * Continues a strict singleton deployment when an `ECS Task State Change`
 * shows a task of its service stopped and no task is alive any more. One of
 * several concurrent events wins the continuation.
 */
export async function resumeStrictDeployment(event: EcsTaskStateChangeEvent, eventId: string, deps: DeployDeps): Promise<ResumeResult> {
  const service = event.detail.group?.startsWith('service:') ? event.detail.group.slice('service:'.length) : undefined;
  const cluster = event.detail.clusterArn.split('/').pop();
  const env = Object.keys(deps.targets).find((name) => deps.targets[name]!.service === service && deps.targets[name]!.cluster === cluster);
  if (!env || event.detail.lastStatus !== 'STOPPED') return { action: 'ignored', reason: `task ${event.detail.taskArn} (${event.detail.lastStatus}) is not a stopped task of a managed service` };
  const inFlight = (await deps.ledger.getEnvironment(env))?.inFlight;
  if (inFlight?.phase !== 'waiting-for-zero') return { action: 'ignored', reason: `no deployment of ${env} is waiting for zero tasks` };
  const target = targetOf(env, deps);
  const alive = await deps.ecs.aliveTasks(target.cluster, target.service);
  if (alive.length > 0) return { action: 'still-waiting', reason: `${alive.length} task(s) of ${target.service} still alive` };
  try {
    await deps.ledger.resume(env, inFlight.request.deploymentId, eventId);
  } catch (error) {
    if (error instanceof LeaseError) return { action: 'ignored', reason: error.message };
    throw error;
  }
  return startDeployment(inFlight.request, eventId, deps);
}

/** The detail of `Portal Deployment Succeeded`. */
export function succeededDetail(request: DeploymentRequest, service: string, ecsDeploymentId: string | undefined, reason: string): DeploymentSucceededDetail {
  return {
    env: request.env, deploymentId: request.deploymentId, configHash: request.configHash, digest: request.digest, imageUri: request.imageUri,
    key: request.key, versionId: request.versionId, service, ecsDeploymentId, reason,
  };
}

/** The target of an environment; throws `UNKNOWN_ENVIRONMENT` naming the known ones. */
export function targetOf(env: string, deps: Pick<DeployDeps, 'targets'>): DeployTarget {
  const target = deps.targets[env];
  if (!target) throw new DeployError('UNKNOWN_ENVIRONMENT', `deploying to environment ${env}: expected one of ${Object.keys(deps.targets).join(', ') || 'no configured environment'}`, { context: { env } });
  return target;
}

/** The planner's view of a service: one digest when every primary task runs the same. */
function toServiceState(target: DeployTarget, snapshot: ServiceSnapshot, releaseTagDigest: string | undefined): ServiceState {
  const digests = new Set(snapshot.primaryTaskDigests);
  return {
    cluster: target.cluster, serviceName: target.service, desiredCount: snapshot.desiredCount, aliveTaskCount: snapshot.aliveTaskCount,
    primaryDigest: digests.size === 1 ? [...digests][0] : undefined, releaseTagDigest,
  };
}
