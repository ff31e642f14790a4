import { BackupClient, CreateBackupVaultCommand, DeleteRecoveryPointCommand, DescribeBackupJobCommand, DescribeRestoreJobCommand, ListRecoveryPointsByResourceCommand, StartBackupJobCommand, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileSystem } from '../../../local/backup';
import { SAME_RESOURCE_MESSAGE, startBackup } from '../../../local/backup';
import { LocalBus } from '../../../local/bus';
import type { Clock } from '../../../local/kernel/clock';
import { scaledClock } from '../../../local/kernel/clock';
import { flush, ManualClock } from './manual-clock';
import { signalBudget } from '../../helpers/signals';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const ROLE = 'arn:aws:iam::000000000000:role/backup';

describe('local AWS Backup through @aws-sdk/client-backup', () => {
  let dir: string;
  let clock: Clock;
  let bus: LocalBus;
  let backup: Awaited<ReturnType<typeof startBackup>>;
  let client: BackupClient;
  let efs: FileSystem;

  async function start(withClock: Clock): Promise<void> {
    clock = withClock;
    bus = new LocalBus({ clock });
    backup = await startBackup({ clock, bus, stateDir: dir });
    client = new BackupClient({ ...local, endpoint: backup.url });
    await client.send(new CreateBackupVaultCommand({ BackupVaultName: 'wicked-dev' }));
    efs = await backup.control.createFileSystem('fs-0123456789abcdef0');
    await mkdir(join(efs.path, 'apis'), { recursive: true });
    await writeFile(join(efs.path, 'apis', 'petstore.json'), '{"name":"petstore"}');
    await writeFile(join(efs.path, 'globals.json'), Buffer.from([0, 1, 2, 255, 254]));
  }

  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'local-backup-')); });
  afterEach(async () => {
    client.destroy();
    await backup.stop();
    bus.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const startJob = (token?: string, lifecycle?: { DeleteAfterDays: number }) => client.send(new StartBackupJobCommand({
    BackupVaultName: 'wicked-dev', ResourceArn: efs.arn, IamRoleArn: ROLE, ...(token ? { IdempotencyToken: token } : {}), ...(lifecycle ? { Lifecycle: lifecycle } : {}),
  }));
  /** Advances a manual clock until `done` holds. */
  async function runUntil(manual: ManualClock, done: () => boolean): Promise<void> {
    // File copies are real I/O, so this waits in wall time too: one backstop inside the test's jest limit, not a bound on speed.
    const budget = signalBudget(50_000);
    while (!done() && budget.left() > 1) {
      await flush();
      if (manual.pending > 0) manual.advance(1000);
      else await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(done()).toBe(true);
  }
  /** Advances a manual clock until every job has reached its final state. */
  const runUntilSettled = (manual: ManualClock): Promise<void> =>
    runUntil(manual, () => [...backup.control.jobs.values()].every((job) => ['COMPLETED', 'FAILED', 'ABORTED', 'EXPIRED'].includes(job.state)));
  const describe_ = (id: string) => client.send(new DescribeBackupJobCommand({ BackupJobId: id }));

  it('returns the same job for a retried call with the same IdempotencyToken (StartBackupJob API reference)', async () => {
    await start(scaledClock(1000));
    const first = await startJob('deploy-42');
    const again = await startJob('deploy-42');
    expect(again.BackupJobId).toBe(first.BackupJobId);
    expect(again.RecoveryPointArn).toBe(first.RecoveryPointArn);
    await backup.control.settled();
    expect(backup.control.jobs.size).toBe(1);
    expect((await describe_(first.BackupJobId!)).State).toBe('COMPLETED');
  });

  it('lets only one backup job run per resource: the second ends with "running job for the same resource" (AWS Backup quotas; EventBridge examples page)', async () => {
    // a manual clock: the first job cannot finish before the second call arrives, however slow the machine
    const manual = new ManualClock();
    await start(manual);
    const first = await startJob();
    const second = await startJob();
    expect(second.BackupJobId).not.toBe(first.BackupJobId);
    await runUntilSettled(manual);
    expect((await describe_(first.BackupJobId!)).State).toBe('COMPLETED');
    expect(await describe_(second.BackupJobId!)).toMatchObject({ State: 'EXPIRED', StatusMessage: SAME_RESOURCE_MESSAGE });
    const points = await client.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: efs.arn }));
    expect(points.RecoveryPoints!.map((p) => p.RecoveryPointArn)).toEqual([first.RecoveryPointArn]);
    // once the first has finished, a new job runs
    const third = await startJob();
    await runUntilSettled(manual);
    expect((await describe_(third.BackupJobId!)).State).toBe('COMPLETED');
  });

  it('snapshots, then restores byte-identical files into an aws-backup-restore_ directory without touching the live files ("Restore an Amazon EFS file system")', async () => {
    await start(scaledClock(1000));
    const job = await startJob();
    await backup.control.settled();
    const described = await describe_(job.BackupJobId!);
    expect(described).toMatchObject({ State: 'COMPLETED', PercentDone: '100', BackupSizeInBytes: 24, ResourceType: 'EFS', BackupVaultName: 'wicked-dev', RecoveryPointArn: job.RecoveryPointArn });
    expect(described.CreationDate).toBeInstanceOf(Date);
    // the live data changes after the snapshot
    await writeFile(join(efs.path, 'apis', 'petstore.json'), '{"name":"changed"}');
    await rm(join(efs.path, 'globals.json'));
    const restore = await client.send(new StartRestoreJobCommand({ RecoveryPointArn: job.RecoveryPointArn, IamRoleArn: ROLE, Metadata: { 'file-system-id': efs.id, newFileSystem: 'false' } }));
    await backup.control.settled();
    const done = await client.send(new DescribeRestoreJobCommand({ RestoreJobId: restore.RestoreJobId }));
    expect(done).toMatchObject({ Status: 'COMPLETED', CreatedResourceArn: efs.arn, RecoveryPointArn: job.RecoveryPointArn });
    const restored = (await readdir(efs.path)).filter((name) => name.startsWith('aws-backup-restore_'));
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatch(/^aws-backup-restore_\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(await readFile(join(efs.path, restored[0]!, 'apis', 'petstore.json'), 'utf8')).toBe('{"name":"petstore"}');
    expect((await readFile(join(efs.path, restored[0]!, 'globals.json'))).equals(Buffer.from([0, 1, 2, 255, 254]))).toBe(true);
    expect(await readFile(join(efs.path, 'apis', 'petstore.json'), 'utf8')).toBe('{"name":"changed"}'); // never overwritten
    // a second restore lands in its own directory
    await client.send(new StartRestoreJobCommand({ RecoveryPointArn: job.RecoveryPointArn, IamRoleArn: ROLE, Metadata: { 'file-system-id': efs.id } }));
    await backup.control.settled();
    expect((await readdir(efs.path)).filter((name) => name.startsWith('aws-backup-restore_'))).toHaveLength(2);
  });

  it('restores single items and to a new file system', async () => {
    await start(scaledClock(1000));
    const job = await startJob();
    await backup.control.settled();
    const items = await client.send(new StartRestoreJobCommand({ RecoveryPointArn: job.RecoveryPointArn, IamRoleArn: ROLE, Metadata: { 'file-system-id': efs.id, ItemsToRestore: '["/apis/petstore.json"]' } }));
    const fresh = await client.send(new StartRestoreJobCommand({ RecoveryPointArn: job.RecoveryPointArn, IamRoleArn: ROLE, Metadata: { 'file-system-id': efs.id, newFileSystem: 'true' } }));
    await backup.control.settled();
    const itemJob = backup.control.restoreJobs.get(items.RestoreJobId!)!;
    expect(await readdir(itemJob.restoredPath!)).toEqual(['apis']);
    const freshJob = await client.send(new DescribeRestoreJobCommand({ RestoreJobId: fresh.RestoreJobId }));
    expect(freshJob.CreatedResourceArn).not.toBe(efs.arn);
    expect(freshJob.CreatedResourceArn).toMatch(/^arn:aws:elasticfilesystem:us-east-1:000000000000:file-system\/fs-/);
    expect(await readFile(join(backup.control.restoreJobs.get(fresh.RestoreJobId!)!.restoredPath!, 'globals.json'))).toEqual(Buffer.from([0, 1, 2, 255, 254]));
  });

  it('emits Backup Job State Change and Restore Job State Change events with the documented shapes ("Monitoring AWS Backup events using Amazon EventBridge")', async () => {
    await start(scaledClock(1000));
    const job = await startJob();
    await backup.control.settled();
    const restore = await client.send(new StartRestoreJobCommand({ RecoveryPointArn: job.RecoveryPointArn, IamRoleArn: ROLE, Metadata: { 'file-system-id': efs.id } }));
    await backup.control.settled();
    const events = bus.timeline.map((entry) => entry.event);
    const backupEvents = events.filter((e) => e['detail-type'] === 'Backup Job State Change');
    expect(backupEvents.map((e) => e.detail.state)).toEqual(['CREATED', 'RUNNING', 'COMPLETED']);
    expect(backupEvents[0]!.detail).toEqual({ backupJobId: job.BackupJobId, state: 'CREATED', creationDate: expect.stringMatching(/Z$/) });
    expect(backupEvents[2]).toMatchObject({
      source: 'aws.backup', account: '000000000000', region: 'us-east-1', resources: [job.RecoveryPointArn],
      detail: { backupJobId: job.BackupJobId, backupSizeInBytes: '24', bytesTransferred: '24', backupVaultName: 'wicked-dev', backupVaultArn: 'arn:aws:backup:us-east-1:000000000000:backup-vault:wicked-dev', iamRoleArn: ROLE, resourceArn: efs.arn, resourceType: 'EFS', state: 'COMPLETED', percentDone: 100, completionDate: expect.any(String), startBy: expect.any(String), creationDate: expect.any(String) },
    });
    const restoreEvents = events.filter((e) => e['detail-type'] === 'Restore Job State Change');
    expect(restoreEvents.map((e) => e.detail.status ?? e.detail.state)).toEqual(['CREATED', 'PENDING', 'RUNNING', 'COMPLETED']);
    expect(restoreEvents[3]).toMatchObject({
      resources: [job.RecoveryPointArn],
      detail: { restoreJobId: restore.RestoreJobId, recoveryPointArn: job.RecoveryPointArn, sourceResourceArn: efs.arn, createdResourceArn: efs.arn, resourceType: 'EFS', status: 'COMPLETED', backupSizeInBytes: '24', completionDate: expect.any(String) },
    });
  });

  it('backs up an RDS DB instance its stack registered: a job and a recovery point of ResourceType RDS, without data; its point is not restored', async () => {
    await start(scaledClock(1000));
    const db = backup.control.registerDatabase('wicked-prod-db', 'arn:aws:rds:us-east-1:000000000000:db:wicked-prod-db');
    const started = await client.send(new StartBackupJobCommand({ BackupVaultName: 'wicked-dev', ResourceArn: db.arn, IamRoleArn: ROLE }));
    await backup.control.settled();
    expect(await describe_(started.BackupJobId!)).toMatchObject({ State: 'COMPLETED', ResourceType: 'RDS', ResourceArn: db.arn, RecoveryPointArn: started.RecoveryPointArn, BackupSizeInBytes: 0 });
    expect((await client.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: db.arn }))).RecoveryPoints).toEqual([expect.objectContaining({ RecoveryPointArn: started.RecoveryPointArn, Status: 'COMPLETED' })]);
    // The CREATED example of the events page names no resource type; the later states do.
    const events = bus.timeline.filter((entry) => entry.event['detail-type'] === 'Backup Job State Change').map((entry) => entry.event.detail as { resourceType?: string; state: string });
    expect(events.map((detail) => `${detail.state} ${detail.resourceType ?? '-'}`)).toEqual(['CREATED -', 'RUNNING RDS', 'COMPLETED RDS']);
    await expect(client.send(new StartRestoreJobCommand({ RecoveryPointArn: started.RecoveryPointArn, IamRoleArn: ROLE, Metadata: { 'file-system-id': efs.id } })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(/RDS arn:aws:rds:.*wicked-prod-db; the emulator restores EFS only/) });
    // An instance the stack deleted (or never created) is not found; its points stay.
    backup.control.deregisterDatabase(db.id);
    await expect(client.send(new StartBackupJobCommand({ BackupVaultName: 'wicked-dev', ResourceArn: db.arn, IamRoleArn: ROLE }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(backup.control.recoveryPoints.has(started.RecoveryPointArn!)).toBe(true);
  });

  it('fails or aborts the next job on demand, leaving no recovery point', async () => {
    await start(scaledClock(1000));
    backup.control.failNextBackupJob({ state: 'FAILED', message: 'disk on fire' });
    const failed = await startJob();
    await backup.control.settled();
    backup.control.failNextBackupJob({ state: 'ABORTED' });
    const aborted = await startJob();
    await backup.control.settled();
    expect(await describe_(failed.BackupJobId!)).toMatchObject({ State: 'FAILED', StatusMessage: 'disk on fire' });
    expect(await describe_(aborted.BackupJobId!)).toMatchObject({ State: 'ABORTED', StatusMessage: 'Backup job was stopped by user.' });
    expect((await client.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: efs.arn }))).RecoveryPoints).toEqual([]);
    const good = await startJob();
    await backup.control.settled();
    backup.control.failNextRestoreJob();
    const restore = await client.send(new StartRestoreJobCommand({ RecoveryPointArn: good.RecoveryPointArn, IamRoleArn: ROLE, Metadata: { 'file-system-id': efs.id } }));
    await backup.control.settled();
    expect((await client.send(new DescribeRestoreJobCommand({ RestoreJobId: restore.RestoreJobId }))).Status).toBe('FAILED');
    expect((await readdir(efs.path)).some((name) => name.startsWith('aws-backup-restore_'))).toBe(false);
  });

  it('holds the next job RUNNING however much emulated time passes, until released; it then completes as usual', async () => {
    const manual = new ManualClock();
    await start(manual);
    const hold = backup.control.holdNextBackupJob();
    let reached = false;
    void hold.reached.then(() => { reached = true; });
    const held = await startJob();
    await runUntil(manual, () => reached);
    manual.advance(24 * 3_600_000);
    await flush();
    expect(await describe_(held.BackupJobId!)).toMatchObject({ State: 'RUNNING' });
    const next = backup.control.holdNextBackupJob(); // not taken by the held job: the next one would wait on it
    hold.release();
    await backup.control.settled();
    expect(await describe_(held.BackupJobId!)).toMatchObject({ State: 'COMPLETED' });
    expect(backup.control.recoveryPoints.has(held.RecoveryPointArn!)).toBe(true);
    next.release();
  });

  it('deletes a recovery point and its copy (DeleteRecoveryPoint), and answers unknown ids with ResourceNotFoundException', async () => {
    await start(scaledClock(1000));
    const job = await startJob();
    await backup.control.settled();
    const path = backup.control.recoveryPoints.get(job.RecoveryPointArn!)!.path;
    await client.send(new DeleteRecoveryPointCommand({ BackupVaultName: 'wicked-dev', RecoveryPointArn: job.RecoveryPointArn }));
    expect((await client.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: efs.arn }))).RecoveryPoints).toEqual([]);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(client.send(new DeleteRecoveryPointCommand({ BackupVaultName: 'wicked-dev', RecoveryPointArn: job.RecoveryPointArn }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(describe_('NOPE')).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Backup job NOPE was not found' });
    await expect(client.send(new StartRestoreJobCommand({ RecoveryPointArn: job.RecoveryPointArn, IamRoleArn: ROLE, Metadata: { 'file-system-id': efs.id } }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(startJob(undefined, { DeleteAfterDays: 0 })).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(client.send(new StartBackupJobCommand({ BackupVaultName: 'nope', ResourceArn: efs.arn, IamRoleArn: ROLE }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('deletes expired recovery points through the clock (Lifecycle.DeleteAfterDays)', async () => {
    const manual = new ManualClock();
    await start(manual);
    const job = await startJob(undefined, { DeleteAfterDays: 1 });
    const keep = () => client.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: efs.arn }));
    await runUntilSettled(manual);
    expect(backup.control.jobs.get(job.BackupJobId!)!.state).toBe('COMPLETED');
    expect((await keep()).RecoveryPoints).toHaveLength(1);
    const path = backup.control.recoveryPoints.get(job.RecoveryPointArn!)!.path;
    manual.advance(86_400_000 - 60_000);
    await backup.control.settled();
    expect((await keep()).RecoveryPoints).toHaveLength(1); // not yet a day old
    manual.advance(60_000);
    await backup.control.settled();
    expect((await keep()).RecoveryPoints).toEqual([]);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sweeps that overlap (an expiry timer firing while an explicit sweep deletes) each delete a point once and none fails on a point another sweep took', async () => {
    const manual = new ManualClock();
    // The emulator's wall timers can fire after emulated time has moved past several expiries: `now` runs ahead of the timers here.
    let ahead = 0;
    await start({ now: () => manual.now() + ahead, schedule: (ms, fn) => manual.schedule(ms, fn), sleep: (ms) => manual.sleep(ms), setSpeed: () => undefined, speed: 1 });
    const jobs = [];
    for (let index = 0; index < 3; index += 1) {
      jobs.push(await startJob(undefined, { DeleteAfterDays: 1 }));
      await runUntilSettled(manual); // one job per resource at a time: each finishes before the next starts
    }
    const arns = jobs.map((job) => job.RecoveryPointArn!);
    expect(arns.every((arn) => backup.control.recoveryPoints.has(arn))).toBe(true);
    ahead = 2 * 86_400_000; // every point has expired, no expiry timer has fired yet
    const swept = await Promise.all([backup.control.sweepExpired(), backup.control.sweepExpired()]);
    manual.advance(2 * 86_400_000); // the expiry timers fire late and sweep too
    await backup.control.settled();
    expect(arns.some((arn) => backup.control.recoveryPoints.has(arn))).toBe(false);
    expect(swept.flat().sort()).toEqual([...arns].sort());
    expect(new Set(swept.flat()).size).toBe(swept.flat().length); // no point counted by two sweeps
  });
});
