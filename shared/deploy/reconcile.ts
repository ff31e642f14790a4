import type { EnvironmentRecord } from '../ledger';
import type { DeployDeps } from './deps';
import { companionSingletons, releaseTagOf } from './env';
import type { DeployTarget } from './env';
import { nextStep } from './next-step';
import type { Observed, ReconcileAction, SingletonCounts } from './next-step';
import { applyStep } from './reconcile-steps';
import type { StepOutcome } from './reconcile-steps';
import { targetOf } from './target';
import { gateVerdictOf } from './snapshot-gate';

/** Most steps one reconcile takes before it leaves the rest to the next nudge (a guard against a loop that never settles). */
export const MAX_RECONCILE_STEPS = 24;

/** One step a reconcile took, and what came of it. */
export interface ReconcileStep {
  readonly action: ReconcileAction;
  readonly outcome: StepOutcome;
}

/** What one reconcile did for an environment. */
export interface ReconcileResult {
  readonly env: string;
  /** The steps taken, in order; empty when there was nothing to do. */
  readonly steps: readonly ReconcileStep[];
  /** How it stopped: nothing left (`idle`), or waiting for ECS, AWS Backup or another owner (`wait`). */
  readonly settled: 'idle' | 'wait';
  readonly reason: string;
}

/**
 * reconcile(env): reads the ledger and the observed truth (ECS
 * DescribeServices/ListTasks/DescribeTasks of the service in flight, the
 * backup jobs of a pre-deploy snapshot, the release tag), takes the next step
 * ({@link nextStep}) and repeats until nothing is left to do or it has to wait.
 * Every handler only nudges it: the event that woke it never decides
 * anything. While something is in flight the environment's safety-net nudge
 * is armed; idle, it is disarmed.
 *
 * `owner` must be unique per invocation (the event id plus a nonce): it owns
 * the leases this reconcile takes, so a duplicate delivery running beside it
 * cannot start the same deployment twice.
 *
 * @example
 * const result = await reconcile('dev', `${event.id}/${randomUUID()}`, deps); // { settled: 'wait', steps: [{ action: { kind: 'start', ... } }] }
 */
export async function reconcile(env: string, owner: string, deps: DeployDeps): Promise<ReconcileResult> {
  const target = targetOf(env, deps);
  const steps: ReconcileStep[] = [];
  for (;;) {
    const record = await deps.ledger.getEnvironment(env);
    const action = nextStep(record, await observe(env, target, record, owner, deps));
    if (action.kind === 'idle') {
      await settleIdle(env, deps);
      return { env, steps, settled: 'idle', reason: action.reason };
    }
    if (action.kind === 'wait' || steps.length >= MAX_RECONCILE_STEPS) {
      await deps.nudge?.arm(env);
      return { env, steps, settled: 'wait', reason: action.kind === 'wait' ? action.reason : `stopped after ${steps.length} steps; the next nudge goes on` };
    }
    // Armed before anything starts: a crash after the start leaves the nudge that finds it.
    if (action.kind === 'start-queued' || action.kind === 'start' || action.kind === 'restore') await deps.nudge?.arm(env);
    steps.push({ action, outcome: await applyStep(env, target, record, action, owner, deps) });
    // Asked again for a snapshot: nothing more to do until a job shows up or the next nudge.
    if (action.kind === 're-request-snapshot') {
      await deps.nudge?.arm(env);
      return { env, steps, settled: 'wait', reason: action.reason };
    }
  }
}

/** Disarms the safety net, then looks once more: a deployment recorded meanwhile armed it before, and is re-armed here. */
async function settleIdle(env: string, deps: DeployDeps): Promise<void> {
  if (!deps.nudge) return;
  await deps.nudge.disarm(env);
  const record = await deps.ledger.getEnvironment(env);
  if (record?.inFlight || record?.queued || record?.restoring || record?.outbox) await deps.nudge.arm(env);
}

/** What the next step depends on besides the ledger; only what the phase needs is read. */
async function observe(env: string, target: DeployTarget, record: EnvironmentRecord | undefined, owner: string, deps: DeployDeps): Promise<Observed> {
  const now = deps.clock();
  const inFlight = record?.inFlight;
  const tag = (): Promise<string | undefined> => deps.ecr.resolveTag(target.repositoryName, releaseTagOf(env, target));
  if (!inFlight) {
    if (!record?.lastGood || record.queued) return { now, owner };
    // After a failed deployment: whether ECS runs the last good digest again (the singletons wait for it).
    if (record.restoring) return { now, owner, releaseTagDigest: await tag(), service: await deps.ecs.describe(target.cluster, target.service) };
    return { now, owner, releaseTagDigest: await tag(), singletons: await singletonCounts(target, deps) };
  }
  switch (inFlight.phase) {
    case 'starting':
      return { now, owner };
    case 'awaiting-snapshot':
      return { now, owner, gate: await gateVerdictOf(env, inFlight.request.deploymentId, deps) };
    case 'waiting-for-zero':
      return { now, owner, service: await deps.ecs.describe(target.cluster, inFlight.service ?? target.service) };
    case 'rolling': {
      const service = await deps.ecs.describe(target.cluster, inFlight.service ?? target.service);
      return { now, owner, service, releaseTagDigest: inFlight.request.kind === 'restart' ? undefined : await tag() };
    }
  }
}

/** portal-api's and the other singletons' desired counts (one DescribeServices for up to 10); none to read when the target names no other singleton. */
async function singletonCounts(target: DeployTarget, deps: DeployDeps): Promise<SingletonCounts | undefined> {
  const others = companionSingletons(target);
  if (others.length === 0) return undefined;
  const counts = await deps.ecs.desiredCounts(target.cluster, [target.service, ...others]);
  return { deployed: counts[target.service], others: Object.fromEntries(others.filter((name) => counts[name] !== undefined).map((name) => [name, counts[name]!])) };
}
