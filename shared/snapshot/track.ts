import type { BackupEventDecision } from './decisions';
import { decideBackupEvent, FAILED_JOB_STATES, hasJobEventToRecord, isActiveJobState } from './decisions';
import type { BackupJobEvent, CopyJobEvent, RestoreJobEvent, SnapshotOutcomeDetail, TrackBackupEvent } from './events';
import { SnapshotError } from './errors';
import { SnapshotDetailType } from './events';
import { toStartCopyJobInput } from './inputs';
import type { SnapshotDeps } from './ports';
import type { JobItem } from './store';
import { EXTERNAL_TRIGGER } from './store';

/** What track-backup did with one event: the handler turns it into metrics. */
export interface TrackResult {
  /** `claimed`: the end's outcome is another invocation's to put right now (the sweep takes it over should that one die). */
  readonly kind: BackupEventDecision['kind'] | 'ignored' | 'claimed' | 'restore' | 'copy';
  readonly state: string;
  readonly jobId: string;
  readonly recoveryPointArn?: string;
  readonly notified: boolean;
}

/**
 * How long an invocation that claimed the outcome of a job's end has to put it before another may
 * (`claimOutcome`): longer than the timeout of track-backup and snapshot-data (1 minute), so a claim outlives
 * the invocation that holds it, and one that died costs at most this long.
 */
export const OUTCOME_CLAIM_MS = 90_000;

/** Publishes to the operators' topic; the outcome (the job's final state) and env are attributes for subscription filters. */
async function notify(deps: SnapshotDeps, subject: string, message: string, context: Record<string, string> & { state: string }): Promise<void> {
  await deps.notifier.notify({ subject, message, attributes: { env: deps.config.env, severity: 'error', outcome: context.state.toLowerCase(), ...context } });
}

/** What the control plane knows of a job it did not start when it first records it. */
export interface ExternalJobFacts {
  readonly jobId: string;
  readonly resourceArn: string;
  readonly vaultName: string;
  readonly state: string;
  readonly startedAt: string;
  readonly statusMessage?: string | undefined;
  readonly recoveryPointArn?: string | undefined;
}

/**
 * The record of a job the control plane did not start (a backup plan's, a crashed request's, one AWS Backup
 * reports before its first event), as first written: external, with no requesters. One first recorded ended
 * has its outcome pending until it is out, so a handler that dies after writing it leaves the end to its
 * retry (or the sweep) rather than to nobody.
 */
export function externalJob(deps: SnapshotDeps, facts: ExternalJobFacts): JobItem {
  const { statusMessage, recoveryPointArn, ...job } = facts;
  return {
    ...job, env: deps.config.env, iamRoleArn: deps.config.iamRoleArn, trigger: EXTERNAL_TRIGGER, tags: {}, requestIds: [], deploymentIds: [],
    ...(statusMessage ? { statusMessage } : {}),
    ...(recoveryPointArn ? { recoveryPointArn } : {}),
    ...(isActiveJobState(job.state) ? {} : { outcomePending: true }),
  };
}

/** The job record, or one made from the event for a job the control plane did not start. */
function jobOrExternal(deps: SnapshotDeps, job: JobItem | undefined, event: BackupJobEvent): JobItem {
  return job ?? externalJob(deps, {
    jobId: event.detail.backupJobId, resourceArn: event.detail.resourceArn ?? 'unknown', vaultName: event.detail.backupVaultName ?? deps.config.vaultName,
    state: event.detail.state, startedAt: event.detail.creationDate ?? event.time, statusMessage: event.detail.statusMessage,
  });
}

/**
 * The job of the same resource that `job` met (AWS Backup runs one at a time per resource): one
 * still active, in the ledger or in AWS Backup (its first event still on its way); else one the
 * ledger saw run while `job` existed (started before `job` ended at `endedAt`, ended after `job`
 * started) and end before this event was handled: a short backup, or an event handled late.
 * Undefined when none is known yet.
 */
