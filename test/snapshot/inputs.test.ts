import { recoveryPointTags, resourceKind, SnapshotError, toLifecycle, toStartBackupJobInput, toStartCopyJobInput } from '../../shared/snapshot';

const FS = 'arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123abcd';
const DB = 'arn:aws:rds:eu-west-1:123456789012:db:wicked-prod';
const ROLE = 'arn:aws:iam::123456789012:role/backup';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof SnapshotError ? error.code : 'not a SnapshotError';
  }
  return undefined;
}

describe('toLifecycle', () => {
  it.each([
    ['nothing', {}, undefined],
    ['delete only', { deleteAfterDays: 35 }, { DeleteAfterDays: 35 }],
    ['cold only', { moveToColdStorageAfterDays: 30 }, { MoveToColdStorageAfterDays: 30 }],
    ['cold then delete 90 days later', { moveToColdStorageAfterDays: 30, deleteAfterDays: 120 }, { MoveToColdStorageAfterDays: 30, DeleteAfterDays: 120 }],
  ])('%s', (_case, props, expected) => {
    expect(toLifecycle(props)).toEqual(expected);
  });
  it.each([
    ['zero days', { deleteAfterDays: 0 }],
    ['fractional days', { deleteAfterDays: 1.5 }],
    ['delete too soon after cold', { moveToColdStorageAfterDays: 30, deleteAfterDays: 119 }],
  ])('refuses %s with INVALID_LIFECYCLE', (_case, props) => {
    expect(codeOf(() => toLifecycle(props))).toBe('INVALID_LIFECYCLE');
  });
  it('says what it received and what it expected', () => {
    expect(() => toLifecycle({ moveToColdStorageAfterDays: 30, deleteAfterDays: 100 })).toThrow('deleteAfterDays: received 100, expected at least moveToColdStorageAfterDays + 90 (120)');
  });
});

describe('recoveryPointTags', () => {
  it.each([
    ['schedule, nothing deployed yet', { env: 'prod', trigger: 'schedule' as const }, { 'wicked:environment': 'prod', 'wicked:trigger': 'schedule' }],
    ['manual, with the deployed config', { env: 'prod', trigger: 'manual' as const, configHash: 'abc123', digest: `sha256:${'a'.repeat(64)}` },
      { 'wicked:environment': 'prod', 'wicked:trigger': 'manual', 'wicked:config-hash': 'abc123', 'wicked:image-digest': `sha256:${'a'.repeat(64)}` }],
    ['pre-deploy names the deployment', { env: 'dev', trigger: 'pre-deploy' as const, deploymentId: 'dep-1', configHash: '' },
      { 'wicked:environment': 'dev', 'wicked:trigger': 'pre-deploy', 'wicked:deployment-id': 'dep-1' }],
  ])('%s', (_case, props, expected) => {
    expect(recoveryPointTags(props)).toEqual(expected);
  });
  it('refuses values AWS tags cannot hold', () => {
    expect(codeOf(() => recoveryPointTags({ env: 'prod', trigger: 'manual', deploymentId: 'a;b' }))).toBe('INVALID_TAG');
    expect(codeOf(() => recoveryPointTags({ env: 'prod', trigger: 'manual', configHash: 'x'.repeat(257) }))).toBe('INVALID_TAG');
  });
});

describe('toStartBackupJobInput', () => {
  const base = { vaultName: 'wicked-prod', iamRoleArn: ROLE, resourceArn: FS, idempotencyToken: 'wicked-1', tags: { 'wicked:trigger': 'schedule' } };
  it.each([
    ['defaults: 60 minute window, no lifecycle', base, { StartWindowMinutes: 60 }],
    ['retention and window', { ...base, deleteAfterDays: 35, startWindowMinutes: 120 }, { StartWindowMinutes: 120, Lifecycle: { DeleteAfterDays: 35 } }],
    ['cold storage', { ...base, deleteAfterDays: 365, moveToColdStorageAfterDays: 30 }, { StartWindowMinutes: 60, Lifecycle: { MoveToColdStorageAfterDays: 30, DeleteAfterDays: 365 } }],
  ])('%s', (_case, props, expected) => {
    expect(toStartBackupJobInput(props)).toEqual({
      BackupVaultName: 'wicked-prod', ResourceArn: FS, IamRoleArn: ROLE, IdempotencyToken: 'wicked-1', RecoveryPointTags: { 'wicked:trigger': 'schedule' }, ...expected,
    });
  });
});

describe('toStartCopyJobInput', () => {
  it('copies to the DR vault with a token derived from the source point', () => {
    const input = toStartCopyJobInput({ recoveryPointArn: 'arn:aws:backup:eu-west-1:1:recovery-point:abc-1', sourceVaultName: 'wicked-prod', destinationVaultArn: 'arn:aws:backup:eu-central-1:2:backup-vault:dr', iamRoleArn: ROLE, deleteAfterDays: 90 });
    expect(input).toEqual({
      RecoveryPointArn: 'arn:aws:backup:eu-west-1:1:recovery-point:abc-1', SourceBackupVaultName: 'wicked-prod', DestinationBackupVaultArn: 'arn:aws:backup:eu-central-1:2:backup-vault:dr',
      IamRoleArn: ROLE, IdempotencyToken: 'copy-abc-1', Lifecycle: { DeleteAfterDays: 90 },
    });
  });
});

describe('resourceKind', () => {
  it.each([[FS, 'efs'], [DB, 'rds'], ['arn:aws-cn:elasticfilesystem:cn-north-1:1:file-system/fs-1', 'efs']])('%s is %s', (arn, kind) => {
    expect(resourceKind(arn)).toBe(kind);
  });
  it.each(['arn:aws:s3:::bucket', 'fs-123', 'arn:aws:rds:eu-west-1:1:cluster:aurora'])('refuses %s with UNSUPPORTED_RESOURCE', (arn) => {
    expect(codeOf(() => resourceKind(arn))).toBe('UNSUPPORTED_RESOURCE');
  });
});
