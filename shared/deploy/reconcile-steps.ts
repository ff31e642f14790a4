import { createHash } from 'node:crypto';
import { DeployDetailType } from '../events/deploy';
import type { DeploymentFailedDetail, DeploymentSucceededDetail, FailureCause } from '../events/deploy';
import { LeaseError } from '../ledger';
import type { DeploymentRequest, EnvironmentRecord, InFlight } from '../ledger';
import type { DeployDeps } from './deps';
import { releaseTagOf } from './env';
import type { DeployTarget } from './env';
import type { ReconcileAction } from './next-step';
import { planDeployment, toStartSingletonInput, toUpdateServiceInput } from './planner';
import { putOutcome } from './announce';
import { failSnapshotGate, preDeploySnapshotOn, reRequestGateSnapshot, requestGateSnapshot } from './snapshot-gate';
import type { ServiceSnapshot, ServiceState } from './types';

/** What one step did: `done` (the world moved), `lost` (another reconcile moved the ledger first; look again). */
export type StepOutcome =
  | { readonly kind: 'done'; readonly detail: string; readonly completed?: { readonly outcome: 'succeeded' | 'failed' | 'stuck'; readonly cause?: FailureCause } }
  | { readonly kind: 'lost'; readonly detail: string };

/**
 * Takes one step of the reconcile loop. A step whose ledger write loses to
 * another reconcile (a lease taken, a phase moved on) reports `lost` and the
 * loop reads the ledger again; nothing was half-done, since every AWS call of
 * a step is idempotent and repeated by whoever takes the step next.
 */
export async function applyStep(env: string, target: DeployTarget, record: EnvironmentRecord | undefined, action: ReconcileAction, owner: string, deps: DeployDeps): Promise<StepOutcome> {
  try {
    switch (action.kind) {
      case 'start-queued':
        await deps.ledger.acquireLease(env, action.deploymentId, owner);
        return { kind: 'done', detail: `lease of ${action.deploymentId} acquired` };
      case 'start': {
        const inFlight = action.takeover ? await deps.ledger.claim(env, action.deploymentId, owner) : record!.inFlight!;
        return await startStep(inFlight, target, owner, deps);
      }
      case 're-request-snapshot':
        return { kind: 'done', detail: `Portal Snapshot Requested ${await reRequestGateSnapshot(record!.inFlight!, deps)} again: ${action.reason}` };
      case 'resume-after-snapshot':
        await deps.ledger.resumeAfterSnapshot(env, action.deploymentId, owner, action.recoveryPointArns);
        return { kind: 'done', detail: `pre-deploy snapshot of ${action.deploymentId} completed` };
      case 'resume-after-drain':
        await deps.ledger.resume(env, action.deploymentId, owner);
        return { kind: 'done', detail: `every task of ${target.service} stopped` };
      case 'move-tag':
        await deps.ecr.moveTag(target.repositoryName, releaseTagOf(env, target), action.digest);
        return { kind: 'done', detail: `release tag moved to ${action.digest}: ${action.reason}` };
      case 'restore': {
        const request = rollbackRequest(env, target.service, action.failedId, record!.revision, action.digest, deps.clock());
        await deps.ledger.beginRestore(env, action.failedId, request, owner);
        return { kind: 'done', detail: `rollback ${request.deploymentId} of ${target.service} to ${action.digest} in flight: ${action.reason}` };
      }
      case 'settle-restore':
        await deps.ledger.settleRestore(env, action.failedId);
        return { kind: 'done', detail: action.reason };
      case 'start-singletons':
        // Idempotent: a duplicate or a stale decision writes 1 where 1 already is, which starts and restarts nothing.
        for (const service of action.services) await deps.ecs.updateService(toStartSingletonInput(target.cluster, service));
        return { kind: 'done', detail: `${action.services.join(', ')} set to desired count 1: ${action.reason}` };
      case 'succeed':
        return await succeedStep(env, record!.inFlight!, action.reason, target, owner, deps);
      case 'fail':
        return await failStep(env, record!, action, target, owner, deps);
      case 'announce':
        return await announceStep(env, action.deploymentId, owner, deps);
      case 'fail-gate': {
        const completion = await failSnapshotGate(record!, target, action.cause, action.reason, owner, deps);
        if (!completion) return { kind: 'lost', detail: `${action.deploymentId} no longer waits for its snapshot` };
        return { kind: 'done', detail: action.reason, completed: { outcome: action.cause === 'stuck' ? 'stuck' : 'failed', cause: action.cause } };
      }
      case 'idle':
      case 'wait':
        return { kind: 'done', detail: action.reason };
    }
  } catch (error) {
    if (error instanceof LeaseError) return { kind: 'lost', detail: error.message };
    throw error;
  }
}

