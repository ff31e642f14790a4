import type { FailureCause } from '../events/deploy';
import { dueOutboxEntry } from '../ledger';
import type { EnvironmentRecord } from '../ledger';
import { decideRollout, runsHealthily } from './outcome';
import type { GateVerdict } from './snapshot-gate';
import type { ServiceSnapshot } from './types';

/** What reconcile observed of the world for one environment, besides the ledger. */
export interface Observed {
  /** Epoch milliseconds. */
  readonly now: number;
  /** Who reconciles (the EventBridge event id): owns the leases this pass takes. */
  readonly owner: string;
  /** The in-flight deployment's service (waiting for zero tasks, rolling, or idle: portal-api), as ECS shows it now. */
  readonly service?: ServiceSnapshot;
  /** Where the release tag points now; undefined when unknown or absent. */
  readonly releaseTagDigest?: string;
  /** The pre-deploy snapshot's verdict, for a deployment awaiting it. */
  readonly gate?: GateVerdict;
  /** Desired counts of the singletons, read when idle after a good deployment (one DescribeServices). */
  readonly singletons?: SingletonCounts;
}

/** Desired counts as DescribeServices shows them now; a service it did not find is absent. */
export interface SingletonCounts {
  /** The deployed service's (portal-api's) desired count. */
  readonly deployed?: number;
  /** The other singletons' desired counts, by service name. */
  readonly others: Readonly<Record<string, number>>;
}

/**
 * One step of the reconcile loop. Each is idempotent and the ledger write it
 * makes is conditional on the revision it read, so two loops racing do no harm.
 */
export type ReconcileAction =
  | { readonly kind: 'idle'; readonly reason: string }
  | { readonly kind: 'wait'; readonly deploymentId: string; readonly reason: string }
  | { readonly kind: 'start-queued'; readonly deploymentId: string }
  | { readonly kind: 'start'; readonly deploymentId: string; readonly takeover: boolean }
  | { readonly kind: 're-request-snapshot'; readonly deploymentId: string; readonly reason: string }
  | { readonly kind: 'resume-after-snapshot'; readonly deploymentId: string; readonly recoveryPointArns: readonly string[] }
  | { readonly kind: 'resume-after-drain'; readonly deploymentId: string }
  | { readonly kind: 'announce'; readonly deploymentId: string; readonly reason: string }
  | { readonly kind: 'succeed'; readonly deploymentId: string; readonly reason: string }
  | { readonly kind: 'fail'; readonly deploymentId: string; readonly cause: FailureCause; readonly reason: string; readonly restoreTag: boolean }
  | { readonly kind: 'fail-gate'; readonly deploymentId: string; readonly cause: 'snapshot-failed' | 'stuck'; readonly reason: string }
  | { readonly kind: 'move-tag'; readonly digest: string; readonly reason: string }
  | { readonly kind: 'restore'; readonly failedId: string; readonly digest: string; readonly reason: string }
  | { readonly kind: 'settle-restore'; readonly failedId: string; readonly reason: string }
  | { readonly kind: 'start-singletons'; readonly services: readonly string[]; readonly reason: string };

/**
 * Decides, purely, the next step for an environment from its ledger record
 * and what ECS, ECR and AWS Backup show now. Whatever woke the loop, the same
 * record and the same observations give the same step (a Kubernetes-style
 * level-triggered controller: the request names the environment, never the event).
 *
 * @example
 * nextStep(undefined, { now, owner: 'evt-1' }) // { kind: 'idle', ... }
 */
