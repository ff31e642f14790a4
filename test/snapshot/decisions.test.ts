import type { JobItem, RecoveryPointItem, SnapshotError } from '../../shared/snapshot';
import { decideBackupEvent, decideStart, hasJobEventToRecord, joinRecoveryPoints, pickRecoveryPoint, requestProgress } from '../../shared/snapshot';

const SAME = 'Backup job failed because there was a running job for the same resource.';

describe('decideBackupEvent', () => {
  it.each([
    ['RUNNING is progress', 'RUNNING', undefined, undefined, 0, { kind: 'progress' }],
    ['PENDING is progress', 'PENDING', undefined, undefined, 0, { kind: 'progress' }],
    ['COMPLETED records', 'COMPLETED', undefined, undefined, 0, { kind: 'completed' }],
    ['same-resource conflict with a known running job hands over', 'EXPIRED', SAME, 'job-2', 0, { kind: 'handover', runningJobId: 'job-2' }],
    ['same-resource conflict with no known job waits for it', 'EXPIRED', SAME, undefined, 60_000, { kind: 'wait' }],
    ['same-resource conflict still unknown after 15 minutes fails', 'EXPIRED', SAME, undefined, 15 * 60_000, { kind: 'failed', state: 'EXPIRED', reason: expect.stringContaining('No running job of the resource is known') }],
    ['FAILED fails with its message', 'FAILED', 'vault locked', undefined, 0, { kind: 'failed', state: 'FAILED', reason: 'vault locked' }],
    ['ABORTED without message fails naming the state', 'ABORTED', undefined, 'job-2', 0, { kind: 'failed', state: 'ABORTED', reason: 'the backup job ended ABORTED without a message' }],
    ['EXPIRED start window fails', 'EXPIRED', 'start window elapsed', undefined, 0, { kind: 'failed', state: 'EXPIRED', reason: 'start window elapsed' }],
  ])('%s', (_case, state, message, running, age, expected) => {
    expect(decideBackupEvent(state, message, running, age)).toEqual(expected);
  });
});

describe('hasJobEventToRecord', () => {
  it.each([
    ['a running job takes its next state', { state: 'RUNNING' }, 'COMPLETED', true],
    ['an announced failure is not told again', { state: 'FAILED' }, 'FAILED', false],
    ['an announced completion is not told again', { state: 'COMPLETED', recoveryPointArn: 'rp' }, 'COMPLETED', false],
    ['a failure whose outcome is pending is told', { state: 'FAILED', outcomePending: true }, 'FAILED', true],
    ['a completion without its recovery point is recorded', { state: 'COMPLETED' }, 'COMPLETED', true],
    ['an ended job keeps its end', { state: 'COMPLETED', outcomePending: true }, 'FAILED', false],
    ['a late progress event of an ended job is dropped', { state: 'FAILED', outcomePending: true }, 'RUNNING', false],
  ])('%s', (_case, stored, next, expected) => {
    expect(hasJobEventToRecord(stored, next)).toBe(expected);
  });
});

describe('decideStart', () => {
  const r = 'arn:r';
  it.each([
    ['no job', [], { kind: 'start' }],
    ['finished jobs only', [{ jobId: 'a', resourceArn: r, state: 'COMPLETED' }, { jobId: 'b', resourceArn: r, state: 'FAILED' }], { kind: 'start' }],
    ['a job of another resource runs', [{ jobId: 'a', resourceArn: 'arn:other', state: 'RUNNING' }], { kind: 'start' }],
    ['a job of the resource runs', [{ jobId: 'a', resourceArn: r, state: 'COMPLETED' }, { jobId: 'b', resourceArn: r, state: 'RUNNING' }], { kind: 'join', jobId: 'b' }],
    ['a job of the resource was just created', [{ jobId: 'c', resourceArn: r, state: 'CREATED' }], { kind: 'join', jobId: 'c' }],
  ])('%s', (_case, jobs, expected) => {
    expect(decideStart(jobs, r)).toEqual(expected);
  });
});

