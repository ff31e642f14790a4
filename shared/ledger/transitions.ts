import { abandonedRestore } from './admission';
import { LeaseError } from './errors';
import type { RecordChange, Transition } from './transition-types';
import { announcedEntry } from './outbox';
import type { DeploymentOutcome, DeploymentRequest, EnvironmentRecord, InFlight, LastGood, Lease, OutboxEntry } from './types';

/** What {@link completeTransition} and {@link stuckTransition} report. */
export interface Completion {
  /** False when the deployment was no longer in flight (a duplicate or late event): nothing changed. */
  readonly completed: boolean;
  readonly outcome?: DeploymentOutcome['kind'];
  /** The deployment that finished, when it did. */
  readonly request?: DeploymentRequest;
  /** The last good deployment after this step: where a rollback goes. */
  readonly lastGood?: LastGood;
  /** The queued deployment to start next: acquire its lease with `acquireLease`. */
  readonly next?: DeploymentRequest;
  /** ISO time the lease (or deadline) ends, when the deployment is not finished yet. */
  readonly notBefore?: string;
  /** The end's outbox entry, claimed by the outcome's `announce.owner`: it puts the announcement, then `outboxDone`. */
  readonly entry?: OutboxEntry;
}

/** ECS facts recorded once a deployment started rolling. */
export interface EcsDeploymentFacts {
  readonly service: string;
  readonly ecsDeploymentId: string;
  readonly recoveryPointArn?: string;
}

/**
 * Moves the queued deployment in flight under a lease for `owner` (or renews
 * the owner's own lease). Throws {@link LeaseError} `LEASE_HELD` while
 * another live lease exists and `NOT_QUEUED` when `deploymentId` is not the
 * queued one (a newer request replaced it).
 */
export function acquireTransition(env: EnvironmentRecord | undefined, deploymentId: string, owner: string, now: number, leaseMs: number): Transition<Lease> {
  const at = new Date(now).toISOString();
  const current = env?.inFlight;
  const context = { env: env?.env, deploymentId, owner, holder: current?.request.deploymentId };
  if (env && current?.request.deploymentId === deploymentId && current.lease.owner === owner) {
    const lease = { owner, expiresAt: Math.max(current.lease.expiresAt, now + leaseMs) };
    return { next: bump(env, at, { inFlight: { ...current, lease } }), result: lease, changes: [] };
  }
  if (current && current.lease.expiresAt > now) {
    throw new LeaseError('LEASE_HELD', `acquiring ${deploymentId} for ${owner}: deployment ${current.request.deploymentId} holds the lease until ${new Date(current.lease.expiresAt).toISOString()}`, context);
  }
  if (!env?.queued || env.queued.deploymentId !== deploymentId) {
    throw new LeaseError('NOT_QUEUED', `acquiring ${deploymentId} for ${owner}: expected it to be queued, found ${env?.queued?.deploymentId ?? 'nothing queued'}`, context);
  }
  const lease = { owner, expiresAt: now + leaseMs };
  const inFlight: InFlight = { request: env.queued, lease, phase: 'starting', startedAt: at };
  const changes: RecordChange[] = [{ deploymentId, state: 'in-flight', at, reason: `lease acquired by ${owner}`, request: env.queued }];
  if (current) changes.push({ deploymentId: current.request.deploymentId, state: 'superseded', at, reason: `lease expired; ${deploymentId} started`, request: current.request });
  return { next: bump(env, at, { inFlight, queued: undefined, restoring: abandonedRestore(env) }), result: lease, changes };
}

/**
 * Claims a deployment still `starting` for `owner`: its own lease renewed, or
 * the lease of a start that crashed (expired) taken over. Throws
 * {@link LeaseError} `NOT_IN_FLIGHT` when it is not the one in flight and
 * `LEASE_HELD` while another owner's lease on it is live or it is past `starting`.
 */