/**
 * Starts a deployment whose lease `owner` holds: a restart forces a new ECS
 * deployment of its service; a gated config asks for its pre-deploy snapshot
 * first; otherwise the plan runs until ECS rolls (the ECS deployment is
 * recorded) or a strict singleton waits for its tasks to drain. When the
 * service already runs the digest, its primary deployment is adopted and the
 * loop decides from ECS whether it completed healthily.
 */
async function startStep(inFlight: InFlight, target: DeployTarget, owner: string, deps: DeployDeps): Promise<StepOutcome> {
  const { request } = inFlight;
  const { env, deploymentId } = request;
  if (request.kind === 'restart') {
    const service = request.service ?? target.service;
    if (service === target.service && target.strictSingleton) return strictRestartStep(inFlight, target, owner, deps);
    // A rollback brings portal-api (a singleton) back to one task, also when a failure left it at none.
    if (request.tag === ROLLBACK_TAG && service === target.service) {
      return record(request, service, await deps.ecs.updateService(toUpdateServiceInput(target.cluster, service, { type: 'force-new-deployment' }, 'singleton')), owner, deps);
    }
    // No desiredCount and no deployment configuration: the service keeps its own (a gateway its autoscaled count).
    return record(request, service, await deps.ecs.updateService({ cluster: target.cluster, service, forceNewDeployment: true }), owner, deps);
  }
  if (preDeploySnapshotOn(env, deps.preDeploySnapshot) && inFlight.recoveryPointArns === undefined) {
    await requestGateSnapshot(request, owner, deps);
    return { kind: 'done', detail: `${deploymentId} waits for its pre-deploy snapshot` };
  }
  const snapshot = await deps.ecs.describe(target.cluster, target.service);
  const releaseTag = releaseTagOf(env, target);
  const state = toServiceState(target, snapshot, await deps.ecr.resolveTag(target.repositoryName, releaseTag));
  const actions = planDeployment(state, { digest: request.digest, imageUri: request.imageUri, repositoryName: target.repositoryName, releaseTag }, { kind: 'singleton', strictSingleton: target.strictSingleton });
  for (const action of actions) {
    if (action.type === 'move-release-tag') await deps.ecr.moveTag(action.repositoryName, action.tag, action.digest);
    if (action.type === 'scale-to-zero') await deps.ecs.updateService(toUpdateServiceInput(target.cluster, target.service, action, 'singleton'));
    if (action.type === 'wait-for-no-tasks') {
      // The loop's next pass reads the tasks again: no re-check here, and none needed.
      const until = deps.clock() + deps.waitForZeroMs;
      await deps.ledger.recordWaiting(env, deploymentId, owner, until);
      await deps.scheduler?.scheduleStuckCheck({ env, deploymentId, at: new Date(until) });
      return { kind: 'done', detail: `${target.service} scaled to zero; waiting for its tasks to stop` };
    }
    if (action.type === 'force-new-deployment') {
      return record(request, target.service, await deps.ecs.updateService(toUpdateServiceInput(target.cluster, target.service, action, 'singleton')), owner, deps);
    }
  }
  if (!snapshot.primaryDeploymentId) return { kind: 'done', detail: `${target.service} has no primary deployment to adopt` };
  return record(request, target.service, snapshot.primaryDeploymentId, owner, deps, `service ${target.service} already runs ${request.digest}: adopted ${snapshot.primaryDeploymentId}`);
}

/**
 * A restart of a strict singleton: like a strict deployment of the digest it
 * runs (scale to 0, wait until no task is alive, then one new task), since
 * ECS alone may start the new task while the old one is still stopping.
 */
