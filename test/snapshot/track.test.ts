import type { BackupJobEvent, TrackBackupEvent } from '../../shared/snapshot';
import { SnapshotDetailType, takeSnapshot, trackBackupEvent } from '../../shared/snapshot';
import { FakeSweep, fakeDeps, FS, recoveryPointOf } from './fakes';

const SAME = 'Backup job failed because there was a running job for the same resource.';
const RP = 'arn:aws:backup:eu-west-1:1:recovery-point:rp-1';

function backupEvent(jobId: string, state: string, extra: Partial<BackupJobEvent['detail']> = {}, resources: string[] = []): TrackBackupEvent {
  return {
    source: 'aws.backup', 'detail-type': 'Backup Job State Change', time: '2026-01-02T03:00:00Z', resources,
    detail: { backupJobId: jobId, state, resourceArn: FS, backupVaultName: 'wicked-prod', ...extra },
  };
}

async function started(config: Parameters<typeof fakeDeps>[0] = {}): Promise<ReturnType<typeof fakeDeps>> {
  const deps = fakeDeps(config);
  await takeSnapshot(deps, { trigger: 'pre-deploy', time: Date.parse('2026-01-02T02:59:00Z'), requestId: 'deploy-dep-1', deploymentId: 'dep-1' });
  return deps;
}