export function nextStep(record: EnvironmentRecord | undefined, observed: Observed): ReconcileAction {
  // An end written but not yet made known (its invocation died before, or its claim ran out): first.
  const due = dueOutboxEntry(record, observed.now);
  if (due) return { kind: 'announce', deploymentId: due.deploymentId, reason: `the end of ${due.deploymentId} (${due.change.state}) is still to be made known` };
  const inFlight = record?.inFlight;
  if (!inFlight) {
    if (record?.queued) return { kind: 'start-queued', deploymentId: record.queued.deploymentId };
    const good = record?.lastGood?.digest;
    // Idle: the release tag names the last good digest (a late move of a finished deployment is put right).
    if (good && observed.releaseTagDigest !== undefined && observed.releaseTagDigest !== good) {
      return { kind: 'move-tag', digest: good, reason: `release tag points at ${observed.releaseTagDigest}; the last good deployment ${record.lastGood!.deploymentId} runs ${good}` };
    }
    const restore = record ? restoreStep(record, observed) : undefined;
    if (restore) return restore;
    const down = singletonsToStart(record, observed.singletons);
    if (down.length > 0) return { kind: 'start-singletons', services: down, reason: `portal-api runs the last good deployment ${record!.lastGood!.deploymentId}; ${down.join(', ')} at desired count 0` };
    // Not idle while another invocation makes an end known: should it die, its claim runs out and the next nudge does it.
    const told = record?.outbox?.[0];
    if (told) return { kind: 'wait', deploymentId: told.deploymentId, reason: `the end of ${told.deploymentId} is being made known by ${told.claim?.owner ?? 'another invocation'}` };
    return { kind: 'idle', reason: `nothing in flight or queued in ${record?.env ?? 'a new environment'}` };
  }
  const id = inFlight.request.deploymentId;
  const live = inFlight.lease.expiresAt > observed.now;
  const until = new Date(inFlight.lease.expiresAt).toISOString();
  const wait = (reason: string): ReconcileAction => ({ kind: 'wait', deploymentId: id, reason });
  switch (inFlight.phase) {
    case 'starting':
      if (inFlight.lease.owner === observed.owner || !live) return { kind: 'start', deploymentId: id, takeover: inFlight.lease.owner !== observed.owner };
      return wait(`${id} is being started by ${inFlight.lease.owner} until ${until}`);
    case 'awaiting-snapshot': {
      const gate = observed.gate ?? { kind: 'wait', reason: 'no snapshot verdict observed' };
      if (gate.kind === 'proceed') return { kind: 'resume-after-snapshot', deploymentId: id, recoveryPointArns: gate.recoveryPointArns };
      if (gate.kind === 'fail') return { kind: 'fail-gate', deploymentId: id, cause: 'snapshot-failed', reason: gate.reason };
      if (!live) return { kind: 'fail-gate', deploymentId: id, cause: 'stuck', reason: `no outcome of pre-deploy snapshot ${inFlight.snapshotRequestId ?? ''} by ${until}` };
      // No job (of some resource) yet and this is not the pass that just asked: the request may be lost, or snapshot-data
      // failed part-way; asking again is idempotent (same request id: the jobs already started are joined).
      if (gate.kind === 'wait' && gate.noJob && inFlight.lease.owner !== observed.owner) {
        return { kind: 're-request-snapshot', deploymentId: id, reason: `${gate.reason.replace('the deployment', id)}; asking again for snapshot ${inFlight.snapshotRequestId ?? ''}` };
      }
      return wait(gate.reason);
    }
    case 'waiting-for-zero': {
      const alive = observed.service?.aliveTaskCount;
      if (alive === 0) return { kind: 'resume-after-drain', deploymentId: id };
      if (!live) return { kind: 'fail', deploymentId: id, cause: 'stuck', reason: `${alive ?? 'an unknown number of'} task(s) of ${inFlight.service ?? 'the service'} still alive at ${until}`, restoreTag: true };
      return wait(`${alive ?? 'unknown'} task(s) still alive`);
    }
    case 'rolling':
      return rollingStep(record, observed);
  }
}

/**
 * The singletons to bring up from no task to one, purely: only when nothing
 * is in flight or queued (a strict deployment's scale-to-zero is never
 * undone, and no start races a rollout), portal-api has a good deployment in
 * the ledger (succeeded means ECS ran its digest, healthy where checked) and
 * ECS shows portal-api at a desired count of at least 1 (an operator who
 * scaled it to 0 holds the rest down too). Only services at exactly 0 are
 * named: one already running is never touched. The other wicked components
 * wait for portal-api at start and give up after 100 tries a second apart
 * (wicked's node-sdk, `src/node-sdk/src/implementation.ts`, `DEFAULT_AWAIT_OPTIONS`),
 * which is why they come after it.
 *
 * @example
 * singletonsToStart(record, { deployed: 1, others: { portal: 0, 'portal-mailer': 1 } }) // ['portal']
 */
