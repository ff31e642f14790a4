import { DeployDetailType, serviceFromArn } from '../events/deploy';
import type { DeploymentFailedDetail, EcsDeploymentStateChangeEvent, FailureCause } from '../events/deploy';
import type { InFlight } from '../ledger';
import { startNext, succeededDetail, targetOf } from './deploy-services';
import type { NextResult } from './deploy-services';
import type { DeployDeps } from './deps';
import { releaseTagOf, restartableServices } from './env';
import { decideDeploymentOutcome } from './outcome';
import { failSnapshotGate } from './snapshot-gate';

/** What track-deployment did with one event. */
export type TrackResult =
  | { readonly action: 'ignored' | 'pending'; readonly reason: string }
  | { readonly action: 'succeeded'; readonly deploymentId: string; readonly reason: string; readonly next?: NextResult }
  | { readonly action: 'failed'; readonly deploymentId: string; readonly cause: FailureCause; readonly reason: string; readonly releaseDigest?: string; readonly next?: NextResult };

/**
 * track-deployment: decides the outcome of the rollout in flight from an
 * `ECS Deployment State Change` and ECS's own view of the service. On success
 * it records the last good digest and publishes `Portal Deployment
 * Succeeded`; on failure it moves the release tag back to the last good
 * digest, records why with the service's recent events, publishes `Portal
 * Deployment Failed` and notifies. Either way the queued config starts next.
 *
 * @example
 * await trackDeployment(EcsDeploymentStateChangeEventSchema.parse(event), event.id, deps);
 */
export async function trackDeployment(event: EcsDeploymentStateChangeEvent, eventId: string, deps: DeployDeps): Promise<TrackResult> {
  const arn = event.resources[0] ?? '';
  const named = serviceFromArn(arn);
  const envs = named ? Object.keys(deps.targets).filter((name) => deps.targets[name]!.cluster === named.cluster && restartableServices(deps.targets[name]!).includes(named.service)) : [];
  if (!named || envs.length === 0) return { action: 'ignored', reason: `${arn} is not a service the control plane deploys` };
  const { env, inFlight } = await rolloutOf(named.service, envs, deps);
  if (!env || inFlight?.phase !== 'rolling' || !inFlight.ecsDeploymentId) {
    return { action: 'ignored', reason: `no rollout of ${named.service} in flight in ${envs.join(', ')} (event for ${event.detail.deploymentId})` };
  }
  const snapshot = await deps.ecs.describe(named.cluster, named.service);
  const verdict = decideDeploymentOutcome(event.detail, { ecsDeploymentId: inFlight.ecsDeploymentId, digest: inFlight.request.digest }, snapshot);
  if (verdict.kind === 'pending') return { action: 'pending', reason: verdict.reason };
  if (verdict.kind === 'failed') return fail(env, inFlight, verdict.cause, verdict.reason, snapshot.recentEvents, eventId, deps);
  const { deploymentId } = inFlight.request;
  const completion = await deps.ledger.complete(env, deploymentId, { kind: 'succeeded', reason: verdict.reason, serviceEvents: snapshot.recentEvents });
  if (!completion.completed) return { action: 'ignored', reason: `${deploymentId} was already finished` };
  await deps.events.publish(DeployDetailType.DeploymentSucceeded, succeededDetail(inFlight.request, named.service, inFlight.ecsDeploymentId, verdict.reason));
  return { action: 'succeeded', deploymentId, reason: verdict.reason, next: await startNext(completion, eventId, deps) };
}

/** The environment (of those sharing the cluster) whose deployment in flight rolls `service`. */
async function rolloutOf(service: string, envs: readonly string[], deps: DeployDeps): Promise<{ env?: string; inFlight?: InFlight }> {
  for (const env of envs) {
    const inFlight = (await deps.ledger.getEnvironment(env))?.inFlight;
    if (inFlight?.service === service) return { env, inFlight };
  }
  return {};
}

/**
 * The one-shot stuck check of a deployment (scheduled when it started): when
 * it is still in flight past its deadline it fails as `stuck`; before its
 * deadline (a later phase extended it) the check is scheduled again for it.
 */