function job(jobId: string, resourceArn: string, state: string, requestIds: string[]): JobItem {
  return { env: 'dev', jobId, resourceArn, vaultName: 'v', iamRoleArn: 'role', trigger: 'manual', state, startedAt: 't', tags: {}, requestIds, deploymentIds: [] };
}

describe('requestProgress', () => {
  it.each([
    ['no job names the request yet', [job('a', 'fs', 'RUNNING', ['other'])], 'waiting'],
    ['its job runs', [job('a', 'fs', 'RUNNING', ['r'])], 'running'],
    ['its job completed', [job('a', 'fs', 'COMPLETED', ['r'])], 'completed'],
    ['its job failed', [job('a', 'fs', 'FAILED', ['r'])], 'failed'],
    ['handed over: expired job and the running one', [job('a', 'fs', 'EXPIRED', ['r']), job('b', 'fs', 'RUNNING', ['r'])], 'running'],
    ['handed over and done', [job('a', 'fs', 'EXPIRED', ['r']), job('b', 'fs', 'COMPLETED', ['r'])], 'completed'],
    ['EFS done, RDS failed', [job('a', 'fs', 'COMPLETED', ['r']), job('b', 'db', 'FAILED', ['r'])], 'failed'],
  ])('%s -> %s', (_case, jobs, kind) => {
    expect(requestProgress(jobs, 'r').kind).toBe(kind);
  });
});

function point(arn: string, createdAt: string, resourceArn = 'fs'): RecoveryPointItem {
  return { env: 'dev', recoveryPointArn: arn, jobId: 'j', resourceArn, vaultName: 'v', iamRoleArn: 'role', createdAt, sizeBytes: 1, tags: { t: arn } };
}

describe('joinRecoveryPoints and pickRecoveryPoint', () => {
  const recorded = [point('p1', '2026-01-01T00:00:00Z'), point('p2', '2026-01-03T00:00:00Z'), point('p3', '2026-01-02T00:00:00Z'), point('d1', '2026-01-04T00:00:00Z', 'db')];
  const live = [{ recoveryPointArn: 'p2', sizeBytes: 42, status: 'COMPLETED' }, { recoveryPointArn: 'p3' }, { recoveryPointArn: 'd1' }, { recoveryPointArn: 'foreign' }];

  it('lists only points still in the vault, newest first, with the recorded tags and the live size', () => {
    expect(joinRecoveryPoints(recorded, live)).toEqual([
      { recoveryPointArn: 'd1', resourceArn: 'db', createdAt: '2026-01-04T00:00:00Z', sizeBytes: 1, status: 'COMPLETED', tags: { t: 'd1' } },
      { recoveryPointArn: 'p2', resourceArn: 'fs', createdAt: '2026-01-03T00:00:00Z', sizeBytes: 42, status: 'COMPLETED', tags: { t: 'p2' } },
      { recoveryPointArn: 'p3', resourceArn: 'fs', createdAt: '2026-01-02T00:00:00Z', sizeBytes: 1, status: 'COMPLETED', tags: { t: 'p3' } },
    ]);
  });
  it.each([
    ['latest of the primary resource', 'latest', 'fs', 'p2'],
    ['latest of any resource', 'latest', undefined, 'd1'],
    ['an ARN in the listing', 'p3', 'fs', 'p3'],
  ])('picks %s', (_case, wanted, primary, expected) => {
    expect(pickRecoveryPoint(joinRecoveryPoints(recorded, live), wanted, primary).recoveryPointArn).toBe(expected);
  });
  it.each([['an expired point', 'p1'], ['a point of another environment', 'foreign']])('refuses %s with RECOVERY_POINT_NOT_FOUND', (_case, wanted) => {
    expect(() => pickRecoveryPoint(joinRecoveryPoints(recorded, live), wanted)).toThrow(expect.objectContaining({ code: 'RECOVERY_POINT_NOT_FOUND' }) as SnapshotError);
  });
  it('refuses latest when the vault is empty', () => {
    expect(() => pickRecoveryPoint([], 'latest')).toThrow(/no recovery point/);
  });
});
