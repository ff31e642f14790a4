import type * as z from '../zod';
import type { SnapshotOutcomeDetailSchema } from '../snapshot/events';
import { continueAfterSnapshot, startDeployment } from './deploy-services';
import type { StartResult } from './deploy-services';
import type { DeployDeps } from './deps';
import { gateVerdictOf } from './snapshot-gate';

/** Detail of `Portal Snapshot Completed` / `Portal Snapshot Failed`, parsed. */
export type SnapshotOutcome = z.infer<typeof SnapshotOutcomeDetailSchema>;

/** What a snapshot outcome did to the deployment waiting for it. */
export type SnapshotResumeResult = { readonly action: 'ignored'; readonly reason: string } | StartResult;

/**
 * The pre-deploy gate's continuation: a `Portal Snapshot Completed` or
 * `Portal Snapshot Failed` naming the deployment in flight decides it from
 * every backup job of that deployment. Completed for every resource: the
 * recovery points are recorded and the services roll (one event wins).
 * Failed: the deployment fails, nothing changed. Outcomes of other
 * deployments, duplicates and late events change nothing.
 *
 * @example
 * await resumeOnSnapshotOutcome(SnapshotOutcomeDetailSchema.parse(event.detail), event.id, deps);
 */
export async function resumeOnSnapshotOutcome(detail: SnapshotOutcome, eventId: string, deps: DeployDeps): Promise<SnapshotResumeResult> {
  const target = deps.targets[detail.env];
  if (!target) return { action: 'ignored', reason: `environment ${detail.env} is not one this function deploys` };
  const inFlight = (await deps.ledger.getEnvironment(detail.env))?.inFlight;
  const deploymentId = inFlight?.request.deploymentId;
  if (!inFlight || !deploymentId || !detail.deploymentIds.includes(deploymentId)) {
    return { action: 'ignored', reason: `no deployment in flight in ${detail.env} waits for job ${detail.jobId} (it names ${detail.deploymentIds.join(', ') || 'none'})` };
  }
  if (inFlight.phase === 'starting' && inFlight.lease.owner === eventId && inFlight.recoveryPointArns) {
    return startDeployment(inFlight.request, eventId, deps); // this event resumed it before and crashed: roll on
  }
  if (inFlight.phase !== 'awaiting-snapshot') return { action: 'ignored', reason: `${deploymentId} no longer waits for its snapshot (phase ${inFlight.phase})` };
  const eventJob = { jobId: detail.jobId, resourceArn: detail.resourceArn, state: detail.state, recoveryPointArn: detail.recoveryPointArn, statusMessage: detail.reason };
  return continueAfterSnapshot(inFlight, target, await gateVerdictOf(detail.env, deploymentId, deps, eventJob), eventId, deps);
}