export async function checkStuckDeployment(check: { env: string; deploymentId: string }, eventId: string, deps: DeployDeps): Promise<TrackResult> {
  const inFlight = (await deps.ledger.getEnvironment(check.env))?.inFlight;
  if (inFlight?.request.deploymentId !== check.deploymentId) return { action: 'ignored', reason: `${check.deploymentId} is no longer in flight in ${check.env}` };
  if (inFlight.lease.expiresAt > deps.clock()) {
    // The deadline moved on (the gate's wait became a rollout, a drain became a rollout): the later phase's own check was
    // refused as a duplicate, since the schedule name derives from the deployment id. Arm the check at the current deadline.
    const at = new Date(inFlight.lease.expiresAt);
    await deps.scheduler?.scheduleStuckCheck({ env: check.env, deploymentId: check.deploymentId, at });
    return { action: 'pending', reason: `${check.deploymentId} has until ${at.toISOString()}; stuck check armed again for then` };
  }
  const target = targetOf(check.env, deps);
  if (inFlight.phase === 'awaiting-snapshot') {
    // Nothing was changed yet: no release tag to put back, no service events to read.
    const reason = `no outcome of pre-deploy snapshot ${inFlight.snapshotRequestId ?? ''} by ${new Date(inFlight.lease.expiresAt).toISOString()}`;
    const completion = await failSnapshotGate(inFlight, target, 'stuck', reason, deps);
    if (!completion) return { action: 'ignored', reason: `${check.deploymentId} no longer waits for its snapshot` };
    return { action: 'failed', deploymentId: check.deploymentId, cause: 'stuck', reason, releaseDigest: completion.lastGood?.digest, next: await startNext(completion, eventId, deps) };
  }
  const events = await deps.ecs.describe(target.cluster, inFlight.service ?? target.service).then((s) => s.recentEvents, () => []);
  const reason = `no terminal ECS event for ${inFlight.ecsDeploymentId ?? `${check.deploymentId} (phase ${inFlight.phase})`} by ${new Date(inFlight.lease.expiresAt).toISOString()}`;
  return fail(check.env, inFlight, 'stuck', reason, events, eventId, deps);
}

/** Release tag back to the last good digest, ledger, event, notification, next. */
async function fail(
  env: string, inFlight: InFlight, cause: FailureCause, reason: string, serviceEvents: readonly string[], owner: string, deps: DeployDeps,
): Promise<TrackResult> {
  const target = targetOf(env, deps);
  const { request } = inFlight;
  const lastGood = (await deps.ledger.getEnvironment(env))?.lastGood;
  // The tag moves before the ledger completes: a crash in between is retried and the move is idempotent.
  // A restart never moved it: portal-api's release stays where it is.
  if (request.kind !== 'restart' && lastGood && lastGood.digest !== request.digest) await deps.ecr.moveTag(target.repositoryName, releaseTagOf(env, target), lastGood.digest);
  const outcome = { kind: cause === 'stuck' ? 'stuck' as const : 'failed' as const, reason, serviceEvents };
  const completion = cause === 'stuck' ? await deps.ledger.markStuck(env, request.deploymentId) : await deps.ledger.complete(env, request.deploymentId, outcome);
  if (!completion.completed) return { action: 'ignored', reason: `${request.deploymentId} was already finished` };
  const detail: DeploymentFailedDetail = {
    env, deploymentId: request.deploymentId, configHash: request.configHash, digest: request.digest, imageUri: request.imageUri, key: request.key,
    versionId: request.versionId, service: inFlight.service ?? target.service, ecsDeploymentId: inFlight.ecsDeploymentId, cause, reason,
    releaseDigest: lastGood?.digest, serviceEvents: serviceEvents.slice(0, 10),
  };
  await deps.events.publish(DeployDetailType.DeploymentFailed, detail);
  await deps.notifier.notify({
    subject: `wicked ${env}: deployment ${request.deploymentId} ${cause}`.slice(0, 100),
    message: `${reason}\n${request.kind === 'restart'
      ? `restart of ${inFlight.service ?? target.service} on ${request.digest}; release ${releaseTagOf(env, target)} untouched`
      : `config ${request.configHash} (s3://${request.bucket}/${request.key}${request.versionId ? `@${request.versionId}` : ''}), image ${request.digest}\nrelease ${releaseTagOf(env, target)} → ${lastGood?.digest ?? 'unchanged (no last good deployment)'}`}\n${serviceEvents.slice(0, 5).join('\n')}`,
    attributes: { env, outcome: outcome.kind, deploymentId: request.deploymentId, cause },
  });
  return { action: 'failed', deploymentId: request.deploymentId, cause, reason, releaseDigest: lastGood?.digest, next: await startNext(completion, owner, deps) };
}
