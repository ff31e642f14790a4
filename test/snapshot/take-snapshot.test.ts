import { DISCOVERY_MARGIN_MS, requestPreDeploySnapshot, SnapshotDetailType, sweepSnapshotJobs, takeSnapshot, trackBackupEvent } from '../../shared/snapshot';
import type { JobItem } from '../../shared/snapshot';
import { DB, fakeDeps, FS, recoveryPointOf } from './fakes';

const time = (iso: string): number => Date.parse(iso);

describe('takeSnapshot', () => {
  it('starts one job per resource with the slot token, lifecycle and tags naming what is deployed', async () => {
    const deps = fakeDeps({ resources: [FS, DB] }, { configHash: 'cfg-1', digest: `sha256:${'b'.repeat(64)}` });
    const results = await takeSnapshot(deps, { trigger: 'schedule', time: time('2026-01-02T03:00:05Z') });
    expect(results).toEqual([{ resourceArn: FS, jobId: 'job-1', kind: 'started' }, { resourceArn: DB, jobId: 'job-2', kind: 'started' }]);
    expect(deps.backup.started[0]).toMatchObject({
      BackupVaultName: 'wicked-prod', ResourceArn: FS, IamRoleArn: 'arn:aws:iam::1:role/backup', Lifecycle: { DeleteAfterDays: 35 },
      RecoveryPointTags: { 'wicked:environment': 'prod', 'wicked:trigger': 'schedule', 'wicked:config-hash': 'cfg-1', 'wicked:image-digest': `sha256:${'b'.repeat(64)}` },
    });
    expect(deps.backup.started[0]!.IdempotencyToken).not.toBe(deps.backup.started[1]!.IdempotencyToken);
    expect(deps.store.jobs.get('job-1')).toMatchObject({ state: 'CREATED', trigger: 'schedule', resourceArn: FS });
  });

  it('a duplicate delivery of the same scheduled run reuses the job (same token), the next slot starts a new one', async () => {
    const deps = fakeDeps();
    await takeSnapshot(deps, { trigger: 'schedule', time: time('2026-01-02T03:00:05Z') });
    deps.backup.states.set('job-1', 'COMPLETED');
    await deps.store.setJobState('prod', 'job-1', { state: 'COMPLETED', updatedAt: 't' });
    const again = await takeSnapshot(deps, { trigger: 'schedule', time: time('2026-01-02T09:00:00Z') });
    expect(again).toEqual([{ resourceArn: FS, jobId: 'job-1', kind: 'started' }]);
    expect(deps.backup.started).toHaveLength(1);
    await takeSnapshot(deps, { trigger: 'schedule', time: time('2026-01-03T03:00:01Z') });
    expect(deps.backup.started).toHaveLength(2);
  });

  it('joins a job of the resource that still runs instead of starting one AWS Backup would end EXPIRED', async () => {
    const deps = fakeDeps();
    await takeSnapshot(deps, { trigger: 'schedule', time: time('2026-01-02T03:00:05Z') });
    deps.backup.states.set('job-1', 'RUNNING');
    const joined = await takeSnapshot(deps, { trigger: 'manual', time: time('2026-01-02T03:01:00Z'), requestId: 'req-1' });
    expect(joined).toEqual([{ resourceArn: FS, jobId: 'job-1', kind: 'joined' }]);
    expect(deps.backup.started).toHaveLength(1);
    expect(deps.store.jobs.get('job-1')?.requestIds).toEqual(['req-1']);
  });

  it('does not join a job the ledger still thinks runs when AWS Backup says it ended (a missed event)', async () => {
    const deps = fakeDeps();
    await takeSnapshot(deps, { trigger: 'manual', time: time('2026-01-02T03:00:05Z'), requestId: 'a' });
    deps.backup.states.set('job-1', 'COMPLETED');
    const next = await takeSnapshot(deps, { trigger: 'manual', time: time('2026-01-02T04:00:00Z'), requestId: 'b' });
    expect(next[0]).toMatchObject({ jobId: 'job-2', kind: 'started' });
    // Recorded as track-backup records a COMPLETED: the job with its recovery point, the point itself (listed and
    // restorable), the copy to the DR vault when there is one, and the outcome for whoever waits on the job.
    expect(deps.store.jobs.get('job-1')).toMatchObject({ state: 'COMPLETED', recoveryPointArn: recoveryPointOf('job-1') });
    expect(deps.store.points).toEqual([expect.objectContaining({ recoveryPointArn: recoveryPointOf('job-1'), jobId: 'job-1', tags: expect.objectContaining({ 'wicked:trigger': 'manual' }) })]);
    expect(deps.events.of(SnapshotDetailType.Completed)).toEqual([expect.objectContaining({ jobId: 'job-1', recoveryPointArn: recoveryPointOf('job-1') })]);
  });

  it('a missed COMPLETED found this way is copied to the DR vault once, also when its event still comes', async () => {
    const deps = fakeDeps({ drVaultArn: 'arn:aws:backup:eu-central-1:2:backup-vault:dr' });
    await takeSnapshot(deps, { trigger: 'manual', time: time('2026-01-02T03:00:05Z'), requestId: 'a' });
    deps.backup.states.set('job-1', 'COMPLETED');
    await takeSnapshot(deps, { trigger: 'manual', time: time('2026-01-02T04:00:00Z'), requestId: 'b' });
    await trackBackupEvent(deps, {
      source: 'aws.backup', 'detail-type': 'Backup Job State Change', time: '2026-01-02T03:30:00Z', resources: [recoveryPointOf('job-1')],
      detail: { backupJobId: 'job-1', state: 'COMPLETED', resourceArn: FS, backupVaultName: 'wicked-prod' },
    });
    expect(new Set(deps.backup.copies.map((copy) => copy.IdempotencyToken)).size).toBe(1);
    expect(deps.backup.copies[0]).toMatchObject({ RecoveryPointArn: recoveryPointOf('job-1') });
  });

  it('joins a running job started outside the control plane (found through ListBackupJobs)', async () => {
    const deps = fakeDeps();
    deps.backup.runningOutside = 'plan-job';
    const joined = await takeSnapshot(deps, { trigger: 'manual', time: time('2026-01-02T03:00:05Z'), requestId: 'r' });
    expect(joined).toEqual([{ resourceArn: FS, jobId: 'plan-job', kind: 'joined' }]);
    expect(deps.store.jobs.get('plan-job')).toMatchObject({ requestIds: ['r'], state: 'RUNNING' });
  });

  it('a request that joins a running job records the resource\'s jobs the ledger does not know: a crashed attempt\'s job is then swept like any', async () => {
    const deps = fakeDeps();
    const requested = time('2026-01-02T03:00:00Z');
    // The first attempt started job-1 (the request's token) and died before recording it; job-1 completed, a plan's job started.
    await deps.backup.startBackupJob({ BackupVaultName: 'wicked-prod', ResourceArn: FS, IamRoleArn: 'r', IdempotencyToken: 't' });
    deps.backup.states.set('job-1', 'COMPLETED');
    deps.backup.runningOutside = 'plan-7';
    deps.backup.states.set('plan-7', 'RUNNING');
    deps.backup.listed.push(
      { jobId: 'job-1', state: 'COMPLETED', resourceArn: FS, recoveryPointArn: recoveryPointOf('job-1'), creationDate: '2026-01-02T03:00:01.000Z' },
      { jobId: 'plan-7', state: 'RUNNING', resourceArn: FS, creationDate: '2026-01-02T03:00:30.000Z' },
    );
    // The retry joins the plan's job, and finds the job its first attempt started.
    expect(await takeSnapshot(deps, { trigger: 'manual', time: requested, requestId: 'r-1' })).toEqual([{ resourceArn: FS, jobId: 'plan-7', kind: 'joined' }]);
    expect(deps.backup.listedSince).toEqual([new Date(requested - DISCOVERY_MARGIN_MS)]);
    expect(deps.store.jobs.get('plan-7')).toMatchObject({ requestIds: ['r-1'] });
    expect(deps.store.jobs.get('job-1')).toMatchObject({ trigger: 'external', state: 'COMPLETED', recoveryPointArn: recoveryPointOf('job-1'), outcomePending: true, startedAt: '2026-01-02T03:00:01.000Z' });
    // Every event of job-1 is lost: the sweep records it, its recovery point listed.
    await sweepSnapshotJobs(deps, '2026-01-02T03:02:00Z');
    expect(deps.store.points.map((point) => point.recoveryPointArn)).toEqual([recoveryPointOf('job-1')]);
    expect(deps.store.jobs.get('job-1')!.outcomePending).toBeUndefined();
  });

  it('keeps the request on a job found through ListBackupJobs that track-backup records from its first event meanwhile', async () => {
    const deps = fakeDeps();
    deps.backup.runningOutside = 'plan-job';
    const external: JobItem = { env: 'prod', jobId: 'plan-job', resourceArn: FS, vaultName: 'wicked-prod', iamRoleArn: 'arn:aws:iam::1:role/backup', trigger: 'external', state: 'RUNNING', startedAt: '2026-01-02T03:00:01Z', tags: {}, requestIds: [], deploymentIds: [] };
    const addRequesters = deps.store.addRequesters.bind(deps.store);
    let first = true;
    // The first read finds no item; track-backup's record of the job's RUNNING event lands right after it.
    deps.store.addRequesters = async (...args) => {
      if (!first) return addRequesters(...args);
      first = false;
      deps.store.jobs.set('plan-job', external);
      return undefined;
    };
    const joined = await takeSnapshot(deps, { trigger: 'manual', time: time('2026-01-02T03:00:05Z'), requestId: 'r' });
    expect(joined).toEqual([{ resourceArn: FS, jobId: 'plan-job', kind: 'joined' }]);
    expect(deps.store.jobs.get('plan-job')).toMatchObject({ requestIds: ['r'], trigger: 'manual', state: 'RUNNING' });
  });
});

describe('requestPreDeploySnapshot', () => {
  it('snapshots for the deployment: trigger and deployment tags, the deployment waits on the job', async () => {
    const deps = fakeDeps();
    await requestPreDeploySnapshot(deps, 'prod', 'dep-7', time('2026-01-02T10:00:00Z'));
    expect(deps.backup.started[0]!.RecoveryPointTags).toMatchObject({ 'wicked:trigger': 'pre-deploy', 'wicked:deployment-id': 'dep-7' });
    expect(deps.store.jobs.get('job-1')).toMatchObject({ deploymentIds: ['dep-7'], requestIds: ['deploy-dep-7'] });
  });
  it('refuses another environment with WRONG_ENVIRONMENT', async () => {
    await expect(requestPreDeploySnapshot(fakeDeps(), 'dev', 'dep-7')).rejects.toMatchObject({ code: 'WRONG_ENVIRONMENT', message: expect.stringContaining('received environment dev, expected prod') });
  });
});
