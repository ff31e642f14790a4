import { LeaseError } from './errors';
import type { RecordChange, Transition } from './transition-types';
import { completeTransition } from './transitions';
import type { Completion } from './transitions';
import type { DeploymentOutcome, EnvironmentRecord, InFlight } from './types';

/**
 * Marks the deployment in flight as waiting for its pre-deploy snapshot
 * `requestId` until `waitUntil` (epoch ms): the lease lasts as long, so later
 * uploads queue behind it, and the stuck check fails it at that deadline.
 * Only the lease owner may; a retry by the same owner writes the same state.
 */
export function awaitSnapshotTransition(
  env: EnvironmentRecord | undefined, deploymentId: string, owner: string, requestId: string, now: number, waitUntil: number,
): Transition<InFlight> {
  const current = env?.inFlight;
  const context = { env: env?.env, deploymentId, owner, holder: current?.request.deploymentId, phase: current?.phase };
  const mine = current?.request.deploymentId === deploymentId && current.lease.owner === owner && current.lease.expiresAt > now;
  if (!env || !current || !mine || (current.phase !== 'starting' && current.phase !== 'awaiting-snapshot')) {
    const found = current ? `${current.request.deploymentId} (${current.phase}) held by ${current.lease.owner} until ${new Date(current.lease.expiresAt).toISOString()}` : 'nothing in flight';
    throw new LeaseError('LEASE_LOST', `waiting for the pre-deploy snapshot of ${deploymentId}: expected a live lease of ${owner} on a starting deployment, found ${found}`, context);
  }
  const at = new Date(now).toISOString();
  const inFlight: InFlight = { ...current, phase: 'awaiting-snapshot', snapshotRequestId: requestId, lease: { owner, expiresAt: waitUntil } };
  const change: RecordChange = { deploymentId, state: 'in-flight', at, reason: `waiting for pre-deploy snapshot ${requestId}`, fields: { snapshotRequestId: requestId } };
  return { next: { ...env, inFlight, revision: env.revision + 1, updatedAt: at }, result: inFlight, changes: [change] };
}

/**
 * Claims the continuation of a deployment whose pre-deploy snapshot
 * completed: exactly one of several events wins (the others get
 * `NOT_IN_FLIGHT` or `LEASE_HELD`). Records the recovery points on the
 * environment and on the deployment record, and starts a short lease for
 * `owner`, who then rolls the services.
 */
export function snapshotTakenTransition(
  env: EnvironmentRecord | undefined, deploymentId: string, owner: string, recoveryPointArns: readonly string[], now: number, leaseMs: number,
): Transition<InFlight> {
  const current = env?.inFlight;
  const context = { env: env?.env, deploymentId, owner, holder: current?.request.deploymentId, phase: current?.phase };
  if (!env || !current || current.request.deploymentId !== deploymentId) {
    throw new LeaseError('NOT_IN_FLIGHT', `resuming ${deploymentId} after its snapshot: expected it in flight, found ${current?.request.deploymentId ?? 'nothing in flight'}`, context);
  }
  if (current.phase !== 'awaiting-snapshot') {
    throw new LeaseError('LEASE_HELD', `resuming ${deploymentId} after its snapshot for ${owner}: expected phase awaiting-snapshot, found ${current.phase} held by ${current.lease.owner}`, context);
  }
  const at = new Date(now).toISOString();
  const arns = [...recoveryPointArns];
  const inFlight: InFlight = { ...current, phase: 'starting', lease: { owner, expiresAt: now + leaseMs }, recoveryPointArn: arns[0], recoveryPointArns: arns };
  const change: RecordChange = { deploymentId, state: 'in-flight', at, reason: `pre-deploy snapshot completed: ${arns.join(', ')}`, fields: { recoveryPointArn: arns[0], recoveryPointArns: arns } };
  const next: EnvironmentRecord = { ...env, inFlight, lastRecoveryPointArn: arns[0] ?? env.lastRecoveryPointArn, revision: env.revision + 1, updatedAt: at };
  return { next, result: inFlight, changes: [change] };
}

/**
 * Ends a deployment still waiting for its snapshot (the snapshot failed, or
 * no outcome arrived by the deadline): the environment is released and the
 * queued deployment handed over. A deployment no longer waiting (it resumed,
 * or ended already) is left alone (`completed: false`): a late or duplicate
 * event changes nothing.
 */
export function snapshotGateFailedTransition(env: EnvironmentRecord | undefined, deploymentId: string, outcome: DeploymentOutcome, now: number): Transition<Completion> {
  const current = env?.inFlight;
  if (!env || current?.request.deploymentId !== deploymentId || current.phase !== 'awaiting-snapshot') {
    return { result: { completed: false, lastGood: env?.lastGood, next: env?.queued }, changes: [] };
  }
  return completeTransition(env, deploymentId, outcome, now);
}
