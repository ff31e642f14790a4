import { environmentStatus, statusLines } from '../../cli/commands/status';
import { recordWarningLines } from '../../cli/commands/upload';
import type { DeploymentRecord, EnvironmentRecord } from '../../shared/ledger';
import { requestFromImageBuilt } from '../../shared/ledger';
import type { OperatorFixture } from './operator-fixture';
import { fakeImage, recordDeployment, startOperatorFixture } from './operator-fixture';
import { lastJson, runCli } from './run-cli';
import { SETUP_LIMIT_MS } from '../helpers/signals';

function deployment(n: number, state: DeploymentRecord['state'], at: string): DeploymentRecord {
  return { ...fakeImage('dev', n), deploymentId: `d-${n}`, receivedAt: at, state, createdAt: at, updatedAt: at, finishedAt: at, reason: `${state} ${n}` };
}
const base: EnvironmentRecord = { env: 'dev', revision: 1, sequencers: {}, updatedAt: 't', lastRecoveryPointArn: 'arn:rp:1' };
const good = { deploymentId: 'd-1', digest: fakeImage('dev', 1).digest, configHash: fakeImage('dev', 1).configHash, imageUri: 'u', finishedAt: '2026-01-02T00:00:00Z' };

describe('environmentStatus: ledger -> status', () => {
  it.each<[string, EnvironmentRecord | undefined, DeploymentRecord[], Record<string, unknown>]>([
    ['nothing deployed', undefined, [], { deployed: null, lastGoodDigest: null, rollout: { state: 'idle' }, queued: null, lastFailure: null, lastRecoveryPoint: null }],
    ['deployed, with its S3 object', { ...base, lastGood: good }, [deployment(1, 'succeeded', '2026-01-02T00:00:00Z')],
      { deployed: expect.objectContaining({ deploymentId: 'd-1', key: fakeImage('dev', 1).key, versionId: 'v1' }), lastGoodDigest: good.digest, lastRecoveryPoint: 'arn:rp:1', lastFailure: null }],
    ['a newer failure is shown', { ...base, lastGood: good }, [deployment(1, 'succeeded', '2026-01-02T00:00:00Z'), deployment(2, 'failed', '2026-01-03T00:00:00Z')],
      { lastFailure: expect.objectContaining({ deploymentId: 'd-2', state: 'failed' }) }],
    ['an older failure is not', { ...base, lastGood: good }, [deployment(2, 'stuck', '2026-01-01T00:00:00Z'), deployment(1, 'succeeded', '2026-01-02T00:00:00Z')], { lastFailure: null }],
    ['rolling and queued', {
      ...base, lastGood: good,
      inFlight: { request: { ...fakeImage('dev', 2), deploymentId: 'd-2', receivedAt: 't' }, lease: { owner: 'o', expiresAt: 0 }, phase: 'rolling', startedAt: 's' },
      queued: { ...fakeImage('dev', 3), deploymentId: 'd-3', receivedAt: 't' },
    }, [], { rollout: expect.objectContaining({ state: 'rolling', deploymentId: 'd-2', digest: fakeImage('dev', 2).digest }), queued: expect.objectContaining({ deploymentId: 'd-3' }) }],
  ])('%s', (_name, record, deployments, expected) => {
    expect(environmentStatus('dev', record, deployments)).toMatchObject(expected);
  });

  it('shows the validation warnings the deployed build carried (Portal Image Built -> ledger -> status)', () => {
    const detail = { ...fakeImage('dev', 1), warnings: [{ file: 'apis/apis.json', jsonPath: '$.apis[0].requiredGroup', code: 'UNKNOWN_GROUP', message: 'API "a" names group "vip"', severity: 'warning' as const }], warningCount: 3 };
    const request = requestFromImageBuilt(detail, Date.parse('2026-01-02T00:00:00Z'));
    expect(request).toMatchObject({ validationWarnings: ['apis/apis.json UNKNOWN_GROUP: API "a" names group "vip" (at $.apis[0].requiredGroup)'], validationWarningCount: 3 });
    const record: DeploymentRecord = { ...request, deploymentId: 'd-1', state: 'succeeded', createdAt: 't', updatedAt: 't', finishedAt: good.finishedAt };
    const status = environmentStatus('dev', { ...base, lastGood: good }, [record]);
    expect(status.deployed?.warnings).toEqual({ count: 3, lines: ['apis/apis.json UNKNOWN_GROUP: API "a" names group "vip" (at $.apis[0].requiredGroup)'] });
    expect(statusLines(status)).toContain('  warnings     3 validation warnings of the deployed configuration (portal-api runs, degraded, first 1 shown):');
    expect(recordWarningLines(record)).toEqual(['[warnings] 3 validation warnings: portal-api runs, degraded (first 1 shown)', 'warning: apis/apis.json UNKNOWN_GROUP: API "a" names group "vip" (at $.apis[0].requiredGroup)']);
    expect(recordWarningLines({})).toEqual([]);
  });

  it('shows a deployment waiting for its pre-deploy snapshot, with the request and the deadline', () => {
    const inFlight = { request: { ...fakeImage('dev', 2), deploymentId: 'd-2', receivedAt: 't' }, lease: { owner: 'o', expiresAt: Date.parse('2026-01-03T02:00:00Z') }, phase: 'awaiting-snapshot' as const, startedAt: 's', snapshotRequestId: 'deploy-d-2' };
    const status = environmentStatus('dev', { ...base, lastGood: good, inFlight }, []);
    expect(status.rollout).toMatchObject({ state: 'awaiting-snapshot', deploymentId: 'd-2', snapshotRequestId: 'deploy-d-2' });
    expect(statusLines(status).join('\n')).toContain(`rollout      awaiting-snapshot d-2 (config ${fakeImage('dev', 2).configHash}, image`);
    expect(statusLines(status).join('\n')).toContain('for snapshot deploy-d-2 until 2026-01-03T02:00:00.000Z');
  });

  it('names a restart by its service, rolling or queued, where a config deployment shows its config hash', () => {
    const restart = { ...fakeImage('dev', 2), deploymentId: 'r-1', receivedAt: 't', kind: 'restart' as const, service: 'portal-kong-adapter' };
    const inFlight = { request: restart, lease: { owner: 'o', expiresAt: 0 }, phase: 'rolling' as const, startedAt: 's' };
    const status = environmentStatus('dev', { ...base, lastGood: good, inFlight, queued: { ...fakeImage('dev', 3), deploymentId: 'd-3', receivedAt: 't' } }, []);
    expect(status.rollout).toMatchObject({ kind: 'restart', service: 'portal-kong-adapter' });
    expect(status.queued).toMatchObject({ deploymentId: 'd-3', kind: 'config' });
    const lines = statusLines(status).join('\n');
    expect(lines).toContain('rollout      rolling r-1 (restart of portal-kong-adapter, image');
    expect(lines).toContain(`queued       d-3 (config ${fakeImage('dev', 3).configHash})`);
    const queuedRestart = environmentStatus('dev', { ...base, queued: { ...restart, deploymentId: 'r-2' } }, []);
    expect(statusLines(queuedRestart).join('\n')).toContain('queued       r-2 (restart of portal-kong-adapter)');
  });

  it('prints one block per environment', () => {
    const lines = statusLines(environmentStatus('dev', { ...base, lastGood: good }, [deployment(1, 'succeeded', 'x')]));
    expect(lines[0]).toBe('dev:');
    expect(lines.join('\n')).toContain(`config ${good.configHash}, image ${good.digest}`);
  });
});

