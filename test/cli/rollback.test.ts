import { chooseRollbackTarget } from '../../cli/commands/rollback';
import { ImageBuiltDetailSchema } from '../../shared/events';
import { operatorSequencer } from '../../shared/events/operator';
import { compareSequencers, deploymentIdFor } from '../../shared/ledger';
import type { DeploymentRecord, EnvironmentRecord } from '../../shared/ledger';
import type { OperatorFixture } from './operator-fixture';
import { fakeImage, recordDeployment, startOperatorFixture } from './operator-fixture';
import { lastJson, runCli } from './run-cli';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';

function done(n: number, state: DeploymentRecord['state'], at: string, configHash?: string): DeploymentRecord {
  return { ...fakeImage('dev', n, configHash ? { configHash } : {}), deploymentId: `d-${n}`, receivedAt: at, state, createdAt: at, updatedAt: at, finishedAt: at };
}
const history = [done(1, 'succeeded', '2026-01-01', 'aaa1'), done(2, 'succeeded', '2026-01-02', 'bbb2'), done(3, 'failed', '2026-01-03', 'ccc3'), done(4, 'succeeded', '2026-01-04', 'ddd4')];
const at4: EnvironmentRecord = { env: 'dev', revision: 9, sequencers: {}, updatedAt: 't', lastGood: { deploymentId: 'd-4', digest: fakeImage('dev', 4).digest, configHash: 'ddd4', imageUri: 'u', finishedAt: '2026-01-04' } };

describe('chooseRollbackTarget', () => {
  it.each<[string, EnvironmentRecord | undefined, DeploymentRecord[], string | undefined, string]>([
    ['the one before the last good', at4, history, undefined, 'd-2'],
    ['a named configuration', at4, history, 'aaa1', 'd-1'],
    ['a unique prefix', at4, history, 'bb', 'd-2'],
    ['after a failure, the one before the last good, never the failed one', { ...at4, lastGood: { ...at4.lastGood!, deploymentId: 'd-2', digest: fakeImage('dev', 2).digest } }, history.slice(0, 3), undefined, 'd-1'],
  ])('%s', (_name, env, records, to, expected) => {
    expect(chooseRollbackTarget(env, records, to).deploymentId).toBe(expected);
  });

  it.each<[string, DeploymentRecord[], string | undefined, RegExp, number]>([
    ['no succeeded deployment', [done(3, 'failed', 'x')], undefined, /no deployment ever succeeded/, 1],
    ['only the current image', [history[3]!], undefined, /every succeeded deployment ran/, 1],
    ['a failed configuration named', history, 'ccc3', /no succeeded deployment of that configuration hash; expected one of ddd4, bbb2, aaa1/, 1],
    ['an ambiguous prefix', [...history, done(5, 'succeeded', '2026-01-05', 'aaa9')], 'aaa', /matches 2 configurations/, 2],
  ])('refuses: %s', (_name, records, to, message, exitCode) => {
    expect(() => chooseRollbackTarget(at4, records, to)).toThrow(expect.objectContaining({ message: expect.stringMatching(message), exitCode }));
  });
});

describe('operatorSequencer', () => {
  it.each<[string | undefined, number, string, -1 | 1]>([
    ['0A1B', 0x10, '0A1B0000000000000010', 1],
    ['0a1b', 1, '0A1B0000000000000001', 1],
    [undefined, Date.UTC(2026, 0, 1), '0000019B76DAA800', 1],
  ])('after %s at %d is %s', (stored, now, expected, order) => {
    expect(operatorSequencer(stored, now)).toBe(expected);
    if (stored) expect(compareSequencers(expected, stored)).toBe(order);
  });
  it('sorts below a later real S3 sequencer of the same width and differs between two requests', () => {
    expect(compareSequencers(operatorSequencer('0A1B', Date.now()), '0A1C')).toBe(-1);
    expect(operatorSequencer('0A1B', 1000)).not.toBe(operatorSequencer('0A1B', 1001));
  });
});

describe('wickedctl rollback against the local emulator', () => {
  let fixture: OperatorFixture;
  beforeAll(async () => { fixture = await startOperatorFixture('cli-rollback-'); }, SETUP_LIMIT_MS);
  afterAll(async () => { await fixture?.stop(); });

  it('refuses bad arguments with exit 2', async () => {
    expect((await runCli(['rollback', '--table', 't'])).code).toBe(2);
    expect((await runCli(['rollback', '--env', 'qa', '--table', 't', '--timeout', '-1'])).code).toBe(2);
  });

  it('puts a Portal Image Built of the earlier image on the bus, as a new deployment that the ledger will not drop as older', async () => {
    const budget = signalBudget();
    const older = fakeImage('qa', 6, { configHash: 'older-config' });
    await recordDeployment(fixture.ledger, older, { kind: 'succeeded' });
    await recordDeployment(fixture.ledger, fakeImage('qa', 7), { kind: 'succeeded' });
    const run = await runCli(['rollback', '--env', 'qa', '--table', fixture.names.table, '--json']);
    expect(run.code).toBe(0);
    const line = lastJson(run);
    expect(line).toMatchObject({ outcome: 'pending', env: 'qa', configHash: 'older-config', digest: older.digest });
    const event = await fixture.emulator.bus.waitFor((e) => e['detail-type'] === 'Portal Image Built' && (e.detail as { env?: string }).env === 'qa', budget.left(), 'rollback event');
    expect(event.source).toBe('wicked.control-plane');
    const detail = ImageBuiltDetailSchema.parse(event.detail);
    expect(detail).toMatchObject({ env: 'qa', key: older.key, versionId: older.versionId, digest: older.digest, imageUri: older.imageUri, tag: older.tag });
    expect(compareSequencers(detail.sequencer!, older.sequencer!)).toBe(1);
    expect(deploymentIdFor(detail)).toBe(line.deploymentId);
    expect(line.deploymentId).not.toBe(deploymentIdFor(older));
  }, SIGNAL_TEST_LIMIT_MS);

  it('reports nothing to roll back to with exit 1', async () => {
    await recordDeployment(fixture.ledger, fakeImage('solo', 8), { kind: 'succeeded' });
    const run = await runCli(['rollback', '--env', 'solo', '--table', fixture.names.table]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/nothing to roll back to/);
  });
});