async function strictRestartStep(inFlight: InFlight, target: DeployTarget, owner: string, deps: DeployDeps): Promise<StepOutcome> {
  const { request } = inFlight;
  const snapshot = await deps.ecs.describe(target.cluster, target.service);
  if (snapshot.desiredCount > 0 || snapshot.aliveTaskCount > 0) {
    if (snapshot.desiredCount > 0) await deps.ecs.updateService(toUpdateServiceInput(target.cluster, target.service, { type: 'scale-to-zero' }, 'singleton'));
    const until = deps.clock() + deps.waitForZeroMs;
    await deps.ledger.recordWaiting(request.env, request.deploymentId, owner, until);
    await deps.scheduler?.scheduleStuckCheck({ env: request.env, deploymentId: request.deploymentId, at: new Date(until) });
    return { kind: 'done', detail: `${target.service} scaled to zero for its restart; waiting for its tasks to stop` };
  }
  return record(request, target.service, await deps.ecs.updateService(toUpdateServiceInput(target.cluster, target.service, { type: 'force-new-deployment' }, 'singleton')), owner, deps);
}

/** Records the ECS deployment that rolls `request` (the loop then decides its outcome from ECS) and arms the stuck deadline. */
async function record(request: DeploymentRequest, service: string, ecsDeploymentId: string, owner: string, deps: DeployDeps, detail?: string): Promise<StepOutcome> {
  const until = deps.clock() + deps.stuckAfterMs;
  await deps.ledger.recordEcsDeployment(request.env, request.deploymentId, owner, { service, ecsDeploymentId }, until);
  await deps.scheduler?.scheduleStuckCheck({ env: request.env, deploymentId: request.deploymentId, at: new Date(until) });
  return { kind: 'done', detail: detail ?? `ECS deployment ${ecsDeploymentId} of ${service} rolls ${request.deploymentId}` };
}

/**
 * An end another invocation left in the outbox (it died before making it known, or it was a change without an
 * announcement): claimed, then made known. `lost` when another invocation holds it or it is gone.
 */
async function announceStep(env: string, deploymentId: string, owner: string, deps: DeployDeps): Promise<StepOutcome> {
  const entry = await deps.ledger.claimOutbox(env, deploymentId, owner);
  if (!entry) return { kind: 'lost', detail: `the end of ${deploymentId} is being made known by another invocation, or is known` };
  await putOutcome(env, entry, deps, true);
  return { kind: 'done', detail: `the end of ${deploymentId} (${entry.change.state}) made known` };
}

/** Records success (the last good digest moves, unless a restart) and puts `Portal Deployment Succeeded`. */
async function succeedStep(env: string, inFlight: InFlight, reason: string, target: DeployTarget, owner: string, deps: DeployDeps): Promise<StepOutcome> {
  const { request } = inFlight;
  const service = inFlight.service ?? target.service;
  const snapshotEvents = await deps.ecs.describe(target.cluster, service).then((s) => s.recentEvents, () => []);
  const announcement = { event: { detailType: DeployDetailType.DeploymentSucceeded, detail: { ...succeededDetail(request, service, inFlight.ecsDeploymentId, reason) } } };
  const completion = await deps.ledger.complete(env, request.deploymentId, { kind: 'succeeded', reason, serviceEvents: snapshotEvents, announce: { announcement, owner } });
  if (!completion.completed) return { kind: 'lost', detail: `${request.deploymentId} was already finished` };
  await putOutcome(env, completion.entry!, deps, false);
  return { kind: 'done', detail: reason, completed: { outcome: 'succeeded' } };
}

