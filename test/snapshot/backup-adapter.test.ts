import 'aws-sdk-client-mock-jest';
import {
  BackupClient, DescribeBackupJobCommand, DescribeRestoreJobCommand, ListBackupJobsCommand, ListRecoveryPointsByResourceCommand,
  StartBackupJobCommand, StartCopyJobCommand, StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { mockClient } from 'aws-sdk-client-mock';
import { BackupGateway, SnapshotError } from '../../shared/snapshot';

const FS = 'arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1';
const backupMock = mockClient(BackupClient);

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

describe('BackupGateway', () => {
  const gateway = new BackupGateway({ client: new BackupClient({ region: 'eu-west-1' }) });
  afterEach(() => backupMock.reset());

  it('starts a backup job with the input it is given and returns its id', async () => {
    // Prepare
    backupMock.on(StartBackupJobCommand).resolves({ BackupJobId: 'job-1', RecoveryPointArn: 'rp-1' });
    const input = { BackupVaultName: 'wicked-prod', ResourceArn: FS, IamRoleArn: 'role', IdempotencyToken: 'wicked-1', RecoveryPointTags: { a: 'b' } };
    // Act
    const started = await gateway.startBackupJob(input);
    // Assess
    expect(started).toEqual({ jobId: 'job-1', recoveryPointArn: 'rp-1' });
    expect(backupMock).toHaveReceivedCommandWith(StartBackupJobCommand, input);
  });

  it('maps throttling to a retryable BACKUP_FAILED naming what it was doing, and a refusal to a final one', async () => {
    backupMock.on(StartBackupJobCommand).rejectsOnce(awsError('ThrottlingException', 400)).rejectsOnce(awsError('InvalidParameterValueException', 400));
    const input = { BackupVaultName: 'wicked-prod', ResourceArn: FS, IamRoleArn: 'role' };
    await expect(gateway.startBackupJob(input)).rejects.toMatchObject({ code: 'BACKUP_FAILED', retryable: true, message: expect.stringContaining(`starting a backup job of ${FS} in vault wicked-prod: ThrottlingException`) });
    await expect(gateway.startBackupJob(input)).rejects.toMatchObject({ code: 'BACKUP_FAILED', retryable: false });
  });

  it.each([
    ['a quota (LimitExceededException, 400) is final', awsError('LimitExceededException', 400), false],
    ['a busy service (ServiceUnavailableException, 503) is retryable', awsError('ServiceUnavailableException', 503), true],
    ['a reset connection (ECONNRESET, no HTTP answer) is retryable', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 3 } }), true],
    // Before the shared classifier any error without an HTTP status counted as retryable, a bug included.
    ['a programming error (TypeError, no $metadata) is final', new TypeError("Cannot read properties of undefined (reading 'BackupJobId')"), false],
  ])('%s', async (_case, failure, retryable) => {
    backupMock.on(StartBackupJobCommand).rejects(failure);
    const error = await gateway.startBackupJob({ BackupVaultName: 'wicked-prod', ResourceArn: FS, IamRoleArn: 'role' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect(error).toMatchObject({ code: 'BACKUP_FAILED', retryable, context: { awsError: failure.name } });
  });

  it('describes a job', async () => {
    backupMock.on(DescribeBackupJobCommand, { BackupJobId: 'job-1' }).resolves({ State: 'EXPIRED', StatusMessage: 'late', ResourceArn: FS, BackupSizeInBytes: 7 });
    expect(await gateway.describeBackupJob('job-1')).toEqual({ jobId: 'job-1', state: 'EXPIRED', statusMessage: 'late', resourceArn: FS, sizeBytes: 7 });
    backupMock.on(DescribeBackupJobCommand, { BackupJobId: 'job-2' }).resolves({ State: 'COMPLETED', RecoveryPointArn: 'arn:rp', CompletionDate: new Date('2026-01-02T03:04:05Z') });
    expect(await gateway.describeBackupJob('job-2')).toEqual({ jobId: 'job-2', state: 'COMPLETED', recoveryPointArn: 'arn:rp', completionDate: '2026-01-02T03:04:05.000Z' });
  });

  it('finds a running job of the resource by state, reports none when no state lists one, and fails a listing it cannot make', async () => {
    backupMock.on(ListBackupJobsCommand, { ByState: 'RUNNING' }).resolves({ BackupJobs: [] }).on(ListBackupJobsCommand, { ByState: 'PENDING' }).resolves({ BackupJobs: [{ BackupJobId: 'job-9' }] });
    expect(await gateway.findRunningJob(FS)).toBe('job-9');
    expect(backupMock).toHaveReceivedCommandWith(ListBackupJobsCommand, { ByResourceArn: FS, ByState: 'RUNNING' });
    backupMock.reset();
    backupMock.on(ListBackupJobsCommand).resolves({ BackupJobs: [] });
    expect(await gateway.findRunningJob(FS)).toBeUndefined();
    expect(backupMock).toHaveReceivedCommandTimes(ListBackupJobsCommand, 3);
    backupMock.reset();
    // No endpoint is known to lack ListBackupJobs any more (the local emulator serves it): an unknown operation is a failure, not "no job".
    backupMock.on(ListBackupJobsCommand).rejects(awsError('UnknownOperationException', 404));
    await expect(gateway.findRunningJob(FS)).rejects.toMatchObject({ code: 'BACKUP_FAILED', message: expect.stringContaining(`listing RUNNING backup jobs of ${FS}`) });
  });

  it('lists every page of recovery points', async () => {
    const created = new Date('2026-01-02T03:00:00Z');
    backupMock.on(ListRecoveryPointsByResourceCommand)
      .resolvesOnce({ RecoveryPoints: [{ RecoveryPointArn: 'rp-2', CreationDate: created, Status: 'COMPLETED', BackupVaultName: 'v', BackupSizeBytes: 5 }], NextToken: 'n' })
      .resolvesOnce({ RecoveryPoints: [{ RecoveryPointArn: 'rp-1' }, {}] });
    expect(await gateway.listRecoveryPoints(FS)).toEqual([
      { recoveryPointArn: 'rp-2', createdAt: created.toISOString(), status: 'COMPLETED', vaultName: 'v', sizeBytes: 5 },
      { recoveryPointArn: 'rp-1' },
    ]);
    expect(backupMock).toHaveReceivedNthCommandWith(2, ListRecoveryPointsByResourceCommand, { ResourceArn: FS, NextToken: 'n' });
  });

  it('starts and describes restores and copies', async () => {
    backupMock.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'r-1' });
    backupMock.on(DescribeRestoreJobCommand).resolves({ Status: 'COMPLETED', CreatedResourceArn: FS, PercentDone: '100.00%' });
    backupMock.on(StartCopyJobCommand).resolves({ CopyJobId: 'c-1' });
    expect(await gateway.startRestoreJob({ RecoveryPointArn: 'rp', IamRoleArn: 'role', Metadata: {} })).toBe('r-1');
    expect(await gateway.describeRestoreJob('r-1')).toEqual({ restoreJobId: 'r-1', status: 'COMPLETED', createdResourceArn: FS, percentDone: '100.00%' });
    expect(await gateway.startCopyJob({ RecoveryPointArn: 'rp', SourceBackupVaultName: 'v', DestinationBackupVaultArn: 'dr', IamRoleArn: 'role' })).toBe('c-1');
  });

  it('refuses a start answer without an id', async () => {
    backupMock.on(StartRestoreJobCommand).resolves({});
    await expect(gateway.startRestoreJob({ RecoveryPointArn: 'rp', IamRoleArn: 'role', Metadata: {} })).rejects.toBeInstanceOf(SnapshotError);
  });
});