export async function metJob(deps: SnapshotDeps, job: JobItem, endedAt: string): Promise<string | undefined> {
  const others = (await deps.store.listJobs(deps.config.env)).filter((other) => other.jobId !== job.jobId && other.resourceArn === job.resourceArn);
  const active = others.find((other) => isActiveJobState(other.state));
  if (active) return active.jobId;
  const running = await deps.backup.findRunningJob(job.resourceArn);
  if (running) return running;
  const [started, ended] = [Date.parse(job.startedAt), Date.parse(endedAt)];
  const endedSince = others
    .filter((other) => other.updatedAt !== undefined && Date.parse(other.startedAt) <= ended && Date.parse(other.updatedAt) >= started)
    .sort((a, b) => Date.parse(b.updatedAt!) - Date.parse(a.updatedAt!));
  return endedSince[0]?.jobId;
}

/**
 * Adds a job's requesters to the running job it met (track-backup, or
 * snapshot-data when the job's conflict was handled before its record). A running job AWS Backup
 * knows but the ledger does not yet (its first event still on its way) is
 * recorded first, so the requesters are not lost (pending, with the sweep on:
 * its own end is recorded from its event or by the sweep); a running job that ended
 * meanwhile (its outcome named none of them) has its outcome put for them at
 * once. Outcomes are put with the job as written (see `setJobState`), so
 * one of the two always names the requesters.
 */
export async function handOver(deps: SnapshotDeps, job: JobItem, runningJobId: string, time: string): Promise<void> {
  const { env } = deps.config;
  if (!(await deps.store.addRequesters(env, runningJobId, job.requestIds, job.deploymentIds))) {
    const view = await deps.backup.describeBackupJob(runningJobId);
    // Described ended, its own outcome (its recovery point, the DR copy) is still to record: pending.
    await deps.store.putJob(externalJob(deps, {
      jobId: runningJobId, resourceArn: view.resourceArn ?? job.resourceArn, vaultName: job.vaultName, state: view.state, startedAt: time, recoveryPointArn: view.recoveryPointArn,
    }));
    await deps.sweep?.arm(env);
    await deps.store.addRequesters(env, runningJobId, job.requestIds, job.deploymentIds);
  }
  const running = await deps.store.getJob(env, runningJobId);
  const theirs = running && { ...running, deploymentIds: job.deploymentIds };
  if (theirs?.state === 'COMPLETED' && theirs.recoveryPointArn) {
    await deps.events.publish(SnapshotDetailType.Completed, outcome(theirs, 'COMPLETED', { recoveryPointArn: theirs.recoveryPointArn }), [theirs.recoveryPointArn]);
  } else if (theirs && FAILED_JOB_STATES.includes(theirs.state)) {
    await deps.events.publish(SnapshotDetailType.Failed, outcome(theirs, theirs.state, { reason: theirs.statusMessage ?? `backup job ${runningJobId} ended ${theirs.state}` }));
  }
}

function outcome(job: JobItem, state: string, extra: { recoveryPointArn?: string; reason?: string }): SnapshotOutcomeDetail {
  return { env: job.env, jobId: job.jobId, resourceArn: job.resourceArn, state, trigger: job.trigger, deploymentIds: job.deploymentIds, ...extra };
}

/**
 * Whether this invocation puts the outcome of the end `job` holds as written: `claimed` once it holds the claim
 * (`claimOutcome`); `out` when another invocation put it already; `held` while another invocation is putting it
 * right now. Then the sweep is switched on: it finds the outcome put, or puts it once that invocation's claim ran
 * out (it died). So invocations that record the same end at the same moment (a duplicate event, the sweep, a
 * snapshot request) tell it once, and none of them fails for it (track-backup's errors raise an alarm).
 */
async function claimOutcome(deps: SnapshotDeps, job: JobItem): Promise<'claimed' | 'out' | 'held'> {
  const { env } = deps.config;
  if (!job.outcomePending) return 'out';
  const now = deps.now?.() ?? Date.now();
  if (await deps.store.claimOutcome(env, job.jobId, now, now + OUTCOME_CLAIM_MS)) return 'claimed';
  const current = await deps.store.getJob(env, job.jobId);
  if (!current?.outcomePending) return 'out';
  await deps.sweep?.arm(env);
  const until = current.outcomeClaimedUntil === undefined ? 'now' : new Date(current.outcomeClaimedUntil).toISOString();
  deps.log?.('info', 'another invocation is putting the outcome of this end; the sweep puts it should that one die', { jobId: job.jobId, state: current.state, claimedUntil: until });
  return 'held';
}