describe('wickedctl status against the local emulator', () => {
  let fixture: OperatorFixture;
  beforeAll(async () => { fixture = await startOperatorFixture('cli-status-'); }, SETUP_LIMIT_MS);
  afterAll(async () => { await fixture?.stop(); });

  it('refuses bad arguments with exit 2', async () => {
    expect((await runCli(['status', '--env', 'DEV', '--table', 't'])).code).toBe(2);
  });

  it('without --env or --table, shows every environment found under /wicked/ (the emulator wrote dev)', async () => {
    const run = await runCli(['status', '--json']);
    expect(run.code).toBe(0);
    expect(lastJsonOf(run.stdout).environments.map((e: { env: string }) => e.env)).toEqual(['dev']);
  });

  it('reports an unknown environment with exit 1', async () => {
    const run = await runCli(['status', '--env', 'nowhere', '--table', fixture.names.table]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/nowhere is not in ledger/);
  });

  it('shows every environment of the ledger, or one', async () => {
    await recordDeployment(fixture.ledger, fakeImage('qa', 4), { kind: 'succeeded' });
    await recordDeployment(fixture.ledger, fakeImage('staging', 5), { kind: 'failed', reason: 'circuit breaker' });
    const all = lastJson(await runCli(['status', '--table', fixture.names.table, '--json'])) as { environments: { env: string }[] };
    expect(all.environments.map((e) => e.env)).toEqual(expect.arrayContaining(['qa', 'staging']));
    const one = await runCli(['status', '--env', 'qa', '--table', fixture.names.table, '--json']);
    expect(one.code).toBe(0);
    expect(lastJson(one)).toEqual({ environments: [expect.objectContaining({ env: 'qa', lastGoodDigest: fakeImage('qa', 4).digest, rollout: { state: 'idle' } })] });
    const failed = lastJson(await runCli(['status', '--env', 'staging', '--table', fixture.names.table, '--json'])) as { environments: Record<string, unknown>[] };
    expect(failed.environments[0]).toMatchObject({ deployed: null, lastFailure: { state: 'failed', reason: 'circuit breaker' } });
    const human = await runCli(['status', '--env', 'qa', '--table', fixture.names.table]);
    expect(human.stdout).toMatch(/^qa:\n {2}deployed {5}config /);
  });
});

function lastJsonOf(stdout: string): { environments: { env: string }[] } {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { environments: { env: string }[] };
}
