import { restoreInstructions, SnapshotError, toStartRestoreJobInput } from '../../shared/snapshot';

const FS = 'arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123abcd';
const DB = 'arn:aws:rds:eu-west-1:123456789012:db:wicked-prod';
const ROLE = 'arn:aws:iam::123456789012:role/backup';
const POINT = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:p-1';

describe('toStartRestoreJobInput', () => {
  it.each([
    ['EFS into the existing file system', { resourceArn: FS }, 'EFS', { 'file-system-id': 'fs-0123abcd', newFileSystem: 'false', Encrypted: 'true', PerformanceMode: 'generalPurpose', CreationToken: 'restore-r1' }],
    ['EFS to a new file system', { resourceArn: FS, newFileSystem: true }, 'EFS', { 'file-system-id': 'fs-0123abcd', newFileSystem: 'true', Encrypted: 'true', PerformanceMode: 'generalPurpose', CreationToken: 'restore-r1' }],
    ['RDS always to a new instance', { resourceArn: DB }, 'RDS', { DBInstanceIdentifier: 'wicked-prod-restore-r1' }],
  ])('%s', (_case, props, type, metadata) => {
    expect(toStartRestoreJobInput({ recoveryPointArn: POINT, iamRoleArn: ROLE, requestId: 'r1', ...props })).toEqual({
      RecoveryPointArn: POINT, IamRoleArn: ROLE, IdempotencyToken: 'restore-r1', ResourceType: type, Metadata: metadata,
    });
  });
  it('keeps a new RDS instance name within 63 characters', () => {
    const input = toStartRestoreJobInput({ recoveryPointArn: POINT, iamRoleArn: ROLE, resourceArn: DB, requestId: 'x'.repeat(80) });
    expect(input.Metadata?.DBInstanceIdentifier?.length).toBeLessThanOrEqual(63);
  });
  it('refuses a resource it cannot restore', () => {
    expect(() => toStartRestoreJobInput({ recoveryPointArn: POINT, iamRoleArn: ROLE, resourceArn: 'arn:aws:s3:::b', requestId: 'r' })).toThrow(SnapshotError);
  });
});

describe('restoreInstructions', () => {
  it.each([
    ['in place: restore directory, stop, copy back, restart kong-adapter', { resourceArn: FS, newFileSystem: false }, [/aws-backup-restore_/, /fs-0123abcd/, /desired count .* to 0/, /portal-kong-adapter/]],
    ['new file system: point the stack at it', { resourceArn: FS, newFileSystem: true, createdResourceArn: 'arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-new' }, [/fs-new/, /stack/, /portal-kong-adapter/]],
    ['RDS: point portal-api at the new instance', { resourceArn: DB, newFileSystem: false, createdResourceArn: 'arn:aws:rds:eu-west-1:1:db:wicked-prod-restore-r1' }, [/wicked-prod-restore-r1/, /PGHOST/, /portal-kong-adapter/]],
  ])('%s', (_case, props, patterns) => {
    const text = restoreInstructions({ env: 'prod', status: 'COMPLETED', ...props }).join('\n');
    for (const pattern of patterns) expect(text).toMatch(pattern);
  });
  it('has nothing to switch before the restore completed', () => {
    expect(restoreInstructions({ env: 'prod', status: 'RUNNING', resourceArn: FS, newFileSystem: false })).toEqual([expect.stringContaining('RUNNING: nothing to switch yet')]);
  });
});
