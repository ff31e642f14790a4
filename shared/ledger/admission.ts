import { compareSequencers } from './sequencer';
import type { DeploymentRequest, EnvironmentRecord } from './types';
import type { RecordChange, Transition } from './transition-types';

/** What the ledger does with an incoming `Portal Image Built`. */
export type AdmissionKind = 'apply-now' | 'queue' | 'ignore-duplicate' | 'ignore-older' | 'ignore-stale' | 'unchanged';

/** The admission decision and why, for the log line. */
export interface Admission {
  readonly kind: AdmissionKind;
  readonly reason: string;
  readonly deploymentId: string;
  /** Deployments this admission replaced (an older queued one, an abandoned one in flight). */
  readonly superseded: readonly string[];
}

/**
 * Decides, purely, what an incoming request does to an environment:
 *
 * - `ignore-older`: an S3 sequencer of the same key at or below the one
 *   admitted is older (or, when equal, `ignore-duplicate`);
 * - `ignore-duplicate`: the same deployment is already in flight or queued,
 *   or the same image is rolling right now;
 * - `queue`: a rollout holds a live lease; the newest request wins the queue
 *   (a `restart` never replaces a queued deployment: it is `ignore-stale`);
 * - `unchanged`: nothing in flight and the last good digest is this digest
 *   (never for a `restart`: restarting what runs is its point);
 * - `apply-now`: otherwise, including a retry by the same owner of a
 *   deployment still `starting`, or a takeover after its lease expired.
 *
 * Requests of different keys are ordered by `requestedAt` (when the operator
 * uploaded the configuration or asked for the rollback or promotion): S3
 * sequencers are only comparable for one key. A request asked for before the
 * environment's newest admitted request is `ignore-older`, so a build that
 * ends late never replaces, or queues behind, a newer configuration. Requests
 * without `requestedAt` (events of earlier versions, restarts, rebuilds) and
 * requests of the same instant are ordered by arrival.
 *
 * A rebuild (`rebuildOf` set: the deployed config on a new base) carries the
 * S3 sequencer of the object it rebuilds, which the ledger already admitted:
 * it is ordered by what it rebuilds instead (see {@link staleRebuild}):
 * `ignore-stale` when that is no longer the last good deployment or another
 * deployment holds the environment. Its id names the base digest, so the same
 * rebuild again is `ignore-duplicate` (in flight) or `unchanged` (done).
 *
 * @example
 * decideAdmission(undefined, request, 'event-1', Date.now()).kind // 'apply-now'
 */
export function decideAdmission(env: EnvironmentRecord | undefined, request: DeploymentRequest, owner: string, now: number): Admission {
  const id = request.deploymentId;
  const inFlight = env?.inFlight;
  const live = inFlight !== undefined && inFlight.lease.expiresAt > now;
  const verdict = (kind: AdmissionKind, reason: string, superseded: string[] = []): Admission => ({ kind, reason, deploymentId: id, superseded });
  if (inFlight?.request.deploymentId === id && inFlight.phase === 'starting' && (inFlight.lease.owner === owner || !live)) {
    return verdict('apply-now', inFlight.lease.owner === owner ? 'retry by the same owner of a deployment still starting' : 'the lease of a crashed start expired');
  }
  const mine = inFlight?.request.deploymentId === id || env?.queued?.deploymentId === id;
  const stale = mine ? undefined : staleRebuild(env, request, now);
  if (stale !== undefined) return verdict('ignore-stale', stale);
  const stored = request.sequencer === undefined || request.rebuildOf !== undefined ? undefined : env?.sequencers[request.key];
  if (request.sequencer !== undefined && stored !== undefined) {
    const order = compareSequencers(request.sequencer, stored);
    if (order < 0) return verdict('ignore-older', `sequencer ${request.sequencer} of ${request.key} is older than the admitted ${stored}`);
    if (order === 0) return verdict('ignore-duplicate', `sequencer ${request.sequencer} of ${request.key} was already admitted`);
  }
  const newer = mine ? undefined : newerRequest(env, request);
  if (newer !== undefined) return verdict('ignore-older', newer);
  if (inFlight?.request.deploymentId === id || env?.queued?.deploymentId === id) {
    return verdict('ignore-duplicate', `deployment ${id} is already ${inFlight?.request.deploymentId === id ? 'in flight' : 'queued'}`);
  }
  const queuedOther = env?.queued ? [env.queued.deploymentId] : [];
  if (live && request.kind === 'restart' && env?.queued) {
    // "The newest wins the queue" is for configurations: a restart replacing a queued upload would drop that upload.
    return verdict('ignore-stale', `restart not queued: deployment ${env.queued.deploymentId} already waits behind ${inFlight.request.deploymentId}; request the restart again after they end`);
  }
  if (live) {
    if (inFlight.request.digest === request.digest) {
      return verdict('ignore-duplicate', `${request.digest} is already rolling as ${inFlight.request.deploymentId}`, queuedOther);
    }
    return verdict('queue', `deployment ${inFlight.request.deploymentId} holds the lease until ${new Date(inFlight.lease.expiresAt).toISOString()}`, queuedOther);
  }
  if (inFlight === undefined && request.kind !== 'restart' && env?.lastGood?.digest === request.digest) {
    return verdict('unchanged', `${request.digest} is the last good digest already`, queuedOther);
  }
  const abandoned = inFlight ? [inFlight.request.deploymentId] : [];
  return verdict('apply-now', inFlight ? `the lease of ${inFlight.request.deploymentId} expired` : 'no deployment in flight', [...queuedOther, ...abandoned]);
}