describe('trackBackupEvent: backup jobs', () => {
  it('switches the sweep on once it recorded a job running (a backup plan\'s job it sees first), never for an end', async () => {
    const deps = { ...fakeDeps(), sweep: new FakeSweep() };
    deps.sweep.arm = async (env) => {
      // The first sweep finds the job pending.
      expect(deps.store.jobs.get('plan-job')).toMatchObject({ state: 'RUNNING', trigger: 'external' });
      deps.sweep.calls.push(`arm ${env}`);
    };
    await trackBackupEvent(deps, backupEvent('plan-job', 'RUNNING'));
    expect(deps.sweep.calls).toEqual(['arm prod']);
    await trackBackupEvent(deps, backupEvent('plan-job', 'COMPLETED', {}, [RP]));
    expect(deps.sweep.calls).toEqual(['arm prod']);
  });


  it('records the recovery point with its tags and expiry, marks the job, and resumes the waiting deployment', async () => {
    const deps = await started();
    const result = await trackBackupEvent(deps, backupEvent('job-1', 'COMPLETED', { completionDate: '2026-01-02T03:10:00.000Z', backupSizeInBytes: '2048' }, [RP]));
    expect(result).toEqual({ kind: 'completed', state: 'COMPLETED', jobId: 'job-1', recoveryPointArn: RP, notified: false });
    expect(deps.store.points).toEqual([expect.objectContaining({
      recoveryPointArn: RP, resourceArn: FS, sizeBytes: 2048, createdAt: '2026-01-02T03:10:00.000Z',
      expiresAt: Date.parse('2026-01-02T03:10:00Z') / 1000 + 35 * 86_400, tags: expect.objectContaining({ 'wicked:trigger': 'pre-deploy', 'wicked:deployment-id': 'dep-1' }),
    })]);
    expect(deps.store.jobs.get('job-1')).toMatchObject({ state: 'COMPLETED', recoveryPointArn: RP });
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([expect.objectContaining({ deploymentIds: ['dep-1'], recoveryPointArn: RP, trigger: 'pre-deploy' })]);
    expect(deps.backup.copies).toEqual([]);
  });

  it('copies every recovery point to the disaster-recovery vault when one is configured', async () => {
    const deps = await started({ drVaultArn: 'arn:aws:backup:eu-central-1:2:backup-vault:dr', drRetention: { deleteAfterDays: 90 } });
    await trackBackupEvent(deps, backupEvent('job-1', 'COMPLETED', {}, [RP]));
    expect(deps.backup.copies).toEqual([expect.objectContaining({ RecoveryPointArn: RP, DestinationBackupVaultArn: 'arn:aws:backup:eu-central-1:2:backup-vault:dr', Lifecycle: { DeleteAfterDays: 90 } })]);
  });

  it.each(['FAILED', 'ABORTED', 'EXPIRED'])('%s: the deployment stays blocked (Portal Snapshot Failed) and the operator is notified', async (state) => {
    const deps = await started();
    const result = await trackBackupEvent(deps, backupEvent('job-1', state, { statusMessage: 'it broke' }));
    expect(result).toMatchObject({ kind: 'failed', notified: true });
    expect(deps.events.of(SnapshotDetailType.Failed)).toEqual([expect.objectContaining({ deploymentIds: ['dep-1'], state, reason: 'it broke' })]);
    expect(deps.notifier.sent).toEqual([expect.objectContaining({ attributes: expect.objectContaining({ env: 'prod', severity: 'error', outcome: state.toLowerCase() }), message: expect.stringContaining(`ended ${state}: it broke`) })]);
    expect(deps.store.points).toEqual([]);
  });

  it('a job that met a running job of the same resource hands its requesters over, without failing or notifying', async () => {
    const deps = await started();
    await deps.store.putJob({ ...deps.store.jobs.get('job-1')!, jobId: 'job-0', state: 'RUNNING', requestIds: [], deploymentIds: [] });
    const result = await trackBackupEvent(deps, backupEvent('job-1', 'EXPIRED', { statusMessage: SAME }));
    expect(result).toMatchObject({ kind: 'handover', notified: false });
    expect(deps.store.jobs.get('job-0')).toMatchObject({ deploymentIds: ['dep-1'], requestIds: ['deploy-dep-1'] });
    expect(deps.events.published).toEqual([]);
    await trackBackupEvent(deps, backupEvent('job-0', 'COMPLETED', {}, [RP]));
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([expect.objectContaining({ jobId: 'job-0', deploymentIds: ['dep-1'] })]);
  });

  it('a running job AWS Backup reports but the ledger has not seen yet is recorded, so the handed-over requesters are kept for its COMPLETED', async () => {
    const deps = await started();
    deps.backup.runningOutside = 'plan-7';
    deps.backup.states.set('plan-7', 'RUNNING');
    expect(await trackBackupEvent(deps, backupEvent('job-1', 'EXPIRED', { statusMessage: SAME }))).toMatchObject({ kind: 'handover', notified: false });
    expect(deps.store.jobs.get('plan-7')).toMatchObject({ trigger: 'external', state: 'RUNNING', resourceArn: FS, deploymentIds: ['dep-1'], requestIds: ['deploy-dep-1'] });
    // The plan job's own first event arrives afterwards: it keeps the requesters.
    await trackBackupEvent(deps, backupEvent('plan-7', 'RUNNING'));
    await trackBackupEvent(deps, backupEvent('plan-7', 'COMPLETED', {}, [RP]));
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([expect.objectContaining({ jobId: 'plan-7', deploymentIds: ['dep-1'], recoveryPointArn: RP })]);
  });

  it('a job AWS Backup reported running but that completed before it was described is recorded with its recovery point, and its outcome put at once', async () => {
    const deps = { ...(await started()), sweep: new FakeSweep() };
    deps.backup.runningOutside = 'plan-7';
    deps.backup.states.set('plan-7', 'COMPLETED');
    expect(await trackBackupEvent(deps, backupEvent('job-1', 'EXPIRED', { statusMessage: SAME }))).toMatchObject({ kind: 'handover', notified: false });
    // A deploy gate reading the item meets a completed snapshot, not a completion without a point (which it would wait on).
    expect(deps.store.jobs.get('plan-7')).toMatchObject({ trigger: 'external', state: 'COMPLETED', recoveryPointArn: recoveryPointOf('plan-7'), deploymentIds: ['dep-1'] });
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([expect.objectContaining({ jobId: 'plan-7', deploymentIds: ['dep-1'], recoveryPointArn: recoveryPointOf('plan-7') })]);
    // Its own end is still to record (the recovery point listed, the DR copy): pending, with the sweep on, until its COMPLETED comes.
    expect(deps.store.jobs.get('plan-7')).toMatchObject({ outcomePending: true });
    expect(deps.sweep.on).toBe(true);
    expect(deps.store.points).toEqual([]);
    expect(await trackBackupEvent(deps, backupEvent('plan-7', 'COMPLETED', {}, [recoveryPointOf('plan-7')]))).toMatchObject({ kind: 'completed' });
    expect(deps.store.points).toEqual([expect.objectContaining({ recoveryPointArn: recoveryPointOf('plan-7') })]);
    expect(deps.store.jobs.get('plan-7')!.outcomePending).toBeUndefined();
  });

  it('a running job that completed while the requesters were handed over has its outcome put for them at once', async () => {
    const deps = await started();
    await deps.store.putJob({ ...deps.store.jobs.get('job-1')!, jobId: 'job-0', state: 'RUNNING', requestIds: [], deploymentIds: [] });
    const addRequesters = deps.store.addRequesters.bind(deps.store);
    // The COMPLETED of job-0 is recorded between the lookup of the running job and the handover.
    jest.spyOn(deps.store, 'addRequesters').mockImplementation(async (...args) => {
      await deps.store.setJobState('prod', 'job-0', { state: 'COMPLETED', recoveryPointArn: RP, updatedAt: '2026-01-02T03:01:00Z' });
      return addRequesters(...args);
    });
    expect(await trackBackupEvent(deps, backupEvent('job-1', 'EXPIRED', { statusMessage: SAME }))).toMatchObject({ kind: 'handover' });
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([expect.objectContaining({ jobId: 'job-0', deploymentIds: ['dep-1'], recoveryPointArn: RP, state: 'COMPLETED' })]);
  });

  it('a COMPLETED names the requesters handed over after the job was read (the outcome is put with the job as written)', async () => {
    const deps = await started();
    await deps.store.putJob({ ...deps.store.jobs.get('job-1')!, jobId: 'job-0', state: 'RUNNING', requestIds: [], deploymentIds: [] });
    const getJob = deps.store.getJob.bind(deps.store);
    // job-0's COMPLETED reads the job; the handover of dep-1 lands before the state is written.
    jest.spyOn(deps.store, 'getJob').mockImplementationOnce(async (env, jobId) => {
      const read = await getJob(env, jobId);
      await deps.store.addRequesters('prod', 'job-0', ['deploy-dep-1'], ['dep-1']);
      return read;
    });
    await trackBackupEvent(deps, backupEvent('job-0', 'COMPLETED', {}, [RP]));
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([expect.objectContaining({ jobId: 'job-0', deploymentIds: ['dep-1'] })]);
  });

  it('a running job that failed while the requesters were handed over has its failure put for them at once', async () => {
    const deps = await started();
    await deps.store.putJob({ ...deps.store.jobs.get('job-1')!, jobId: 'job-0', state: 'RUNNING', requestIds: [], deploymentIds: [] });
    const addRequesters = deps.store.addRequesters.bind(deps.store);
    jest.spyOn(deps.store, 'addRequesters').mockImplementation(async (...args) => {
      await deps.store.setJobState('prod', 'job-0', { state: 'FAILED', statusMessage: 'vault unreachable', updatedAt: '2026-01-02T03:01:00Z' });
      return addRequesters(...args);
    });
    expect(await trackBackupEvent(deps, backupEvent('job-1', 'EXPIRED', { statusMessage: SAME }))).toMatchObject({ kind: 'handover' });
    expect(deps.events.of(SnapshotDetailType.Failed)).toEqual([expect.objectContaining({ jobId: 'job-0', deploymentIds: ['dep-1'], state: 'FAILED', reason: 'vault unreachable' })]);
  });

  it('a running job that had already ended when the conflict is handled gets the requesters, and its outcome is put for them at once', async () => {
    const deps = await started(); // job-1 started 02:59 and ended EXPIRED at 03:00 (the event's time)
    // The plan's job-0 ran from 02:58 and COMPLETED at 02:59:30, recorded before job-1's EXPIRED is handled: AWS Backup runs nothing now.
    await trackBackupEvent(deps, { ...backupEvent('job-0', 'COMPLETED', { creationDate: '2026-01-02T02:58:00Z' }, [RP]), time: '2026-01-02T02:59:30Z' });
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([expect.objectContaining({ jobId: 'job-0', deploymentIds: [] })]);
    expect(await trackBackupEvent(deps, backupEvent('job-1', 'EXPIRED', { statusMessage: SAME }))).toMatchObject({ kind: 'handover', notified: false });
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([
      expect.objectContaining({ jobId: 'job-0', deploymentIds: [] }),
      expect.objectContaining({ jobId: 'job-0', deploymentIds: ['dep-1'], recoveryPointArn: RP }),
    ]);
    expect(deps.events.of(SnapshotDetailType.Failed)).toEqual([]);
    expect(deps.notifier.sent).toEqual([]);
  });

  it('a job of the resource that ended before the conflicting job started is not the one it met (retried instead)', async () => {
    const deps = await started();
    await trackBackupEvent(deps, { ...backupEvent('job-0', 'COMPLETED', { creationDate: '2026-01-02T02:50:00Z' }, [RP]), time: '2026-01-02T02:55:00Z' });
    await expect(trackBackupEvent(deps, backupEvent('job-1', 'EXPIRED', { statusMessage: SAME }))).rejects.toMatchObject({ code: 'RUNNING_JOB_UNKNOWN', retryable: true });
    expect(deps.store.jobs.get('job-0')?.deploymentIds).toEqual([]);
  });

  it('a conflict handled before the starter recorded its job: the starter, writing second, hands its requesters over; nobody waits', async () => {
    // A backup plan's job (plan-7) starts just after snapshot-data looked for a running job and just before its
    // own job-1 starts: AWS Backup ends job-1 EXPIRED at once, and that event overtakes snapshot-data's record of job-1.
    const deps = fakeDeps();
    deps.backup.states.set('plan-7', 'RUNNING');
    const startJob = deps.backup.startBackupJob.bind(deps.backup);
    deps.backup.startBackupJob = async (input) => {
      const started = await startJob(input);
      deps.backup.runningOutside = 'plan-7';
      expect(await trackBackupEvent(deps, backupEvent(started.jobId, 'EXPIRED', { statusMessage: SAME }))).toMatchObject({ kind: 'handover', notified: false });
      return started;
    };
    const results = await takeSnapshot(deps, { trigger: 'pre-deploy', time: Date.parse('2026-01-02T02:59:00Z'), requestId: 'deploy-dep-1', deploymentId: 'dep-1' });
    expect(results).toEqual([expect.objectContaining({ jobId: 'plan-7', kind: 'joined' })]);
    expect(deps.store.jobs.get('job-1')).toMatchObject({ trigger: 'pre-deploy', state: 'EXPIRED', deploymentIds: ['dep-1'] });
    expect(deps.store.jobs.get('plan-7')).toMatchObject({ deploymentIds: ['dep-1'], requestIds: ['deploy-dep-1'] });
    expect(deps.events.of(SnapshotDetailType.Failed)).toEqual([]);
    expect(deps.notifier.sent).toEqual([]);
  });

  it('a conflict handled after the starter recorded its job hands its requesters over from the record', async () => {
    const deps = fakeDeps();
    await takeSnapshot(deps, { trigger: 'pre-deploy', time: Date.parse('2026-01-02T02:59:00Z'), requestId: 'deploy-dep-1', deploymentId: 'dep-1' });
    deps.backup.runningOutside = 'plan-7';
    deps.backup.states.set('plan-7', 'RUNNING');
    expect(await trackBackupEvent(deps, backupEvent('job-1', 'EXPIRED', { statusMessage: SAME }))).toMatchObject({ kind: 'handover', notified: false });
    expect(deps.store.jobs.get('plan-7')).toMatchObject({ deploymentIds: ['dep-1'], requestIds: ['deploy-dep-1'] });
  });

  it('a conflicting job nobody records (a backup plan\'s) is handled as external at once, without an error', async () => {
    const deps = fakeDeps();
    await takeSnapshot(deps, { trigger: 'pre-deploy', time: Date.parse('2026-01-02T02:59:00Z'), requestId: 'deploy-dep-1', deploymentId: 'dep-1' });
    expect(await trackBackupEvent(deps, backupEvent('plan-3', 'EXPIRED', { statusMessage: SAME }))).toMatchObject({ kind: 'handover', notified: false });
    expect(deps.store.jobs.get('plan-3')).toMatchObject({ trigger: 'external', state: 'EXPIRED', deploymentIds: [] });
    expect(deps.store.jobs.get('job-1')?.deploymentIds).toEqual(['dep-1']); // the running job keeps its own
    expect(deps.notifier.sent).toEqual([]);
  });

  it.each([
    ['FAILED', { statusMessage: 'it broke' }, []],
    ['COMPLETED', {}, [RP]],
  ] as const)('an announced %s tells nobody again (a redelivered or late event); one whose outcome is pending is announced', async (state, extra, resources) => {
    const deps = await started();
    const end = backupEvent('job-1', state, extra, [...resources]);
    await trackBackupEvent(deps, end);
    const told = { published: deps.events.published.length, sent: deps.notifier.sent.length };
    expect(await trackBackupEvent(deps, end)).toMatchObject({ kind: 'ignored', notified: false });
    expect({ published: deps.events.published.length, sent: deps.notifier.sent.length }).toEqual(told);
    // The handler that recorded the end died before putting its outcome: the next to come (a redelivery, the sweep) puts it.
    deps.store.jobs.set('job-1', { ...deps.store.jobs.get('job-1')!, outcomePending: true });
    expect(await trackBackupEvent(deps, end)).toMatchObject({ kind: state === 'FAILED' ? 'failed' : 'completed' });
    expect(deps.events.published).toHaveLength(told.published + 1);
    expect(deps.store.jobs.get('job-1')!.outcomePending).toBeUndefined();
  });

  it('a job first seen through its end, whose handler died right after recording it, is announced by the retry', async () => {
    const deps = fakeDeps();
    const listJobs = deps.store.listJobs.bind(deps.store);
    let calls = 0;
    deps.store.listJobs = async () => { calls += 1; if (calls === 1) throw new Error('Lambda timed out'); return listJobs(); };
    const failed = backupEvent('plan-9', 'FAILED', { statusMessage: 'vault unreachable' });
    await expect(trackBackupEvent(deps, failed)).rejects.toThrow('Lambda timed out');
    expect(deps.store.jobs.get('plan-9')).toMatchObject({ state: 'FAILED', outcomePending: true });
    expect(await trackBackupEvent(deps, failed)).toMatchObject({ kind: 'failed', notified: true });
    expect(deps.notifier.sent).toHaveLength(1);
  });

  describe('two invocations recording one end at the same moment tell it once', () => {
    /** `deps` whose store runs `beside` (another invocation, to its end) right before the first call to `method`. */
    function besideBefore(deps: ReturnType<typeof fakeDeps>, method: 'setJobState' | 'claimOutcome' | 'outcomeAnnounced', beside: () => Promise<unknown>): ReturnType<typeof fakeDeps> {
      const store = Object.create(deps.store) as typeof deps.store;
      let ran = false;
      store[method] = (async (...args: unknown[]) => {
        if (!ran) { ran = true; await beside(); }
        return (deps.store[method] as (...a: unknown[]) => Promise<unknown>).apply(deps.store, args);
      }) as never;
      return { ...deps, store };
    }

    it('a duplicate that reads the job running and writes its end after the other put it is ignored', async () => {
      const deps = { ...(await started()), sweep: new FakeSweep() };
      const failed = backupEvent('job-1', 'FAILED', { statusMessage: 'vault unreachable' });
      let other: unknown;
      const result = await trackBackupEvent(besideBefore(deps, 'setJobState', async () => { other = await trackBackupEvent(deps, failed); }), failed);
      expect(other).toMatchObject({ kind: 'failed', notified: true });
      expect(result).toMatchObject({ kind: 'ignored', notified: false });
      expect(deps.notifier.sent).toHaveLength(1);
      expect(deps.events.of(SnapshotDetailType.Failed)).toHaveLength(1);
    });

    it('one that finds the outcome claimed by another right now leaves it to that one, without failing, and switches the sweep on', async () => {
      const logged: unknown[][] = [];
      const deps = { ...(await started()), sweep: new FakeSweep(), log: (...entry: unknown[]) => { logged.push(entry); } };
      const failed = backupEvent('job-1', 'FAILED', { statusMessage: 'vault unreachable' });
      let other: unknown;
      const result = await trackBackupEvent(besideBefore(deps, 'outcomeAnnounced', async () => { other = await trackBackupEvent(deps, failed); }), failed);
      expect(other).toEqual({ kind: 'claimed', state: 'FAILED', jobId: 'job-1', notified: false });
      expect(logged).toEqual([['info', expect.stringContaining('another invocation is putting the outcome'), { jobId: 'job-1', state: 'FAILED', claimedUntil: '2026-01-02T03:01:40.000Z' }]]);
      expect(deps.sweep.calls).toEqual(['arm prod']);
      expect(result).toMatchObject({ kind: 'failed', notified: true });
      // A redelivery finds the outcome out.
      expect(await trackBackupEvent(deps, failed)).toMatchObject({ kind: 'ignored' });
      expect(deps.notifier.sent).toHaveLength(1);
    });

    it('a COMPLETED recorded by two at once puts Portal Snapshot Completed once', async () => {
      const deps = { ...(await started()), sweep: new FakeSweep() };
      const completed = backupEvent('job-1', 'COMPLETED', {}, [RP]);
      let other: unknown;
      const result = await trackBackupEvent(besideBefore(deps, 'claimOutcome', async () => { other = await trackBackupEvent(deps, completed); }), completed);
      expect([other, result]).toEqual([expect.objectContaining({ kind: 'completed' }), expect.objectContaining({ kind: 'ignored' })]);
      expect(deps.events.of(SnapshotDetailType.Completed)).toHaveLength(1);
    });

    it('the claim of an invocation that died runs out: the end is told by the first retry after it', async () => {
      let now = Date.parse('2026-01-02T03:00:10Z');
      const deps = { ...(await started()), sweep: new FakeSweep(), now: () => now };
      const notify = deps.notifier.notify.bind(deps.notifier);
      deps.notifier.notify = async () => { throw new Error('Lambda timed out'); };
      const failed = backupEvent('job-1', 'FAILED', { statusMessage: 'vault unreachable' });
      await expect(trackBackupEvent(deps, failed)).rejects.toThrow('Lambda timed out');
      deps.notifier.notify = notify;
      now += 60_000; // Lambda's first retry: the dead invocation's claim still holds
      expect(await trackBackupEvent(deps, failed)).toMatchObject({ kind: 'claimed', notified: false });
      now += 30_000; // it ran out
      expect(await trackBackupEvent(deps, failed)).toMatchObject({ kind: 'failed', notified: true });
      expect(deps.notifier.sent).toHaveLength(1);
      expect(deps.store.jobs.get('job-1')).not.toHaveProperty('outcomePending');
      expect(deps.store.jobs.get('job-1')).not.toHaveProperty('outcomeClaimedUntil');
    });
  });

  it('a conflict with a job not known yet is retried (a retryable error), not reported', async () => {
    const deps = await started();
    await expect(trackBackupEvent(deps, backupEvent('job-1', 'EXPIRED', { statusMessage: SAME }))).rejects.toMatchObject({ code: 'RUNNING_JOB_UNKNOWN', retryable: true });
    expect(deps.events.published).toEqual([]);
  });

  it('ignores a late progress event of a finished job, and records external jobs first seen through their events', async () => {
    const deps = await started();
    await trackBackupEvent(deps, backupEvent('job-1', 'COMPLETED', {}, [RP]));
    expect(await trackBackupEvent(deps, backupEvent('job-1', 'RUNNING'))).toMatchObject({ kind: 'ignored' });
    expect(deps.store.jobs.get('job-1')?.state).toBe('COMPLETED');
    expect(await trackBackupEvent(deps, backupEvent('plan-1', 'RUNNING'))).toMatchObject({ kind: 'progress' });
    expect(deps.store.jobs.get('plan-1')).toMatchObject({ trigger: 'external', state: 'RUNNING', resourceArn: FS });
  });

  it('a RUNNING event that read the job before its COMPLETED was written leaves it COMPLETED, with its recovery point', async () => {
    const deps = await started();
    const before = { ...deps.store.jobs.get('job-1')! };
    await trackBackupEvent(deps, backupEvent('job-1', 'COMPLETED', {}, [RP]));
    // The RUNNING event's handler read the job as it was before (two deliveries running at once).
    const stale = { ...deps, store: Object.assign(Object.create(deps.store) as typeof deps.store, { getJob: async () => before }) };
    expect(await trackBackupEvent(stale, backupEvent('job-1', 'RUNNING'))).toMatchObject({ kind: 'progress' });
    expect(deps.store.jobs.get('job-1')).toMatchObject({ state: 'COMPLETED', recoveryPointArn: RP });
    expect(deps.events.of(SnapshotDetailType.Completed)).toHaveLength(1);
  });
});

