import { BackupError, checkLifecycle, decideBackupStart, expiresAt, parseEfsRestoreMetadata, restoreDirectoryName } from '../../../local/backup';
import type { JobSummary } from '../../../local/backup';

const fs1 = 'arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/fs-1';
const fs2 = 'arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/fs-2';

describe('decideBackupStart ("AWS Backup quotas": one concurrent backup job per resource; StartBackupJob IdempotencyToken)', () => {
  it.each<[string, JobSummary[], { resourceArn: string; idempotencyToken?: string }, unknown]>([
    ['no jobs: start', [], { resourceArn: fs1 }, { kind: 'start' }],
    ['same token: the same job', [{ id: 'a', resourceArn: fs1, state: 'COMPLETED', idempotencyToken: 't' }], { resourceArn: fs1, idempotencyToken: 't' }, { kind: 'reuse', jobId: 'a' }],
    ['other token, running job of the resource: start, naming it', [{ id: 'a', resourceArn: fs1, state: 'RUNNING', idempotencyToken: 't' }], { resourceArn: fs1, idempotencyToken: 'u' }, { kind: 'start', runningJobId: 'a' }],
    ['created job counts as running', [{ id: 'a', resourceArn: fs1, state: 'CREATED' }], { resourceArn: fs1 }, { kind: 'start', runningJobId: 'a' }],
    ['finished jobs do not count', [{ id: 'a', resourceArn: fs1, state: 'COMPLETED' }, { id: 'b', resourceArn: fs1, state: 'FAILED' }], { resourceArn: fs1 }, { kind: 'start' }],
    ['another resource does not count', [{ id: 'a', resourceArn: fs2, state: 'RUNNING' }], { resourceArn: fs1 }, { kind: 'start' }],
  ])('%s', (_name, jobs, request, expected) => {
    expect(decideBackupStart(jobs, request)).toEqual(expected);
  });
});

describe('checkLifecycle and expiresAt (Lifecycle in the AWS Backup API reference)', () => {
  it.each([[{ DeleteAfterDays: 35 }], [{ MoveToColdStorageAfterDays: 10, DeleteAfterDays: 100 }], [undefined]])('accepts %j', (lifecycle) => {
    expect(checkLifecycle(lifecycle)).toEqual(lifecycle);
  });

  it.each([
    [{ DeleteAfterDays: 0 }, /DeleteAfterDays: received 0/],
    [{ DeleteAfterDays: 1.5 }, /whole number/],
    [{ MoveToColdStorageAfterDays: 10, DeleteAfterDays: 99 }, /at least MoveToColdStorageAfterDays \+ 90 \(100\)/],
  ])('refuses %j', (lifecycle, message) => {
    expect(() => checkLifecycle(lifecycle)).toThrow(BackupError);
    expect(() => checkLifecycle(lifecycle)).toThrow(message);
  });

  it.each<[number, { DeleteAfterDays?: number } | undefined, number | undefined]>([
    [1000, { DeleteAfterDays: 1 }, 1000 + 86_400_000],
    [0, { DeleteAfterDays: 35 }, 35 * 86_400_000],
    [0, {}, undefined],
    [0, undefined, undefined],
  ])('created %d with %j expires at %s', (created, lifecycle, at) => {
    expect(expiresAt(created, lifecycle)).toBe(at);
  });
});

describe('EFS restores ("Restore an Amazon EFS file system")', () => {
  it('names the restore directory aws-backup-restore_<datetime>', () => {
    expect(restoreDirectoryName(Date.UTC(2024, 0, 2, 3, 4, 5, 6))).toBe('aws-backup-restore_2024-01-02T03-04-05-006Z');
  });

  it.each<[Record<string, string>, unknown]>([
    [{ 'file-system-id': 'fs-1' }, { fileSystemId: 'fs-1', newFileSystem: false, itemsToRestore: [] }],
    [{ 'file-system-id': 'fs-1', newFileSystem: 'true' }, { fileSystemId: 'fs-1', newFileSystem: true, itemsToRestore: [] }],
    [{ 'file-system-id': 'fs-1', newFileSystem: 'false', ItemsToRestore: '["/a/b.json"]' }, { fileSystemId: 'fs-1', newFileSystem: false, itemsToRestore: ['/a/b.json'] }],
  ])('reads %j', (metadata, expected) => {
    expect(parseEfsRestoreMetadata(metadata)).toEqual(expected);
  });

  it.each<[Record<string, string> | undefined, string]>([
    [undefined, 'MissingParameterValueException'],
    [{}, 'MissingParameterValueException'],
    [{ 'file-system-id': 'fs-1', newFileSystem: 'yes' }, 'InvalidParameterValueException'],
    [{ 'file-system-id': 'fs-1', ItemsToRestore: 'not json' }, 'InvalidParameterValueException'],
    [{ 'file-system-id': 'fs-1', ItemsToRestore: '["relative"]' }, 'InvalidParameterValueException'],
    [{ 'file-system-id': 'fs-1', ItemsToRestore: '["/../escape"]' }, 'InvalidParameterValueException'],
  ])('refuses %j with %s', (metadata, code) => {
    expect(() => parseEfsRestoreMetadata(metadata)).toThrow(expect.objectContaining({ code }));
  });
});
