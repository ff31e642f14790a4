import { SnapshotError } from './errors';
import { decideStart, FAILED_JOB_STATES, isActiveJobState, isSameResourceConflict } from './decisions';
import type { SnapshotTrigger } from './inputs';
import { recoveryPointTags, toStartBackupJobInput } from './inputs';
import type { SnapshotDeps } from './ports';
import { idempotencyToken, scheduleSlot, slotKey } from './schedule';
import { recordObservedEnd } from './sweep';
import { externalJob, handOver, metJob } from './track';

/** One snapshot request, whatever triggered it. */
export interface SnapshotRequest {
  readonly trigger: SnapshotTrigger;
  /** When it was triggered (the event's time): the schedule slot comes from it. */
  readonly time: number;
  /** Keys the idempotency token of manual and pre-deploy requests. */
  readonly requestId?: string;
  readonly deploymentId?: string;
}

/** What happened to one resource of a request. */
export interface ResourceSnapshot {
  readonly resourceArn: string;
  readonly jobId: string;
  /** `started`: a new job (or the same job again for a duplicate token); `joined`: an already running job serves this request. */
  readonly kind: 'started' | 'joined';
}

function requestKey(request: SnapshotRequest): string {
  if (request.trigger === 'schedule') return '';
  return `${request.trigger === 'pre-deploy' ? 'deploy' : 'manual'}:${request.deploymentId ?? request.requestId ?? new Date(request.time).toISOString()}`;
}

/** A job the ledger believes is running, confirmed with AWS Backup (a missed event must not pin it forever). */
async function runningJob(deps: SnapshotDeps, resourceArn: string, time: number): Promise<string | undefined> {
  const jobs = await deps.store.listJobs(deps.config.env);
  const decision = decideStart(jobs, resourceArn);
  if (decision.kind === 'join') {
    const live = await deps.backup.describeBackupJob(decision.jobId);
    if (isActiveJobState(live.state)) return decision.jobId;
    // Its end was missed (or is on its way): recorded as track-backup would, so a point is listed and restorable and a
    // failure reported; a failure that ended too recently is left to its event, or to the sweep this request switches on.
    await recordObservedEnd(deps, jobs.find((candidate) => candidate.jobId === decision.jobId)!, live, new Date(time).toISOString());
  }
  return deps.backup.findRunningJob(resourceArn);
}

/** How long before a request its own job may have been created, as AWS Backup's clock sees it (clock skew). */
export const DISCOVERY_MARGIN_MS = 5 * 60_000;

/**
 * Records, as external jobs, the resource's jobs in the vault that AWS Backup created since the request (less
 * {@link DISCOVERY_MARGIN_MS}) and the ledger does not know. A request that died after StartBackupJob and before
 * recording its job, whose retry then joins another running job (a backup plan's that started meanwhile), left such
 * a job, known otherwise only from its own events: recorded here, its end is recorded from its event or by the sweep
 * this request switches on (one first seen ended is pending until its outcome is out), so its recovery point is
 * listed and restorable even when every one of its events is lost.
 */
async function recordUnknownJobs(deps: SnapshotDeps, resourceArn: string, time: number): Promise<void> {
  const { config } = deps;
  const known = new Set((await deps.store.listJobs(config.env)).map((job) => job.jobId));
  for (const view of await deps.backup.listJobsCreatedAfter(resourceArn, config.vaultName, new Date(time - DISCOVERY_MARGIN_MS))) {
    if (known.has(view.jobId)) continue;
    await deps.store.putJob(externalJob(deps, {
      jobId: view.jobId, resourceArn, vaultName: config.vaultName, state: view.state, startedAt: view.creationDate ?? new Date(time).toISOString(),
      statusMessage: view.statusMessage, recoveryPointArn: view.recoveryPointArn,
    }));
    deps.log?.('warn', 'recorded a backup job of the resource the ledger did not know', { resourceArn, jobId: view.jobId, state: view.state });
  }
}