/** Release tag back to the last good digest, ledger, `Portal Deployment Failed`, notification. */
async function failStep(env: string, record: EnvironmentRecord, action: Extract<ReconcileAction, { kind: 'fail' }>, target: DeployTarget, owner: string, deps: DeployDeps): Promise<StepOutcome> {
  const inFlight = record.inFlight!;
  const { request } = inFlight;
  const service = inFlight.service ?? target.service;
  const serviceEvents = await deps.ecs.describe(target.cluster, service).then((s: ServiceSnapshot) => s.recentEvents, () => []);
  const lastGood = record.lastGood;
  // The tag moves before the ledger completes: a crash in between is retried and the move is idempotent.
  // A restart never moved it: portal-api's release stays where it is.
  if (action.restoreTag && request.kind !== 'restart' && lastGood && lastGood.digest !== request.digest) await deps.ecr.moveTag(target.repositoryName, releaseTagOf(env, target), lastGood.digest);
  const stuck = action.cause === 'stuck';
  // Whatever touched the deployed service may leave ECS off the last good digest: the loop watches until it runs it.
  const unsettled = request.kind !== 'restart' || service === target.service;
  const detail: DeploymentFailedDetail = {
    env, deploymentId: request.deploymentId, configHash: request.configHash, digest: request.digest, imageUri: request.imageUri, key: request.key,
    versionId: request.versionId, service, ecsDeploymentId: inFlight.ecsDeploymentId, cause: action.cause, reason: action.reason,
    releaseDigest: lastGood?.digest, serviceEvents: serviceEvents.slice(0, 10),
  };
  const notification = {
    subject: `wicked ${env}: deployment ${request.deploymentId} ${action.cause}`.slice(0, 100),
    message: `${action.reason}\n${request.kind === 'restart'
      ? `restart of ${service} on ${request.digest}; release ${releaseTagOf(env, target)} untouched`
      : `config ${request.configHash} (s3://${request.bucket}/${request.key}${request.versionId ? `@${request.versionId}` : ''}), image ${request.digest}\nrelease ${releaseTagOf(env, target)} → ${lastGood?.digest ?? 'unchanged (no last good deployment)'}`}\n${serviceEvents.slice(0, 5).join('\n')}`,
    attributes: { env, outcome: stuck ? 'stuck' : 'failed', deploymentId: request.deploymentId, cause: action.cause },
  };
  const announcement = { event: { detailType: DeployDetailType.DeploymentFailed, detail: { ...detail } }, notification };
  const completion = await deps.ledger.complete(env, request.deploymentId, { kind: stuck ? 'stuck' : 'failed', reason: action.reason, serviceEvents, unsettled, announce: { announcement, owner } });
  if (!completion.completed) return { kind: 'lost', detail: `${request.deploymentId} was already finished` };
  await putOutcome(env, completion.entry!, deps, false);
  return { kind: 'done', detail: action.reason, completed: { outcome: stuck ? 'stuck' : 'failed', cause: action.cause } };
}

/** The `tag` of a rollback's ledger request (a restart's is `restart`). */
export const ROLLBACK_TAG = 'rollback';

/**
 * The ledger request of a rollback after `failedId`, purely: a `restart` of
 * the deployed service tracked against the last good digest (a forced new
 * deployment pins the release tag, which names it; a strict singleton drains
 * first), so it needs no machinery of its own and leaves the release tag and
 * the last good deployment alone. The id is derived from the failed
 * deployment and the ledger revision read: two reconciles racing build the
 * same request, and one wins the conditional write.
 *
 * @example
 * rollbackRequest('dev', 'portal-api', 'd-3f2a', 7, digest, Date.now()) // { deploymentId: 'rb-…', kind: 'restart', service: 'portal-api', digest, ... }
 */
export function rollbackRequest(env: string, service: string, failedId: string, revision: number, digest: string, now: number): DeploymentRequest {
  const id = createHash('sha256').update(`${env}\0${failedId}\0${revision}\0`).digest('hex').slice(0, 20);
  return {
    // Like a restart's record: no config archive ('-', restart-service's RESTART_NO_CONFIG).
    deploymentId: `rb-${id}`, env, kind: 'restart', service, configHash: '-', bucket: '-', key: `restart/${service}`,
    digest, imageUri: `${service}@${digest}`, tag: ROLLBACK_TAG, receivedAt: new Date(now).toISOString(),
  };
}

/** The detail of `Portal Deployment Succeeded`. */
export function succeededDetail(request: DeploymentRequest, service: string, ecsDeploymentId: string | undefined, reason: string): DeploymentSucceededDetail {
  return {
    env: request.env, deploymentId: request.deploymentId, configHash: request.configHash, digest: request.digest, imageUri: request.imageUri,
    key: request.key, versionId: request.versionId, service, ecsDeploymentId, reason,
  };
}

/** The planner's view of a service: one digest when every primary task runs the same. */
function toServiceState(target: DeployTarget, snapshot: ServiceSnapshot, releaseTagDigest: string | undefined): ServiceState {
  const digests = new Set(snapshot.primaryTaskDigests);
  return {
    cluster: target.cluster, serviceName: target.service, desiredCount: snapshot.desiredCount, aliveTaskCount: snapshot.aliveTaskCount,
    primaryDigest: digests.size === 1 ? [...digests][0] : undefined, releaseTagDigest,
  };
}