/** The result of an event whose end this invocation does not announce: out already (`ignored`), or another's to put (`claimed`). */
function notOurs(claim: 'out' | 'held', state: string, jobId: string): TrackResult {
  return { kind: claim === 'held' ? 'claimed' : 'ignored', state, jobId, notified: false };
}

async function recordCompleted(deps: SnapshotDeps, job: JobItem, event: BackupJobEvent): Promise<TrackResult> {
  const { config } = deps;
  const recoveryPointArn = event.resources[0] ?? job.recoveryPointArn ?? '';
  const createdAt = event.detail.completionDate ?? event.time;
  const expiresAt = config.deleteAfterDays === undefined ? undefined : Math.floor(Date.parse(createdAt) / 1000) + config.deleteAfterDays * 86_400;
  await deps.store.putRecoveryPoint({
    env: config.env, recoveryPointArn, jobId: job.jobId, resourceArn: job.resourceArn, vaultName: job.vaultName, iamRoleArn: job.iamRoleArn,
    createdAt, sizeBytes: Number(event.detail.backupSizeInBytes ?? 0), tags: job.tags, ...(expiresAt !== undefined ? { expiresAt } : {}),
  });
  // The job as written: requesters handed over since it was read are named too.
  const completed = await deps.store.setJobState(config.env, job.jobId, { state: 'COMPLETED', recoveryPointArn, updatedAt: event.time, outcomePending: true });
  const claim = await claimOutcome(deps, completed);
  if (claim !== 'claimed') return notOurs(claim, 'COMPLETED', job.jobId);
  if (config.drVaultArn) {
    await deps.backup.startCopyJob(toStartCopyJobInput({ recoveryPointArn, sourceVaultName: job.vaultName, destinationVaultArn: config.drVaultArn, iamRoleArn: config.iamRoleArn, ...(config.drRetention ?? config) }));
  }
  await deps.events.publish(SnapshotDetailType.Completed, outcome(completed, 'COMPLETED', { recoveryPointArn }), [recoveryPointArn]);
  await deps.store.outcomeAnnounced(config.env, job.jobId);
  return { kind: 'completed', state: 'COMPLETED', jobId: job.jobId, recoveryPointArn, notified: false };
}

/**
 * Handles one `Backup Job State Change`: records progress (and switches the
 * sweep on, `sweepSnapshotJobs`, for a job's end whose event is lost), records the
 * recovery point when COMPLETED (and copies it to the disaster-recovery
 * vault), hands the requesters of a job that met a running job of the same
 * resource over to that job, and on FAILED, ABORTED or EXPIRED puts
 * `Portal Snapshot Failed` (a waiting deploy stays as it is) and notifies
 * the operators' topic. Redelivered or out-of-order events change nothing
 * once the job is final and its outcome out (`hasJobEventToRecord`), and of
 * invocations recording one end at the same moment one puts its outcome
 * (`claimOutcome`): an end is announced once, unless a handler dies between
 * announcing and recording it.
 */