async function snapshotResource(deps: SnapshotDeps, request: SnapshotRequest, resourceArn: string, tags: Record<string, string>): Promise<ResourceSnapshot> {
  const { config } = deps;
  const requestIds = request.requestId ? [request.requestId] : [];
  const deploymentIds = request.deploymentId ? [request.deploymentId] : [];
  const running = await runningJob(deps, resourceArn, request.time);
  if (running) {
    if (!(await deps.store.addRequesters(config.env, running, requestIds, deploymentIds))) {
      // A job found through ListBackupJobs: track-backup may record it from its first event between the two
      // writes, and then this put only claims it (trigger, tags): the requesters are added to the item either way.
      await deps.store.putJob({ env: config.env, jobId: running, resourceArn, vaultName: config.vaultName, iamRoleArn: config.iamRoleArn, trigger: request.trigger, state: 'RUNNING', startedAt: new Date(request.time).toISOString(), tags, requestIds, deploymentIds });
      await deps.store.addRequesters(config.env, running, requestIds, deploymentIds);
    }
    await recordUnknownJobs(deps, resourceArn, request.time);
    deps.log?.('info', 'joined the running backup job of the resource', { resourceArn, jobId: running });
    return { resourceArn, jobId: running, kind: 'joined' };
  }
  const key = request.trigger === 'schedule' ? slotKey(scheduleSlot(request.time, config.schedule)) : requestKey(request);
  const input = toStartBackupJobInput({ ...config, resourceArn, idempotencyToken: idempotencyToken(config.env, resourceArn, key), tags });
  const { jobId } = await deps.backup.startBackupJob(input);
  await deps.store.putJob({ env: config.env, jobId, resourceArn, vaultName: config.vaultName, iamRoleArn: config.iamRoleArn, trigger: request.trigger, state: 'CREATED', startedAt: new Date(request.time).toISOString(), tags, requestIds, deploymentIds });
  // A duplicate token returns the job started before: its item exists, add this request's ids to it.
  if (requestIds.length || deploymentIds.length) await deps.store.addRequesters(config.env, jobId, requestIds, deploymentIds);
  const handedTo = await handOverLateConflict(deps, jobId, request.time);
  if (handedTo) return { resourceArn, jobId: handedTo, kind: 'joined' };
  deps.log?.('info', 'backup job started', { resourceArn, jobId, trigger: request.trigger });
  return { resourceArn, jobId, kind: 'started' };
}

/**
 * AWS Backup ends a job that meets a running job of the same resource at
 * once, and its event may be handled before this function recorded the job
 * (track-backup then recorded it as external, with nobody to hand over).
 * Looked at after this function's own write, so one of the two sides always
 * sees the other: the requesters go to the running job now. Returns that job.
 */
async function handOverLateConflict(deps: SnapshotDeps, jobId: string, time: number): Promise<string | undefined> {
  const job = await deps.store.getJob(deps.config.env, jobId);
  if (!job || !FAILED_JOB_STATES.includes(job.state) || !isSameResourceConflict(job.statusMessage)) return undefined;
  const at = job.updatedAt ?? new Date(time).toISOString();
  const running = await metJob(deps, job, at);
  if (!running) return undefined;
  await handOver(deps, job, running, at);
  deps.log?.('warn', 'backup job had already met a running job of the same resource; its requesters wait for that job', { jobId, runningJobId: running });
  return running;
}

/**
 * Takes one snapshot of every configured resource: one AWS Backup job per
 * resource, with an idempotency token per schedule slot (a duplicate
 * scheduled trigger never makes two recovery points), recovery point tags
 * naming what is deployed, and the configured lifecycle; then the sweep is switched on (`sweepSnapshotJobs`). A job of the same
 * resource already running is joined instead of started again (AWS Backup
 * runs one job per resource and would end the second one EXPIRED).
 *
 * @example
 * await takeSnapshot(deps, { trigger: 'schedule', time: Date.parse(event.time) });
 */
export async function takeSnapshot(deps: SnapshotDeps, request: SnapshotRequest): Promise<ResourceSnapshot[]> {
  const deployed = await deps.deployed(deps.config.env);
  const tags = recoveryPointTags({
    env: deps.config.env,
    trigger: request.trigger,
    ...(deployed?.configHash ? { configHash: deployed.configHash } : {}),
    ...(deployed?.digest ? { digest: deployed.digest } : {}),
    ...(request.deploymentId ? { deploymentId: request.deploymentId } : {}),
  });
  const results: ResourceSnapshot[] = [];
  for (const resourceArn of deps.config.resources) results.push(await snapshotResource(deps, request, resourceArn, tags));
  // Switched on after the jobs are recorded: a sweep that switched it off meanwhile reads them and switches it on again.
  // A crash before this leaves the event to be retried, and the retry joins the recorded jobs and gets here.
  await deps.sweep?.arm(deps.config.env);
  return results;
}

/**
 * The pre-deploy gate's entry point (the seam for deploy-services): asks for
 * a snapshot that protects `deploymentId`. The deploy continues when
 * `Portal Snapshot Completed` names the deployment in `deploymentIds`, and
 * stays as it is on `Portal Snapshot Failed` (both put by track-backup).
 *
 * @example
 * await requestPreDeploySnapshot(deps, 'prod', 'dep-42', Date.now());
 */
export async function requestPreDeploySnapshot(deps: SnapshotDeps, env: string, deploymentId: string, time: number = Date.now()): Promise<ResourceSnapshot[]> {
  if (env !== deps.config.env) throw new SnapshotError('WRONG_ENVIRONMENT', `pre-deploy snapshot of ${deploymentId}: received environment ${env}, expected ${deps.config.env} (the environment this function snapshots)`, { context: { env, deploymentId } });
  return takeSnapshot(deps, { trigger: 'pre-deploy', time, deploymentId, requestId: `deploy-${deploymentId}`.slice(0, 64).replace(/[^A-Za-z0-9_-]/g, '-') });
}