describe('trackBackupEvent: restore and copy jobs', () => {
  const restore = (status: string, recoveryPointArn: string): TrackBackupEvent => ({
    source: 'aws.backup', 'detail-type': 'Restore Job State Change', time: '2026-01-02T05:00:00Z', resources: [recoveryPointArn],
    detail: { restoreJobId: 'r-1', status, recoveryPointArn, statusMessage: 'disk full' },
  });
  it.each([
    ['a failed restore of our point notifies', 'FAILED', RP, { kind: 'restore', notified: true }, 1],
    ['a completed restore of our point does not', 'COMPLETED', RP, { kind: 'restore', notified: false }, 0],
    ['a restore of another environment\'s point is ignored', 'FAILED', 'arn:other', { kind: 'ignored', notified: false }, 0],
  ])('%s', async (_case, status, point, expected, notifications) => {
    const deps = await started();
    await trackBackupEvent(deps, backupEvent('job-1', 'COMPLETED', {}, [RP]));
    expect(await trackBackupEvent(deps, restore(status, point))).toMatchObject(expected);
    expect(deps.notifier.sent).toHaveLength(notifications);
  });
  it('a failed copy to the DR vault notifies', async () => {
    const deps = await started();
    await trackBackupEvent(deps, backupEvent('job-1', 'COMPLETED', {}, [RP]));
    const copy: TrackBackupEvent = { source: 'aws.backup', 'detail-type': 'Copy Job State Change', time: 't', resources: [], detail: { copyJobId: 'c-1', state: 'FAILED', sourceRecoveryPointArn: RP } };
    expect(await trackBackupEvent(deps, copy)).toMatchObject({ kind: 'copy', notified: true });
    expect(deps.notifier.sent[0]).toMatchObject({ subject: expect.stringContaining('disaster-recovery vault') });
  });

  it('a redelivered failure of a restore or a copy tells nobody again', async () => {
    const deps = await started();
    await trackBackupEvent(deps, backupEvent('job-1', 'COMPLETED', {}, [RP]));
    const copy: TrackBackupEvent = { source: 'aws.backup', 'detail-type': 'Copy Job State Change', time: 't', resources: [], detail: { copyJobId: 'r-1', state: 'FAILED', sourceRecoveryPointArn: RP } };
    for (const event of [restore('FAILED', RP), copy]) {
      expect(await trackBackupEvent(deps, event)).toMatchObject({ notified: true });
      expect(await trackBackupEvent(deps, event)).toMatchObject({ notified: false });
    }
    // The restore and the copy, once each, although their job ids are the same.
    expect(deps.notifier.sent.map((sent) => sent.subject)).toEqual(['Restore of prod FAILED', 'Copy to the disaster-recovery vault of prod FAILED']);
  });

  it('a restore failure delivered twice at once is told by one invocation; one that died is told by a retry once its claim ran out', async () => {
    let now = Date.parse('2026-01-02T05:00:10Z');
    const deps = { ...(await started()), now: () => now };
    await trackBackupEvent(deps, backupEvent('job-1', 'COMPLETED', {}, [RP]));
    const notify = deps.notifier.notify.bind(deps.notifier);
    let beside: unknown;
    deps.notifier.notify = async () => {
      deps.notifier.notify = notify;
      beside = await trackBackupEvent(deps, restore('FAILED', RP)).catch((error: unknown) => error);
      throw new Error('Lambda timed out');
    };
    await expect(trackBackupEvent(deps, restore('FAILED', RP))).rejects.toThrow('Lambda timed out');
    expect(beside).toMatchObject({ code: 'OUTCOME_CLAIMED', retryable: true, message: 'the FAILED of restore job r-1 of prod is being told by another invocation; retry' });
    expect(deps.notifier.sent).toEqual([]);
    now += 60_000;
    await expect(trackBackupEvent(deps, restore('FAILED', RP))).rejects.toMatchObject({ code: 'OUTCOME_CLAIMED' });
    now += 120_000;
    expect(await trackBackupEvent(deps, restore('FAILED', RP))).toMatchObject({ kind: 'restore', notified: true });
    expect(await trackBackupEvent(deps, restore('FAILED', RP))).toMatchObject({ kind: 'restore', notified: false });
    expect(deps.notifier.sent).toHaveLength(1);
  });
});
