import { LeaseError } from './errors';
import type { RecordChange, Transition } from './transition-types';
import type { DeploymentRequest, EnvironmentRecord, InFlight } from './types';

/**
 * Starts the rollback of an environment whose last deployment failed while
 * ECS may not run the last good digest (`restoring` set): `request` (a
 * `restart` of the deployed service on that digest) goes in flight under a
 * lease for `owner`. Only when nothing is in flight or queued and the record
 * still names the same failed deployment: a racing reconcile, an upload
 * admitted meanwhile, or a rollback already started wins and this throws
 * {@link LeaseError} `LEASE_HELD` (the loop reads again). `restoring` stays
 * until the loop observes ECS running the last good digest.
 */
export function beginRestoreTransition(
  env: EnvironmentRecord | undefined, failedId: string, request: DeploymentRequest, owner: string, now: number, leaseMs: number,
): Transition<InFlight> {
  const context = { env: env?.env, deploymentId: request.deploymentId, owner, holder: env?.inFlight?.request.deploymentId };
  if (!env || env.inFlight || env.queued || env.restoring?.deploymentId !== failedId) {
    const found = env?.inFlight?.request.deploymentId ?? env?.queued?.deploymentId ?? `restoring ${env?.restoring?.deploymentId ?? 'nothing'}`;
    throw new LeaseError('LEASE_HELD', `rolling ${env?.env ?? request.env} back after ${failedId}: expected nothing in flight or queued and the rollback of ${failedId} pending, found ${found}`, context);
  }
  const at = new Date(now).toISOString();
  const inFlight: InFlight = { request, lease: { owner, expiresAt: now + leaseMs }, phase: 'starting', startedAt: at };
  const change: RecordChange = { deploymentId: request.deploymentId, request, state: 'in-flight', at, reason: `rollback to ${request.digest} after ${failedId}: ECS does not run the last good digest` };
  return { next: { ...env, inFlight, revision: env.revision + 1, updatedAt: at }, result: inFlight, changes: [change] };
}

/**
 * Ends the rollback watch once the loop observed ECS running the last good
 * digest: clears `restoring` when it still names `failedId` and nothing is in
 * flight; otherwise writes nothing (a duplicate is harmless).
 */
export function settleRestoreTransition(env: EnvironmentRecord | undefined, failedId: string, now: number): Transition<boolean> {
  if (!env || env.inFlight || env.restoring?.deploymentId !== failedId) return { result: false, changes: [] };
  const at = new Date(now).toISOString();
  return { next: { ...env, restoring: undefined, revision: env.revision + 1, updatedAt: at }, result: true, changes: [] };
}