/**
 * The environment record after an admission, and the deployment records to
 * update. Pure: the ledger writes `next` conditionally on the revision it read.
 */
export function admitTransition(
  env: EnvironmentRecord | undefined, request: DeploymentRequest, owner: string, now: number, leaseMs: number,
): Transition<Admission> {
  const admission = decideAdmission(env, request, owner, now);
  const at = new Date(now).toISOString();
  const base: EnvironmentRecord = env ?? { env: request.env, revision: 0, sequencers: {}, updatedAt: at };
  // Superseded records carry their request: if their own 'queued' write has not landed yet, this
  // creates them in a final state and that late write is refused by the history guard.
  const known = [base.queued, base.inFlight?.request].filter((r): r is DeploymentRequest => r !== undefined);
  const changes: RecordChange[] = admission.superseded.map((deploymentId) => ({
    deploymentId, state: 'superseded', reason: `superseded by ${request.deploymentId}: ${admission.reason}`, at,
    request: known.find((r) => r.deploymentId === deploymentId),
  }));
  const sequencers = advance(base.sequencers, request);
  const newestRequest = newest(base.newestRequest, request);
  const common = { ...base, revision: base.revision + 1, sequencers, ...(newestRequest ? { newestRequest } : {}), updatedAt: at };
  switch (admission.kind) {
    case 'ignore-older':
    case 'ignore-stale':
      return { result: admission, changes: [{ deploymentId: request.deploymentId, request, state: 'ignored', reason: admission.reason, at }] };
    case 'ignore-duplicate': {
      if (admission.superseded.length === 0 && sequencers === base.sequencers && newestRequest === base.newestRequest) return { result: admission, changes: [] };
      const mine = base.inFlight?.request.deploymentId === request.deploymentId || base.queued?.deploymentId === request.deploymentId;
      const own: RecordChange[] = mine ? [] : [{ deploymentId: request.deploymentId, request, state: 'ignored', reason: admission.reason, at }];
      return { next: { ...common, queued: undefined }, result: admission, changes: [...changes, ...own] };
    }
    case 'queue':
      return { next: { ...common, queued: request }, result: admission, changes: [...changes, { deploymentId: request.deploymentId, request, state: 'queued', reason: admission.reason, at }] };
    case 'unchanged':
      return { next: { ...common, queued: undefined }, result: admission, changes: [...changes, { deploymentId: request.deploymentId, request, state: 'ignored', reason: admission.reason, at }] };
    case 'apply-now': {
      const resumed = base.inFlight?.request.deploymentId === request.deploymentId;
      const inFlight = { request: resumed ? base.inFlight!.request : request, lease: { owner, expiresAt: now + leaseMs }, phase: 'starting' as const, startedAt: resumed ? base.inFlight!.startedAt : at };
      const restoring = resumed ? base.restoring : abandonedRestore(base);
      return { next: { ...common, inFlight, queued: undefined, restoring }, result: admission, changes: [...changes, { deploymentId: request.deploymentId, request, state: 'in-flight', reason: admission.reason, at }] };
    }
  }
}

/**
 * The restore watch to keep after an in-flight deployment whose lease
 * expired is superseded: the one already kept, else a watch of that
 * deployment. Its start may have moved the release tag and updated the
 * service before it crashed, or may still be running and do so after this
 * write (its ledger write then fails, its AWS calls do not). Once nothing is
 * in flight, the loop checks that ECS runs the last good digest and rolls
 * back otherwise, as after a failure. None without a last good deployment.
 */
