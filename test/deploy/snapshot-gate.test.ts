import { decideSnapshotGate, preDeploySnapshotOn, snapshotRequestIdOf } from '../../shared/deploy';
import type { GateJob, GateVerdict } from '../../shared/deploy';

const EFS = 'arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1';
const RDS = 'arn:aws:rds:eu-west-1:1:db:wicked';
const job = (jobId: string, resourceArn: string, state: string, extra: Partial<GateJob> = {}): GateJob => ({ jobId, resourceArn, state, ...extra });
const rp = (n: number): string => `arn:aws:backup:eu-west-1:1:recovery-point:rp-${n}`;

describe('decideSnapshotGate', () => {
  it.each<[string, GateJob[], GateVerdict['kind'], RegExp | string[]]>([
    ['no job yet', [], 'wait', /no backup job/],
    ['one job running', [job('j1', EFS, 'RUNNING')], 'wait', /j1 of .*fs-1 \(RUNNING\)/],
    ['one job completed', [job('j1', EFS, 'COMPLETED', { recoveryPointArn: rp(1) })], 'proceed', [rp(1)]],
    // snapshot-data recorded the state it read from AWS Backup; track-backup has not recorded the outcome yet.
    ['completed without a recovery point recorded yet waits for it', [job('j1', EFS, 'COMPLETED')], 'wait', /j1 of .*fs-1 \(COMPLETED, its recovery point not recorded yet\)/],
    ['a recorded completion wins over one still unrecorded', [job('j1', EFS, 'COMPLETED'), job('j2', EFS, 'COMPLETED', { recoveryPointArn: rp(2) })], 'proceed', [rp(2)]],
    ['one job failed', [job('j1', EFS, 'FAILED', { statusMessage: 'vault unreachable' })], 'fail', /j1 of .*fs-1 ended FAILED: vault unreachable/],
    ['aborted without message', [job('j1', EFS, 'ABORTED')], 'fail', /ended ABORTED: no message/],
    ['expired job handed over to a running one', [job('j1', EFS, 'EXPIRED'), job('j2', EFS, 'RUNNING')], 'wait', /j2/],
    ['expired job handed over to one that completed', [job('j1', EFS, 'EXPIRED'), job('j2', EFS, 'COMPLETED', { recoveryPointArn: rp(2) })], 'proceed', [rp(2)]],
    ['EFS done, RDS running', [job('j1', EFS, 'COMPLETED', { recoveryPointArn: rp(1) }), job('j2', RDS, 'RUNNING')], 'wait', /j2 of .*db:wicked/],
    ['EFS and RDS done, in resource order', [job('j1', EFS, 'COMPLETED', { recoveryPointArn: rp(1) }), job('j2', RDS, 'COMPLETED', { recoveryPointArn: rp(2) })], 'proceed', [rp(1), rp(2)]],
    ['EFS done, RDS failed', [job('j1', EFS, 'COMPLETED', { recoveryPointArn: rp(1) }), job('j2', RDS, 'FAILED', { statusMessage: 'snapshot quota' })], 'fail', /j2 of .*db:wicked ended FAILED: snapshot quota/],
    ['a failure wins over a pending resource', [job('j1', EFS, 'RUNNING'), job('j2', RDS, 'EXPIRED')], 'fail', /j2 .* EXPIRED/],
  ])('%s', (_name, jobs, kind, expected) => {
    const verdict = decideSnapshotGate(jobs);
    expect(verdict.kind).toBe(kind);
    if (Array.isArray(expected)) expect(verdict).toMatchObject({ recoveryPointArns: expected });
    else expect(verdict.reason).toMatch(expected);
  });
});

describe('decideSnapshotGate with the resources the snapshot covers', () => {
  it.each<[string, GateJob[], GateVerdict['kind'], RegExp | string[], boolean | undefined]>([
    // snapshot-data started the EFS job, then failed to start the RDS one: the deployment must not roll without it.
    ['EFS done, no RDS job', [job('j1', EFS, 'COMPLETED', { recoveryPointArn: rp(1) })], 'wait', /^no backup job of arn:aws:rds:.*db:wicked names the deployment yet$/, true],
    ['EFS running, no RDS job', [job('j1', EFS, 'RUNNING')], 'wait', /no backup job of .*db:wicked names the deployment yet; waiting for backup job j1 of .*fs-1 \(RUNNING\)/, true],
    ['EFS failed, no RDS job: the failure decides', [job('j1', EFS, 'FAILED', { statusMessage: 'quota' })], 'fail', /j1 of .*fs-1 ended FAILED: quota/, undefined],
    ['both done', [job('j1', EFS, 'COMPLETED', { recoveryPointArn: rp(1) }), job('j2', RDS, 'COMPLETED', { recoveryPointArn: rp(2) })], 'proceed', [rp(1), rp(2)], undefined],
  ])('%s', (_name, jobs, kind, expected, noJob) => {
    const verdict = decideSnapshotGate(jobs, [EFS, RDS]);
    expect(verdict.kind).toBe(kind);
    if (Array.isArray(expected)) expect(verdict).toMatchObject({ recoveryPointArns: expected });
    else expect(verdict.reason).toMatch(expected);
    if (noJob !== undefined) expect(verdict).toMatchObject({ noJob });
  });
});

describe('preDeploySnapshotOn', () => {
  it.each<[string, boolean | undefined, boolean]>([
    ['prod', undefined, true], ['dev', undefined, false], ['prod-eu', undefined, false], ['prod', false, false], ['dev', true, true],
  ])('%s with setting %s: %s', (env, setting, on) => {
    expect(preDeploySnapshotOn(env, setting)).toBe(on);
  });
});

describe('snapshotRequestIdOf', () => {
  it('is stable, fits the request schema and keeps the deployment id', () => {
    expect(snapshotRequestIdOf('d-3f2a')).toBe('deploy-d-3f2a');
    expect(snapshotRequestIdOf('a.b/c'.repeat(20))).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});
