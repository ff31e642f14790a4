import { decideSnapshotGate, gateVerdictOf, preDeploySnapshotOn, snapshotRequestIdOf } from '../../shared/deploy';
import type { DeployDeps, GateJob, GateVerdict } from '../../shared/deploy';

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

describe('gateVerdictOf: the ledger\'s job records, and AWS Backup for those still pending', () => {
  const SAME = 'Backup job failed because there was a running job for the same resource.';
  /** The gate's reads: `records` as the ledger holds them for deployment d-1, `live` as DescribeBackupJob answers. */
  async function verdict(records: GateJob[], live: Record<string, { state: string; recoveryPointArn?: string; statusMessage?: string }> | undefined): Promise<{ verdict: GateVerdict; described: string[] }> {
    const described: string[] = [];
    const deps = {
      snapshotResources: [EFS, RDS],
      snapshotJobs: { listJobs: async () => [...records.map((record) => ({ ...record, deploymentIds: ['d-1'] })), { ...job('other', EFS, 'RUNNING'), deploymentIds: ['d-2'] }] },
      ...(live ? { backupJobs: { describeBackupJob: async (jobId: string) => { described.push(jobId); return live[jobId] ?? { state: 'UNKNOWN' }; } } } : {}),
    } as unknown as DeployDeps;
    return { verdict: await gateVerdictOf('prod', 'd-1', deps), described };
  }

  it('a job the ledger shows RUNNING that AWS Backup reports COMPLETED counts with its recovery point (its outcome event lost or late)', async () => {
    const result = await verdict([job('j1', EFS, 'COMPLETED', { recoveryPointArn: rp(1) }), job('j2', RDS, 'RUNNING')], { j2: { state: 'COMPLETED', recoveryPointArn: rp(2) } });
    expect(result.verdict).toMatchObject({ kind: 'proceed', recoveryPointArns: [rp(1), rp(2)] });
    // Only the job the ledger shows pending is described; a job of another deployment is not read at all.
    expect(result.described).toEqual(['j2']);
  });

  it('a COMPLETED recorded without its recovery point is described too', async () => {
    const result = await verdict([job('j1', EFS, 'COMPLETED'), job('j2', RDS, 'COMPLETED', { recoveryPointArn: rp(2) })], { j1: { state: 'COMPLETED', recoveryPointArn: rp(1) } });
    expect(result.verdict).toMatchObject({ kind: 'proceed', recoveryPointArns: [rp(1), rp(2)] });
  });

  it('a job that failed for a reason of its own fails the gate; one still running waits', async () => {
    const records = [job('j1', EFS, 'RUNNING'), job('j2', RDS, 'CREATED')];
    expect((await verdict(records, { j1: { state: 'FAILED', statusMessage: 'vault unreachable' }, j2: { state: 'RUNNING' } })).verdict)
      .toMatchObject({ kind: 'fail', reason: expect.stringMatching(/j1 of .*fs-1 ended FAILED: vault unreachable/) });
    const waiting = (await verdict(records, { j1: { state: 'RUNNING' }, j2: { state: 'PENDING' } })).verdict;
    expect(waiting).toMatchObject({ kind: 'wait', reason: expect.stringMatching(/j1 .*\(RUNNING\).*j2 .*\(CREATED\)/) });
    expect(waiting).not.toHaveProperty('noJob');
  });

  it('a job that ended because another job of the resource ran is not a failure: the gate waits and asks for the snapshot again', async () => {
    const result = await verdict([job('j1', EFS, 'RUNNING'), job('j2', RDS, 'COMPLETED', { recoveryPointArn: rp(2) })], { j1: { state: 'EXPIRED', statusMessage: SAME } });
    expect(result.verdict).toMatchObject({ kind: 'wait', noJob: true, reason: expect.stringContaining(`backup job j1 of ${EFS} ended EXPIRED: ${SAME}`) });
  });

  it('without AWS Backup, or once the ledger recorded the end, the records alone decide', async () => {
    expect((await verdict([job('j1', EFS, 'RUNNING'), job('j2', RDS, 'RUNNING')], undefined)).verdict).toMatchObject({ kind: 'wait' });
    const recorded = await verdict([job('j1', EFS, 'COMPLETED', { recoveryPointArn: rp(1) }), job('j2', RDS, 'FAILED', { statusMessage: 'quota' })], {});
    expect(recorded).toEqual({ verdict: expect.objectContaining({ kind: 'fail' }), described: [] });
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
