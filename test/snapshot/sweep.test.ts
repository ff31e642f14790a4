import { SnapshotDetailType, SnapshotError, sweepSnapshotJobs, takeSnapshot, toSweepScheduleInput, trackBackupEvent, SnapshotDataEventSchema } from '../../shared/snapshot';
import { FakeSweep, fakeDeps, FS, recoveryPointOf } from './fakes';

const time = (iso: string): number => Date.parse(iso);
const SAME = 'Backup job failed because there was a running job for the same resource.';

/** Dependencies over the fakes with the sweep schedule, and one manual snapshot requested: job-1 of the file system, CREATED. */
async function oneJob(config: Parameters<typeof fakeDeps>[0] = {}): Promise<ReturnType<typeof fakeDeps> & { sweep: FakeSweep }> {
  const deps = { ...fakeDeps(config), sweep: new FakeSweep() };
  await takeSnapshot(deps, { trigger: 'manual', time: time('2026-01-02T03:00:05Z'), requestId: 'a' });
  return deps;
}

describe('the snapshot sweep: a backup job whose state change was lost is recorded within one interval', () => {
  it('a request switches the sweep on once its jobs are recorded', async () => {
    const deps = { ...fakeDeps(), sweep: new FakeSweep() };
    deps.sweep.arm = async (env) => {
      // What the first sweep will read is there when it is switched on.
      expect([...deps.store.jobs.values()]).toEqual([expect.objectContaining({ jobId: 'job-1', state: 'CREATED' })]);
      deps.sweep.calls.push(`arm ${env}`);
    };
    await takeSnapshot(deps, { trigger: 'manual', time: time('2026-01-02T03:00:05Z'), requestId: 'a' });
    expect(deps.sweep.calls).toEqual(['arm prod']);
  });

  it('records a COMPLETED that AWS Backup reports as track-backup would (point, job, DR copy, outcome), then switches itself off', async () => {
    const deps = await oneJob({ drVaultArn: 'arn:aws:backup:eu-central-1:2:backup-vault:dr' });
    deps.backup.states.set('job-1', 'COMPLETED');
    const swept = await sweepSnapshotJobs(deps, '2026-01-02T03:02:00Z');
    expect(swept).toEqual({ recorded: [expect.objectContaining({ kind: 'completed', jobId: 'job-1', recoveryPointArn: recoveryPointOf('job-1') })], pending: 0, armed: false });
    expect(deps.store.jobs.get('job-1')).toMatchObject({ state: 'COMPLETED', recoveryPointArn: recoveryPointOf('job-1') });
    expect(deps.store.points).toEqual([expect.objectContaining({ recoveryPointArn: recoveryPointOf('job-1'), tags: expect.objectContaining({ 'wicked:trigger': 'manual' }) })]);
    expect(deps.backup.copies).toEqual([expect.objectContaining({ RecoveryPointArn: recoveryPointOf('job-1') })]);
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([expect.objectContaining({ jobId: 'job-1', recoveryPointArn: recoveryPointOf('job-1') })]);
    expect(deps.sweep.calls).toEqual(['arm prod', 'disarm prod']);
    expect(deps.sweep.on).toBe(false);
    // The event, when it still comes, writes the same again: still one point, one copy (its token).
    await trackBackupEvent(deps, {
      source: 'aws.backup', 'detail-type': 'Backup Job State Change', time: '2026-01-02T03:01:30Z', resources: [recoveryPointOf('job-1')],
      detail: { backupJobId: 'job-1', state: 'COMPLETED', resourceArn: FS, backupVaultName: 'wicked-prod' },
    });
    expect(deps.store.points).toHaveLength(1);
    expect(new Set(deps.backup.copies.map((copy) => copy.IdempotencyToken)).size).toBe(1);
  });

  it('leaves a job that still runs as it is, and stays on', async () => {
    const deps = await oneJob();
    deps.backup.states.set('job-1', 'RUNNING');
    expect(await sweepSnapshotJobs(deps, '2026-01-02T03:02:00Z')).toEqual({ recorded: [], pending: 1, armed: true });
    expect(deps.store.jobs.get('job-1')).toMatchObject({ state: 'CREATED' });
    expect(deps.sweep.calls).toEqual(['arm prod', 'arm prod']);
    expect(deps.events.published).toEqual([]);
  });

  it('a sweep retried after it died between its switch-off and its second look switches the sweep on again for a pending job', async () => {
    const deps = await oneJob();
    deps.backup.states.set('job-1', 'RUNNING');
    // (The schedule was switched off by the sweep that died; its retry finds the job pending.)
    await deps.sweep.disarm('prod');
    expect(await sweepSnapshotJobs(deps, '2026-01-02T03:02:00Z')).toMatchObject({ pending: 1, armed: true });
    expect(deps.sweep.on).toBe(true);
  });

  it('a job whose end was recorded by a handler that died before putting its outcome stays pending: the sweep puts it, once', async () => {
    const deps = await oneJob();
    deps.backup.states.set('job-1', 'COMPLETED');
    // track-backup wrote the end and died before Portal Snapshot Completed.
    await deps.store.setJobState('prod', 'job-1', { state: 'COMPLETED', recoveryPointArn: recoveryPointOf('job-1'), updatedAt: '2026-01-02T03:01:00Z', outcomePending: true });
    expect(await sweepSnapshotJobs(deps, '2026-01-02T03:02:00Z')).toMatchObject({ recorded: [expect.objectContaining({ kind: 'completed' })], pending: 0, armed: false });
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([expect.objectContaining({ jobId: 'job-1' })]);
    expect(deps.store.jobs.get('job-1')!.outcomePending).toBeUndefined();
    expect(await sweepSnapshotJobs(deps, '2026-01-02T03:03:00Z')).toMatchObject({ recorded: [], pending: 0 });
    expect(deps.events.of(SnapshotDetailType.Completed)).toHaveLength(1);
  });

  it('an end whose outcome another invocation is putting right now stays pending and the sweep on; once that claim runs out, the sweep puts it', async () => {
    const deps = await oneJob();
    deps.backup.states.set('job-1', 'COMPLETED');
    await deps.store.setJobState('prod', 'job-1', { state: 'COMPLETED', recoveryPointArn: recoveryPointOf('job-1'), updatedAt: '2026-01-02T03:01:00Z', outcomePending: true });
    // track-backup claimed the outcome at the fake's now (03:00:10) and has not put it yet.
    expect(await deps.store.claimOutcome('prod', 'job-1', time('2026-01-02T03:00:10Z'), time('2026-01-02T03:01:40Z'))).toBe(true);
    expect(await sweepSnapshotJobs(deps, '2026-01-02T03:01:00Z')).toEqual({ recorded: [], pending: 1, armed: true });
    expect(deps.events.published).toEqual([]);
    // That invocation died: the next sweep, after its claim ran out, puts the outcome.
    const late = { ...deps, now: () => time('2026-01-02T03:02:00Z') };
    expect(await sweepSnapshotJobs(late, '2026-01-02T03:02:00Z')).toMatchObject({ recorded: [expect.objectContaining({ kind: 'completed' })], pending: 0, armed: false });
    expect(deps.events.of(SnapshotDetailType.Completed)).toHaveLength(1);
  });

  it('records a failure only once its event had an interval to arrive: then Portal Snapshot Failed and one notification', async () => {
    const deps = await oneJob();
    deps.backup.states.set('job-1', 'FAILED');
    deps.backup.details.set('job-1', { statusMessage: 'vault unreachable', completionDate: '2026-01-02T03:01:30.000Z' });
    // 30 s after the end: its event is likely on its way, and both would notify.
    expect(await sweepSnapshotJobs(deps, '2026-01-02T03:02:00Z')).toMatchObject({ recorded: [], pending: 1, armed: true });
    expect(deps.notifier.sent).toEqual([]);
    // A minute after: lost, recorded as track-backup records it.
    const swept = await sweepSnapshotJobs(deps, '2026-01-02T03:02:30Z');
    expect(swept).toEqual({ recorded: [expect.objectContaining({ kind: 'failed', state: 'FAILED', notified: true })], pending: 0, armed: false });
    expect(deps.store.jobs.get('job-1')).toMatchObject({ state: 'FAILED', statusMessage: 'vault unreachable' });
    expect(deps.events.of(SnapshotDetailType.Failed)).toEqual([expect.objectContaining({ jobId: 'job-1', state: 'FAILED', reason: 'vault unreachable' })]);
    expect(deps.notifier.sent).toEqual([expect.objectContaining({ message: expect.stringContaining('vault unreachable') })]);
  });

  it('records a failure at once when AWS Backup names no end time (reported twice rather than never)', async () => {
    const deps = await oneJob();
    deps.backup.states.set('job-1', 'ABORTED');
    expect(await sweepSnapshotJobs(deps, '2026-01-02T03:01:00Z')).toMatchObject({ recorded: [expect.objectContaining({ kind: 'failed', state: 'ABORTED' })], armed: false });
    expect(deps.notifier.sent).toHaveLength(1);
  });

  it('hands the requesters of a job that met a running job of its resource over to that job, as track-backup does', async () => {
    const deps = await oneJob();
    await deps.store.putJob({ env: 'prod', jobId: 'plan-job', resourceArn: FS, vaultName: 'wicked-prod', iamRoleArn: 'r', trigger: 'external', state: 'RUNNING', startedAt: '2026-01-02T02:59:00Z', tags: {}, requestIds: [], deploymentIds: [] });
    deps.backup.states.set('plan-job', 'RUNNING');
    deps.backup.states.set('job-1', 'EXPIRED');
    deps.backup.details.set('job-1', { statusMessage: SAME, completionDate: '2026-01-02T03:00:06.000Z' });
    const swept = await sweepSnapshotJobs(deps, '2026-01-02T03:02:00Z');
    expect(swept.recorded).toEqual([expect.objectContaining({ kind: 'handover', jobId: 'job-1', notified: false })]);
    expect(deps.store.jobs.get('plan-job')).toMatchObject({ requestIds: ['a'] });
    expect(deps.notifier.sent).toEqual([]);
    // The job it met still runs: the sweep stays on for it.
    expect(swept).toMatchObject({ pending: 1, armed: true });
  });

  it('a conflict whose running job is not known yet stays pending for the next sweep (no failure, no notification)', async () => {
    const deps = { ...(await oneJob()), now: () => Date.parse('2026-01-02T03:02:00Z') };
    deps.backup.states.set('job-1', 'EXPIRED');
    deps.backup.details.set('job-1', { statusMessage: SAME, completionDate: '2026-01-02T03:00:06.000Z' });
    expect(await sweepSnapshotJobs(deps, '2026-01-02T03:02:00Z')).toEqual({ recorded: [], pending: 1, armed: true });
    expect(deps.notifier.sent).toEqual([]);
  });

  it('switched off with nothing pending, it looks once more: a job recorded meanwhile switches it on again', async () => {
    const deps = await oneJob();
    deps.backup.states.set('job-1', 'COMPLETED');
    deps.sweep.afterDisarm = async () => {
      deps.sweep.afterDisarm = undefined;
      await takeSnapshot({ ...deps, sweep: undefined }, { trigger: 'manual', time: time('2026-01-02T03:02:00Z'), requestId: 'b' });
    };
    expect(await sweepSnapshotJobs(deps, '2026-01-02T03:02:00Z')).toMatchObject({ pending: 0, armed: true });
    expect(deps.sweep.calls).toEqual(['arm prod', 'disarm prod', 'arm prod']);
    expect(deps.sweep.on).toBe(true);
  });

  it('a job that cannot be read is left pending, the others are swept, and the sweep fails naming it (retried)', async () => {
    const deps = await oneJob({ resources: [FS, 'arn:aws:rds:eu-west-1:1:db:wicked-prod'] });
    deps.backup.states.set('job-1', 'COMPLETED');
    deps.backup.describeErrors.set('job-2', new SnapshotError('BACKUP_FAILED', 'describing backup job job-2: ThrottlingException: slow down', { retryable: true }));
    const failed = sweepSnapshotJobs(deps, '2026-01-02T03:02:00Z');
    await expect(failed).rejects.toMatchObject({ code: 'BACKUP_FAILED', retryable: true, message: expect.stringMatching(/sweeping the backup jobs of prod: backup job job-2: .*ThrottlingException/) });
    expect(deps.store.jobs.get('job-1')).toMatchObject({ state: 'COMPLETED' });
    expect(deps.sweep.on).toBe(true);
  });

  it('is invoked by its schedule every minute with the scheduled time, an event snapshot-data accepts', () => {
    const input = toSweepScheduleInput('prod', { groupName: 'stuck', functionArn: 'arn:aws:lambda:eu-west-1:1:function:snapshot-data', roleArn: 'arn:aws:iam::1:role/schedule' });
    expect(input).toMatchObject({ Name: 'snapshot-sweep-prod', GroupName: 'stuck', ScheduleExpression: 'rate(1 minute)', State: 'ENABLED', Target: { Arn: 'arn:aws:lambda:eu-west-1:1:function:snapshot-data', RoleArn: 'arn:aws:iam::1:role/schedule' } });
    // As Scheduler fills in its context attributes.
    const delivered = JSON.parse(input.Target!.Input!.replace('<aws.scheduler.execution-id>', 'x-1').replace('<aws.scheduler.scheduled-time>', '2026-01-02T03:02:00Z'));
    expect(SnapshotDataEventSchema.parse(delivered)).toEqual({ id: 'x-1', source: 'aws.scheduler', 'detail-type': 'Snapshot Sweep Due', time: '2026-01-02T03:02:00Z', detail: { env: 'prod' } });
  });
});