export function claimTransition(env: EnvironmentRecord | undefined, deploymentId: string, owner: string, now: number, leaseMs: number): Transition<InFlight> {
  const current = env?.inFlight;
  const context = { env: env?.env, deploymentId, owner, holder: current?.request.deploymentId, phase: current?.phase };
  if (!env || !current || current.request.deploymentId !== deploymentId) {
    throw new LeaseError('NOT_IN_FLIGHT', `claiming ${deploymentId}: expected it in flight, found ${current?.request.deploymentId ?? 'nothing in flight'}`, context);
  }
  if (current.phase !== 'starting' || (current.lease.owner !== owner && current.lease.expiresAt > now)) {
    throw new LeaseError('LEASE_HELD', `claiming ${deploymentId} for ${owner}: expected a starting deployment free to take, found ${current.phase} held by ${current.lease.owner} until ${new Date(current.lease.expiresAt).toISOString()}`, context);
  }
  const at = new Date(now).toISOString();
  const inFlight: InFlight = { ...current, lease: { owner, expiresAt: Math.max(now + leaseMs, current.lease.owner === owner ? current.lease.expiresAt : 0) } };
  const changes: RecordChange[] = current.lease.owner === owner ? [] : [{ deploymentId, state: 'in-flight', at, reason: `start taken over by ${owner}: the lease of ${current.lease.owner} expired` }];
  return { next: bump(env, at, { inFlight }), result: inFlight, changes };
}

/**
 * Records the ECS deployment that rolls the deployment in flight and extends
 * its lease to `trackUntil` (the stuck deadline). Only the lease owner may.
 */
export function recordEcsTransition(
  env: EnvironmentRecord | undefined, deploymentId: string, owner: string, facts: EcsDeploymentFacts, now: number, trackUntil: number,
): Transition<InFlight> {
  const current = requireOwner(env, deploymentId, owner, now, 'recording the ECS deployment of');
  const inFlight: InFlight = { ...current, phase: 'rolling', lease: { owner, expiresAt: trackUntil }, ...facts };
  const at = new Date(now).toISOString();
  const change: RecordChange = { deploymentId, state: 'in-flight', at, fields: { service: facts.service, ecsDeploymentId: facts.ecsDeploymentId, recoveryPointArn: facts.recoveryPointArn } };
  return { next: bump(env!, at, { inFlight, lastRecoveryPointArn: facts.recoveryPointArn ?? env!.lastRecoveryPointArn }), result: inFlight, changes: [change] };
}

/** Marks a strict singleton deployment as waiting for its tasks to drain, until `waitUntil`. */
export function waitTransition(env: EnvironmentRecord | undefined, deploymentId: string, owner: string, now: number, waitUntil: number): Transition<InFlight> {
  const current = requireOwner(env, deploymentId, owner, now, 'waiting for zero tasks of');
  const inFlight: InFlight = { ...current, phase: 'waiting-for-zero', lease: { owner, expiresAt: waitUntil } };
  return { next: bump(env!, new Date(now).toISOString(), { inFlight }), result: inFlight, changes: [] };
}

/**
 * Claims the continuation of a deployment waiting for zero tasks: exactly one
 * of several concurrent task events wins; the others get `LEASE_HELD`.
 */
export function resumeTransition(env: EnvironmentRecord | undefined, deploymentId: string, owner: string, now: number, leaseMs: number): Transition<InFlight> {
  const current = env?.inFlight;
  const context = { env: env?.env, deploymentId, owner, holder: current?.request.deploymentId, phase: current?.phase };
  if (!env || !current || current.request.deploymentId !== deploymentId) {
    throw new LeaseError('NOT_IN_FLIGHT', `resuming ${deploymentId}: expected it in flight, found ${current?.request.deploymentId ?? 'nothing in flight'}`, context);
  }
  if (current.phase !== 'waiting-for-zero' && current.lease.owner !== owner) {
    throw new LeaseError('LEASE_HELD', `resuming ${deploymentId} for ${owner}: expected phase waiting-for-zero, found ${current.phase} held by ${current.lease.owner}`, context);
  }
  const inFlight: InFlight = { ...current, phase: 'starting', lease: { owner, expiresAt: now + leaseMs } };
  return { next: bump(env, new Date(now).toISOString(), { inFlight }), result: inFlight, changes: [] };
}

