import { DeployDetailType } from '../events/deploy';
import type { DeploymentFailedDetail, FailureCause } from '../events/deploy';
import type { Completion, DeploymentRequest, EnvironmentRecord, InFlight } from '../ledger';
import { isActiveJobState } from '../snapshot/decisions';
import { observeJobs } from '../snapshot/observed-jobs';
import type { ObservedJob } from '../snapshot/observed-jobs';
import { SnapshotDetailType } from '../snapshot/events';
import type { SnapshotRequestedDetail } from '../snapshot/events';
import { putOutcome } from './announce';
import type { DeployDeps } from './deps';
import { releaseTagOf } from './env';
import type { DeployTarget } from './env';

/** How long a deployment waits for its pre-deploy snapshot before it fails as stuck. @default 2 hours */
export const DEFAULT_SNAPSHOT_WAIT_MS = 2 * 3_600_000;

/** A backup job as the gate reads it (a snapshot job item of the ledger table, or the job of one outcome event). */
export interface GateJob {
  readonly jobId: string;
  readonly resourceArn: string;
  readonly state: string;
  readonly recoveryPointArn?: string;
  readonly statusMessage?: string;
}

/** What a deployment waiting for its snapshot does next. */
export type GateVerdict =
  | { readonly kind: 'wait'; readonly reason: string; /** No backup job (of some resource) names the deployment yet: its request may have been lost or failed part-way. */ readonly noJob?: boolean }
  | { readonly kind: 'proceed'; readonly recoveryPointArns: readonly string[]; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

/**
 * Whether deployments of `env` take a snapshot first: the explicit setting
 * when there is one, otherwise on for an environment named `prod`.
 *
 * @example
 * preDeploySnapshotOn('prod', undefined) // true
 * preDeploySnapshotOn('prod', false) // false
 */
export function preDeploySnapshotOn(env: string, setting: boolean | undefined): boolean {
  return setting ?? env === 'prod';
}

/**
 * The `requestId` of a deployment's pre-deploy snapshot: stable, so a
 * retried request keys the same AWS Backup idempotency token.
 *
 * @example
 * snapshotRequestIdOf('d-3f2a') // 'deploy-d-3f2a'
 */
export function snapshotRequestIdOf(deploymentId: string): string {
  return `deploy-${deploymentId}`.slice(0, 64).replace(/[^A-Za-z0-9_-]/g, '-');
}

/**
 * Decides, purely, from every backup job that names the deployment: a
 * resource is done when one of its jobs COMPLETED with a recovery point,
 * pending while one is still active or COMPLETED without its recovery point
 * recorded yet (a job that met a running job hands its
 * requesters to that job, which then counts), and failed otherwise. Any
 * failed resource fails the gate; every resource done (each of `expected`,
 * the resources the snapshot covers, among them) lets the deploy proceed; no
 * job yet, or none of an expected resource (the request is still on its way,
 * or snapshot-data failed part-way), waits and asks again (`noJob`).
 *
 * @example
 * decideSnapshotGate([{ jobId: 'j1', resourceArn: efs, state: 'COMPLETED', recoveryPointArn: rp }]) // { kind: 'proceed', recoveryPointArns: [rp], ... }
 */
export function decideSnapshotGate(jobs: readonly GateJob[], expected: readonly string[] = []): GateVerdict {
  if (jobs.length === 0) return { kind: 'wait', reason: 'no backup job names the deployment yet', noJob: true };
  // Every resource the snapshot covers needs its recovery point: one whose job was never started (snapshot-data
  // failed after starting the others) must not let the deployment roll without it.
  const missing = expected.filter((resource) => !jobs.some((job) => job.resourceArn === resource));
  const resources = [...new Set(jobs.map((job) => job.resourceArn))];
  const points: string[] = [];
  const pending: string[] = [];
  const failed: string[] = [];
  for (const resource of resources) {
    const own = jobs.filter((job) => job.resourceArn === resource);
    const done = own.find((job) => job.state === 'COMPLETED' && job.recoveryPointArn);
    // A COMPLETED job always has a recovery point (AWS Backup API reference, DescribeBackupJob: RecoveryPointArn):
    // without one the ledger learned the state first (snapshot-data asked AWS Backup about a job it found) and
    // track-backup has not recorded the job's outcome yet. That is still pending; the gate's deadline bounds it.
    const active = own.find((job) => isActiveJobState(job.state) || job.state === 'COMPLETED');
    if (done) points.push(done.recoveryPointArn!);
    else if (active) pending.push(`${active.jobId} of ${resource} (${active.state === 'COMPLETED' ? 'COMPLETED, its recovery point not recorded yet' : active.state})`);
    else failed.push(...own.map((job) => `backup job ${job.jobId} of ${resource} ended ${job.state}: ${job.statusMessage ?? 'no message'}`));
  }
  if (failed.length > 0) return { kind: 'fail', reason: `pre-deploy snapshot failed: ${failed.join('; ')}` };
  if (missing.length > 0) {
    const waiting = pending.length > 0 ? `; waiting for backup job ${pending.join(', ')}` : '';
    return { kind: 'wait', reason: `no backup job of ${missing.join(', ')} names the deployment yet${waiting}`, noJob: true };
  }
  if (pending.length > 0) return { kind: 'wait', reason: `waiting for backup job ${pending.join(', ')}` };
  return { kind: 'proceed', recoveryPointArns: points, reason: `pre-deploy snapshot completed: ${points.join(', ')}` };
}

/**
 * Asks for the pre-deploy snapshot of a deployment whose lease `owner` holds
 * (`Portal Snapshot Requested`, handled by snapshot-data) and records that
 * the deployment waits for it, with a deadline and a stuck check. The
 * request goes first: a crash before the record is retried by the same owner
 * and the request's idempotency token joins the job already started.
 */
export async function requestGateSnapshot(request: DeploymentRequest, owner: string, deps: DeployDeps): Promise<InFlight> {
  const requestId = snapshotRequestIdOf(request.deploymentId);
  await publishSnapshotRequest(request, requestId, deps);
  const until = deps.clock() + (deps.snapshotWaitMs ?? DEFAULT_SNAPSHOT_WAIT_MS);
  const inFlight = await deps.ledger.recordAwaitingSnapshot(request.env, request.deploymentId, owner, requestId, until);
  await deps.scheduler?.scheduleStuckCheck({ env: request.env, deploymentId: request.deploymentId, at: new Date(until) });
  return inFlight;
}

/**
 * Asks again for the pre-deploy snapshot of a deployment that waits for it
 * while no backup job names it (the first `Portal Snapshot Requested` may
 * have been lost): the same request id, from which snapshot-data derives
 * StartBackupJob's `IdempotencyToken` (`shared/snapshot/take-snapshot.ts`),
 * so it joins a job already started instead of starting another
 * (AWS Backup API reference, `StartBackupJob`: "IdempotencyToken ... A
 * customer-chosen string that you can use to distinguish between otherwise
 * identical calls"). Nothing is written: the ledger keeps the deadline of the
 * first request, so a lost request costs one safety-net interval, not the deadline.
 */
export async function reRequestGateSnapshot(inFlight: InFlight, deps: DeployDeps): Promise<string> {
  const requestId = inFlight.snapshotRequestId ?? snapshotRequestIdOf(inFlight.request.deploymentId);
  await publishSnapshotRequest(inFlight.request, requestId, deps);
  return requestId;
}

/** Puts `Portal Snapshot Requested` (trigger `pre-deploy`) for a deployment. */
async function publishSnapshotRequest(request: DeploymentRequest, requestId: string, deps: DeployDeps): Promise<void> {
  const detail: SnapshotRequestedDetail = { env: request.env, trigger: 'pre-deploy', requestId, deploymentId: request.deploymentId };
  await deps.events.publish(SnapshotDetailType.Requested, detail);
}

/**
 * The gate's verdict for a waiting deployment from the snapshot jobs the
 * ledger table holds for it (`deps.snapshotJobs`, written by snapshot-data and
 * track-backup), each job the ledger still shows pending as AWS Backup
 * reports it now (`deps.backupJobs`, see `observeJobs`): read by the reconcile loop whatever
 * event woke it, so a job whose outcome event was lost, or is still on its
 * way, does not hold the deployment until its deadline. Without a job table
 * nothing is known and the deployment waits (until its deadline).
 */
export async function gateVerdictOf(env: string, deploymentId: string, deps: DeployDeps): Promise<GateVerdict> {
  const listed = deps.snapshotJobs ? (await deps.snapshotJobs.listJobs(env)).filter((job) => job.deploymentIds.includes(deploymentId)) : [];
  const reader = deps.backupJobs;
  const observed: ObservedJob<GateJob>[] = reader ? await observeJobs(listed, reader) : listed.map((job) => ({ job }));
  const verdict = decideSnapshotGate(observed.map((entry) => entry.job), deps.snapshotResources);
  const conflicts = observed.flatMap((entry) => (entry.conflict ? [entry.conflict] : []));
  if (verdict.kind !== 'wait' || conflicts.length === 0) return verdict;
  // Its requesters belong to the job that ran: asked again, snapshot-data joins that job (take-snapshot.ts, runningJob).
  return { kind: 'wait', reason: `${verdict.reason}; ${conflicts.join('; ')}`, noJob: true };
}

/**
 * Ends a deployment still waiting for its snapshot: nothing was changed on
 * ECS or ECR, so nothing is put back. Records why, puts `Portal Deployment
 * Failed`, notifies operators. Returns the completion (its `next` is the
 * queued deployment to start) or `undefined` when the deployment was no
 * longer waiting (a duplicate or late event).
 */
export async function failSnapshotGate(
  record: EnvironmentRecord, target: DeployTarget, cause: Extract<FailureCause, 'snapshot-failed' | 'stuck'>, reason: string, owner: string, deps: DeployDeps,
): Promise<Completion | undefined> {
  const { request } = record.inFlight!;
  const releaseTag = releaseTagOf(request.env, target);
  // A failure leaves the last good deployment where it is: the one read is the one after the end.
  const detail: DeploymentFailedDetail = {
    env: request.env, deploymentId: request.deploymentId, configHash: request.configHash, digest: request.digest, imageUri: request.imageUri, key: request.key,
    versionId: request.versionId, service: target.service, cause, reason, releaseDigest: record.lastGood?.digest, serviceEvents: [],
  };
  const notification = {
    subject: `wicked ${request.env}: deployment ${request.deploymentId} blocked by its pre-deploy snapshot`.slice(0, 100),
    message: `${reason}\nconfig ${request.configHash} (s3://${request.bucket}/${request.key}${request.versionId ? `@${request.versionId}` : ''}), image ${request.digest}\n`
      + `Nothing was changed: ${target.service} and the release tag ${releaseTag} stay as they are. Take a snapshot (wickedctl snapshot --env ${request.env} --follow), then upload the configuration again.`,
    attributes: { env: request.env, deploymentId: request.deploymentId, cause },
  };
  const announcement = { event: { detailType: DeployDetailType.DeploymentFailed, detail: { ...detail } }, notification };
  const completion = await deps.ledger.failSnapshotGate(request.env, request.deploymentId, { kind: cause === 'stuck' ? 'stuck' : 'failed', reason, announce: { announcement, owner } });
  if (!completion.completed) return undefined;
  await putOutcome(request.env, completion.entry!, deps, false);
  return completion;
}
