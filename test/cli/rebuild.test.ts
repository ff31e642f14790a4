import { pickRebuild, rebuildDetail, rebuildSource } from '../../cli/commands/rebuild';
import { publishBaseVersion } from '../helpers/deployed';
import { BaseImageChangedDetailSchema, ImageBuiltDetailSchema } from '../../shared/events';
import type { DeploymentRecord, EnvironmentRecord } from '../../shared/ledger';
import { isEvent, packExample, settle, upload } from '../e2e/deploy-helpers';
import type { OperatorFixture } from './operator-fixture';
import { fakeImage, startOperatorFixture } from './operator-fixture';
import { lastJson, runCli } from './run-cli';
import { FOLLOW_TIMEOUT_S, SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';

const idle: EnvironmentRecord = { env: 'dev', revision: 1, sequencers: {}, updatedAt: 't' };
const good = { deploymentId: 'd-1', digest: fakeImage('dev', 1).digest, configHash: 'h', imageUri: 'u', finishedAt: 't' };
const rolling = (expiresAt: number): EnvironmentRecord => ({
  ...idle, lastGood: good, inFlight: { request: { ...fakeImage('dev', 2), deploymentId: 'd-2', receivedAt: 't' }, lease: { owner: 'o', expiresAt }, phase: 'rolling', startedAt: 's' },
});

describe('rebuild decisions', () => {
  it.each<[string, EnvironmentRecord | undefined, string | RegExp]>([
    ['the last good deployment of an idle environment', { ...idle, lastGood: good }, 'd-1'],
    ['after a rollout whose lease expired', rolling(999), 'd-1'],
    ['nothing deployed yet', idle, /nothing to rebuild: no deployment of dev ever succeeded/],
    ['unknown environment', undefined, /nothing to rebuild/],
    ['a rollout in flight', rolling(2000), /d-2 of dev is rolling/],
  ])('%s', (_name, env, expected) => {
    const act = (): string => rebuildSource('dev', env, 1000);
    if (typeof expected === 'string') expect(act()).toBe(expected);
    else expect(act).toThrow(expect.objectContaining({ exitCode: 1, message: expect.stringMatching(expected) }));
  });

  it('builds a detail its schema accepts, with or without --base, and refuses a malformed base with exit 2', () => {
    expect(BaseImageChangedDetailSchema.parse(rebuildDetail('dev', undefined, 'r-1'))).toEqual({ env: 'dev', requestedBy: 'operator', requestId: 'r-1' });
    expect(rebuildDetail('dev', 'h:1/docker-hub/w@sha256:ab', 'r')).toMatchObject({ baseImage: 'h:1/docker-hub/w@sha256:ab' });
    expect(() => rebuildDetail('dev', 'no-tag', 'r')).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/--base: received "no-tag", expected HOST\/REPOSITORY:TAG/) }));
  });

  it('follows only a rebuild of that deployment received after the request', () => {
    const record = (id: string, rebuildOf: string | undefined, receivedAt: string): DeploymentRecord => ({ ...fakeImage('dev', 3), deploymentId: id, rebuildOf, receivedAt, state: 'in-flight', createdAt: receivedAt, updatedAt: receivedAt });
    const records = [record('old', 'd-1', '2026-01-01'), record('upload', undefined, '2026-02-02'), record('new', 'd-1', '2026-02-03'), record('other', 'd-0', '2026-02-04')];
    expect(pickRebuild(records, 'd-1', '2026-02-01')?.deploymentId).toBe('new');
    expect(pickRebuild(records, 'd-1', '2026-03-01')).toBeUndefined();
    // The same rebuild asked again on the same base keeps its id and receivedAt; the ledger records it again.
    const again = { ...record('same', 'd-1', '2026-01-01'), state: 'ignored' as const, updatedAt: '2026-03-02' };
    expect(pickRebuild([...records, again], 'd-1', '2026-03-01')?.deploymentId).toBe('same');
  });
});

describe('wickedctl rebuild against the local emulator', () => {
  let fixture: OperatorFixture;
  beforeAll(async () => { fixture = await startOperatorFixture('cli-rebuild-'); }, SETUP_LIMIT_MS);
  afterAll(async () => { await fixture?.stop(); });

  it('refuses an environment with nothing deployed with exit 1 and puts nothing on the bus', async () => {
    // (The stack's custom resource put one on `cdk deploy`, requested by cdk-deploy: only what follows counts.)
    const mark = fixture.emulator.bus.timeline.length;
    const run = await runCli(['rebuild', '--env', 'dev', '--table', fixture.names.table]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/nothing to rebuild: no deployment of dev ever succeeded/);
    expect(fixture.emulator.bus.timeline.slice(mark).filter((e) => e.event['detail-type'] === 'Portal Base Image Changed')).toEqual([]);
  });

  it('rebuilds the deployed config on --base and follows it to deployed', async () => {
    const budget = signalBudget();
    const { emulator } = fixture;
    const versionId = await upload(emulator, await packExample(fixture.dir, 'static'), 'config/dev/static.tgz');
    const first = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'first build')).detail);
    await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: first.digest }), budget.left(), 'first deployment');
    await settle(emulator, budget.left());
    const next = await publishBaseVersion(emulator, '1.0.2', '1.0.2');

    const run = await runCli(['rebuild', '--env', 'dev', '--base', next.image, '--table', fixture.names.table, '--follow', '--timeout', FOLLOW_TIMEOUT_S, '--json']);
    expect(run.stderr).toMatch(/\[requested\] rebuild of d-[0-9a-f]+ in dev on /);
    expect(run.code).toBe(0);
    const line = lastJson(run);
    expect(line).toMatchObject({ outcome: 'deployed', env: 'dev', configHash: first.configHash });
    expect(line.digest).not.toBe(first.digest);
    expect(await fixture.ledger.getDeployment('dev', String(line.deploymentId))).toMatchObject({ state: 'succeeded', baseDigest: next.digest, versionId });

    // The base it now runs again: nothing to roll, and --follow says so instead of waiting for its timeout.
    await settle(emulator, budget.left());
    const updates = emulator.control.ecs.deployments(emulator.resources.cluster, 'portal-api').length;
    const again = await runCli(['rebuild', '--env', 'dev', '--base', next.image, '--table', fixture.names.table, '--follow', '--timeout', FOLLOW_TIMEOUT_S, '--json']);
    expect(again.code).toBe(0);
    expect(lastJson(again)).toMatchObject({ outcome: 'unchanged', env: 'dev', digest: line.digest, reason: expect.stringContaining('last good digest already') });
    expect(emulator.control.ecs.deployments(emulator.resources.cluster, 'portal-api')).toHaveLength(updates);
  }, SIGNAL_TEST_LIMIT_MS);
});