export async function trackBackupJob(deps: SnapshotDeps, event: BackupJobEvent): Promise<TrackResult> {
  const { state, statusMessage, backupJobId } = event.detail;
  // A conflict event may overtake snapshot-data's record of its job: it is recorded as external here, and
  // whichever of the two writes second hands the requesters over (see `handOverLateConflict`); nobody waits.
  const stored = await deps.store.getJob(deps.config.env, backupJobId);
  const job = jobOrExternal(deps, stored, event);
  if (stored && !hasJobEventToRecord(stored, state)) return notOurs('out', state, backupJobId);
  // A job first seen here is recorded as external; snapshot-data claims it (trigger, tags) if it is its own and the event won the race.
  if (!stored) await deps.store.putJob(job);
  const runningJobId = FAILED_JOB_STATES.includes(state) ? await metJob(deps, job, event.time) : undefined;
  const decision = decideBackupEvent(state, statusMessage, runningJobId, Math.max(0, (deps.now?.() ?? Date.now()) - Date.parse(event.time)));
  if (decision.kind === 'wait') {
    throw new SnapshotError('RUNNING_JOB_UNKNOWN', `backup job ${backupJobId} of ${job.resourceArn} ended ${state} because another job of the resource runs, and that job is not known yet; expected its first event soon (retry)`, { retryable: true, context: { jobId: backupJobId, resourceArn: job.resourceArn } });
  }
  if (decision.kind === 'progress') {
    if (stored) await deps.store.setJobState(deps.config.env, backupJobId, { state, updatedAt: event.time });
    // Recorded running (a job first seen here: a backup plan's): the sweep records its end should that event be lost.
    await deps.sweep?.arm(deps.config.env);
    return { kind: 'progress', state, jobId: backupJobId, notified: false };
  }
  if (decision.kind === 'completed') return recordCompleted(deps, job, event);
  const ended = await deps.store.setJobState(deps.config.env, backupJobId, { state, updatedAt: event.time, outcomePending: true, ...(statusMessage ? { statusMessage } : {}) });
  const claim = await claimOutcome(deps, ended);
  if (claim !== 'claimed') return notOurs(claim, state, backupJobId);
  if (decision.kind === 'handover') {
    // The job as written: requesters snapshot-data added since it was read are handed over too.
    await handOver(deps, ended, decision.runningJobId, event.time);
    await deps.store.outcomeAnnounced(deps.config.env, backupJobId);
    deps.log?.('warn', 'backup job met a running job of the same resource; its requesters wait for that job', { jobId: backupJobId, runningJobId: decision.runningJobId });
    return { kind: 'handover', state, jobId: backupJobId, notified: false };
  }
  await deps.events.publish(SnapshotDetailType.Failed, outcome(ended, state, { reason: decision.reason }));
  await notify(deps, `Snapshot of ${deps.config.env} ${state}`, `Backup job ${backupJobId} of ${job.resourceArn} ended ${state}: ${decision.reason}`, { jobId: backupJobId, resourceArn: job.resourceArn, state, trigger: job.trigger });
  await deps.store.outcomeAnnounced(deps.config.env, backupJobId);
  return { kind: 'failed', state, jobId: backupJobId, notified: true };
}

async function trackRestoreOrCopy(deps: SnapshotDeps, event: RestoreJobEvent | CopyJobEvent): Promise<TrackResult> {
  const restore = event['detail-type'] === 'Restore Job State Change';
  const detail = event.detail as Record<string, string | undefined>;
  const jobId = (restore ? detail.restoreJobId : detail.copyJobId) ?? '';
  const state = detail.status ?? detail.state ?? 'UNKNOWN';
  const pointArn = (restore ? detail.recoveryPointArn : detail.sourceRecoveryPointArn) ?? event.resources[0];
  const kind = restore ? 'restore' : 'copy';
  const ours = pointArn !== undefined && (await deps.store.listRecoveryPoints(deps.config.env)).some((point) => point.recoveryPointArn === pointArn);
  const told = (notified: boolean): TrackResult => ({ kind, state, jobId, ...(pointArn ? { recoveryPointArn: pointArn } : {}), notified });
  if (!ours || !['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'].includes(state)) return { kind: ours ? kind : 'ignored', state, jobId, notified: false };
  // Told once: a redelivered end finds it told; one delivered twice at once is told by the invocation that claims it.
  const { env } = deps.config;
  const now = deps.now?.() ?? Date.now();
  const claim = await deps.store.claimNotice(env, { kind, jobId, state }, now, now + OUTCOME_CLAIM_MS);
  if (claim === 'told') return told(false);
  if (claim === 'held') {
    throw new SnapshotError('OUTCOME_CLAIMED', `the ${state} of ${kind} job ${jobId} of ${env} is being told by another invocation; retry`, { retryable: true, context: { env, jobId } });
  }
  await notify(deps, `${restore ? 'Restore' : 'Copy to the disaster-recovery vault'} of ${env} ${state}`, `${kind} job ${jobId} of ${pointArn} ended ${state}: ${detail.statusMessage ?? 'no message'}`, { jobId, recoveryPointArn: pointArn, state });
  await deps.store.noticeTold(env, kind, jobId);
  return told(true);
}

/**
 * Handles any event track-backup receives: backup job, restore job or copy
 * job state changes (restore and copy failures of this environment's points notify, once each:
 * `claimNotice`, as the outcome of a backup job's end).
 *
 * @example
 * const result = await trackBackupEvent(deps, TrackBackupEventSchema.parse(event));
 */
export async function trackBackupEvent(deps: SnapshotDeps, event: TrackBackupEvent): Promise<TrackResult> {
  if (event['detail-type'] === 'Backup Job State Change') return trackBackupJob(deps, event);
  return trackRestoreOrCopy(deps, event);
}