/**
 * Finishes the deployment in flight: releases the lease, moves `lastGood` on
 * success (not for a `restart`), and returns the queued deployment to start next. A deployment that
 * is no longer in flight is left alone (`completed: false`).
 */
export function completeTransition(env: EnvironmentRecord | undefined, deploymentId: string, outcome: DeploymentOutcome, now: number): Transition<Completion> {
  const current = env?.inFlight;
  if (!env || current?.request.deploymentId !== deploymentId) {
    return { result: { completed: false, lastGood: env?.lastGood, next: env?.queued }, changes: [] };
  }
  const at = new Date(now).toISOString();
  const { request } = current;
  // A restart re-runs what a service runs: portal-api's last good deployment stays where rollbacks go.
  const lastGood = outcome.kind === 'succeeded' && request.kind !== 'restart'
    ? { deploymentId, digest: request.digest, configHash: request.configHash, imageUri: request.imageUri, finishedAt: at }
    : env.lastGood;
  const change: RecordChange = {
    deploymentId, state: outcome.kind, at, reason: outcome.reason,
    fields: { finishedAt: at, serviceEvents: outcome.serviceEvents?.slice(0, 10) },
  };
  // A failure that may leave ECS off the last good digest is watched until it runs it; a config that succeeded runs its own.
  const restoring = outcome.kind !== 'succeeded' && outcome.unsettled && lastGood
    ? { deploymentId, ecsDeploymentId: current.ecsDeploymentId }
    : outcome.kind === 'succeeded' && request.kind !== 'restart' ? undefined : env.restoring;
  // Written with the end: its history, event and notification are put even if this Lambda dies right after.
  const entry = outcome.announce ? announcedEntry(change, outcome.announce, now) : undefined;
  const outbox = entry ? [...(env.outbox ?? []).filter((other) => other.deploymentId !== deploymentId), entry] : env.outbox;
  return {
    next: bump(env, at, { inFlight: undefined, lastGood, restoring, outbox }),
    result: { completed: true, outcome: outcome.kind, request, lastGood, next: env.queued, ...(entry ? { entry } : {}) },
    changes: [change],
  };
}

/**
 * Marks the deployment in flight stuck when its deadline passed without a
 * terminal ECS event; before the deadline (it was extended) nothing changes.
 */
export function stuckTransition(env: EnvironmentRecord | undefined, deploymentId: string, now: number): Transition<Completion> {
  const current = env?.inFlight;
  if (current?.request.deploymentId === deploymentId && current.lease.expiresAt > now) {
    return { result: { completed: false, lastGood: env?.lastGood, next: env?.queued, notBefore: new Date(current.lease.expiresAt).toISOString() }, changes: [] };
  }
  const reason = `no terminal ECS event for ${current?.ecsDeploymentId ?? 'the deployment'} before ${current ? new Date(current.lease.expiresAt).toISOString() : 'the deadline'}`;
  return completeTransition(env, deploymentId, { kind: 'stuck', reason }, now);
}

/** The in-flight deployment when `owner` holds a live lease on it; throws otherwise. */
function requireOwner(env: EnvironmentRecord | undefined, deploymentId: string, owner: string, now: number, doing: string): InFlight {
  const current = env?.inFlight;
  const context = { env: env?.env, deploymentId, owner, holder: current?.request.deploymentId, holderOwner: current?.lease.owner };
  if (!current || current.request.deploymentId !== deploymentId || current.lease.owner !== owner || current.lease.expiresAt <= now) {
    const found = current ? `${current.request.deploymentId} held by ${current.lease.owner} until ${new Date(current.lease.expiresAt).toISOString()}` : 'nothing in flight';
    throw new LeaseError('LEASE_LOST', `${doing} ${deploymentId}: expected a live lease of ${owner}, found ${found}`, context);
  }
  return current;
}

/** The record with `patch` applied, the revision incremented and the time stamped. */
function bump(env: EnvironmentRecord, at: string, patch: Partial<EnvironmentRecord>): EnvironmentRecord {
  return { ...env, ...patch, revision: env.revision + 1, updatedAt: at };
}