export function singletonsToStart(record: EnvironmentRecord | undefined, counts: SingletonCounts | undefined): string[] {
  if (!record?.lastGood || record.inFlight || record.queued || !counts) return [];
  if (counts.deployed === undefined || counts.deployed < 1) return [];
  return Object.entries(counts.others).filter(([, desired]) => desired === 0).map(([service]) => service).sort();
}

/**
 * After a failed deployment that touched the deployed service (`restoring`),
 * idle only once ECS runs the release tag's digest, the last good one: its
 * PRIMARY deployment COMPLETED with every task on it (healthy where checked).
 * While ECS rolls another deployment (its circuit breaker's rollback), wait
 * for it; otherwise roll back: a forced new deployment of the release tag
 * (a strict singleton drains first), never a move of the tag to what ECS
 * runs, so the ledger, the tag and ECS agree on what was reported.
 */
function restoreStep(record: EnvironmentRecord, observed: Observed): ReconcileAction | undefined {
  const restoring = record.restoring;
  const good = record.lastGood?.digest;
  const service = observed.service;
  if (!restoring || !good || !service) return undefined;
  const failedId = restoring.deploymentId;
  // The forced deployment pins the tag's digest: the tag first, also when it is gone.
  if (observed.releaseTagDigest !== good) return { kind: 'move-tag', digest: good, reason: `release tag points at ${observed.releaseTagDigest ?? 'nothing'}; rolling back to ${good} after ${failedId}` };
  if (service.primaryRolloutState === 'COMPLETED' && runsHealthily(service, good)) {
    return { kind: 'settle-restore', failedId, reason: `ECS runs the last good digest ${good} again after ${failedId}` };
  }
  if (service.primaryRolloutState === 'IN_PROGRESS' && service.primaryDeploymentId !== restoring.ecsDeploymentId) {
    return { kind: 'wait', deploymentId: failedId, reason: `ECS rolls ${service.primaryDeploymentId ?? 'a deployment'} of ${service.serviceName} after ${failedId}; deciding once it ends` };
  }
  const runs = [...new Set(service.primaryTaskDigests)].join(', ') || 'no task';
  return { kind: 'restore', failedId, digest: good, reason: `after ${failedId} ECS runs ${runs} on ${service.primaryDeploymentId ?? 'no deployment'} (${service.primaryRolloutState ?? 'unknown'}), not the last good digest ${good}` };
}

/** A rolling deployment: the outcome is what ECS shows; past the deadline, stuck unless ECS runs it healthily. */
function rollingStep(record: EnvironmentRecord, observed: Observed): ReconcileAction {
  const inFlight = record.inFlight!;
  const id = inFlight.request.deploymentId;
  const service = observed.service;
  if (!service || !inFlight.ecsDeploymentId) return { kind: 'wait', deploymentId: id, reason: 'the service was not observed' };
  const verdict = decideRollout({ ecsDeploymentId: inFlight.ecsDeploymentId, digest: inFlight.request.digest }, service);
  if (verdict.kind === 'succeeded') return { kind: 'succeed', deploymentId: id, reason: verdict.reason };
  if (verdict.kind === 'failed') return { kind: 'fail', deploymentId: id, cause: verdict.cause, reason: verdict.reason, restoreTag: true };
  const config = inFlight.request.kind !== 'restart';
  // While it rolls the release tag names its digest (an out-of-order move of a finished deployment is put right).
  if (config && observed.releaseTagDigest !== undefined && observed.releaseTagDigest !== inFlight.request.digest) {
    return { kind: 'move-tag', digest: inFlight.request.digest, reason: `release tag points at ${observed.releaseTagDigest} while ${id} rolls ${inFlight.request.digest}` };
  }
  if (inFlight.lease.expiresAt > observed.now) return { kind: 'wait', deploymentId: id, reason: verdict.reason };
  if (runsHealthily(service, inFlight.request.digest) && service.primaryDeploymentId === inFlight.ecsDeploymentId) {
    return { kind: 'succeed', deploymentId: id, reason: `ECS runs ${inFlight.request.digest} healthily on ${inFlight.ecsDeploymentId} (${verdict.reason})` };
  }
  const reason = `no terminal ECS event for ${inFlight.ecsDeploymentId} by ${new Date(inFlight.lease.expiresAt).toISOString()}; ECS shows: ${verdict.reason}`;
  return { kind: 'fail', deploymentId: id, cause: 'stuck', reason, restoreTag: !runsHealthily(service, inFlight.request.digest) };
}