export function abandonedRestore(env: EnvironmentRecord): EnvironmentRecord['restoring'] {
  if (env.restoring) return env.restoring;
  const abandoned = env.inFlight;
  if (!abandoned || !env.lastGood) return undefined;
  return { deploymentId: abandoned.request.deploymentId, ...(abandoned.ecsDeploymentId ? { ecsDeploymentId: abandoned.ecsDeploymentId } : {}) };
}

/**
 * Why a rebuild request is stale, or `undefined` when it may proceed: it must
 * rebuild the environment's last good deployment, and no other deployment may
 * hold or wait for the environment (a rebuild queued behind a newer config
 * would roll the older config back once that one succeeded).
 *
 * @example
 * staleRebuild(env, { ...request, rebuildOf: 'd-old' }, Date.now()) // 'rebuild of d-old is stale: the last good deployment is now d-new'
 */
export function staleRebuild(env: EnvironmentRecord | undefined, request: DeploymentRequest, now: number): string | undefined {
  const of = request.rebuildOf;
  if (of === undefined) return undefined;
  const good = env?.lastGood?.deploymentId;
  if (good !== of) return `rebuild of ${of} is stale: the last good deployment of ${request.env} is now ${good ?? 'none'}`;
  const holder = env?.inFlight !== undefined && env.inFlight.lease.expiresAt > now ? env.inFlight.request.deploymentId : undefined;
  const busy = holder ?? env?.queued?.deploymentId;
  if (busy !== undefined) return `rebuild of ${of} is stale: deployment ${busy} of ${request.env} is ${holder ? 'in flight' : 'queued'} and will replace it; request the rebuild again after it ends`;
  return undefined;
}

/**
 * Why a request is older than the environment's newest admitted one, or
 * `undefined`: asked for strictly before it, under another key (under the
 * same key the S3 sequencer alone orders them). Rebuilds are
 * ordered by what they rebuild ({@link staleRebuild}), so they neither are
 * older nor count as newest.
 *
 * @example
 * newerRequest(env, { ...request, requestedAt: '2026-01-01T00:00:01.000Z' }) // 'requested at 2026-01-01T00:00:01.000Z, before d-new (requested at 2026-01-01T00:00:02.000Z)'
 */
export function newerRequest(env: EnvironmentRecord | undefined, request: DeploymentRequest): string | undefined {
  const newestAdmitted = env?.newestRequest;
  const at = requestTime(request);
  if (at === undefined || newestAdmitted === undefined || newestAdmitted.deploymentId === request.deploymentId) return undefined;
  // The same key: S3's sequencer orders its versions (checked before this), whatever the times say. Two uploads of
  // one key can carry times out of that order: operators' clocks (the uploaded-at metadata), or whole seconds.
  if (request.sequencer !== undefined && newestAdmitted.sequencer !== undefined && newestAdmitted.key === request.key) return undefined;
  // A stored time that does not parse orders nothing either (NaN compares false): arrival decides.
  if (!(at < Date.parse(newestAdmitted.requestedAt))) return undefined;
  return `requested at ${request.requestedAt}, before ${newestAdmitted.deploymentId} (requested at ${newestAdmitted.requestedAt})`;
}

/** The newest admitted request after admitting this one; the same object when it is not newer. */
function newest(current: EnvironmentRecord['newestRequest'], request: DeploymentRequest): EnvironmentRecord['newestRequest'] {
  const at = requestTime(request);
  if (at === undefined || (current !== undefined && at <= Date.parse(current.requestedAt))) return current;
  return { deploymentId: request.deploymentId, requestedAt: request.requestedAt!, key: request.key, ...(request.sequencer !== undefined ? { sequencer: request.sequencer } : {}) };
}

/**
 * The epoch milliseconds that order a request among other keys' requests, or undefined when none do: no
 * `requestedAt`, one that does not parse (arrival decides, as without one), or a rebuild.
 */
function requestTime(request: DeploymentRequest): number | undefined {
  if (request.requestedAt === undefined || request.rebuildOf !== undefined) return undefined;
  const at = Date.parse(request.requestedAt);
  return Number.isNaN(at) ? undefined : at;
}

/** The sequencer map with this request's sequencer when it is newer; the same object when nothing changes. */
function advance(sequencers: Record<string, string>, request: DeploymentRequest): Record<string, string> {
  if (request.sequencer === undefined || request.rebuildOf !== undefined) return sequencers;
  const stored = sequencers[request.key];
  if (stored !== undefined && compareSequencers(request.sequencer, stored) <= 0) return sequencers;
  return { ...sequencers, [request.key]: request.sequencer };
}
