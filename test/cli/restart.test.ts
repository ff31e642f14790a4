import { checkRestartAllowed, restartDetail } from '../../cli/commands/restart';
import { ServiceRestartRequestedDetailSchema } from '../../shared/events/operator';
import type { EnvironmentRecord } from '../../shared/ledger';
import type { OperatorFixture } from './operator-fixture';
import { fakeImage, recordDeployment, startOperatorFixture } from './operator-fixture';
import { lastJson, runCli } from './run-cli';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';

const idle: EnvironmentRecord = { env: 'dev', revision: 1, sequencers: {}, updatedAt: 't' };
const rolling = (expiresAt: number): EnvironmentRecord => ({
  ...idle, inFlight: { request: { ...fakeImage('dev', 1), deploymentId: 'd-1', receivedAt: 't' }, lease: { owner: 'o', expiresAt }, phase: 'rolling', startedAt: 's' },
});

describe('restart decisions', () => {
  it.each<[string, EnvironmentRecord | undefined, RegExp | undefined]>([
    ['idle environment', idle, undefined],
    ['a rollout whose lease expired', rolling(999), undefined],
    ['unknown environment', undefined, /not in the ledger/],
    ['a rollout in flight', rolling(2000), /d-1 of dev is rolling/],
  ])('%s', (_name, env, refusal) => {
    const act = (): void => checkRestartAllowed('dev', env, 1000);
    if (refusal) expect(act).toThrow(refusal);
    else expect(act).not.toThrow();
  });

  it('builds a detail its schema accepts and refuses a malformed service name with exit 2', () => {
    const detail = restartDetail('dev', 'portal-kong-adapter', 'kong db recreated', 'r-1', 0);
    expect(ServiceRestartRequestedDetailSchema.parse(detail)).toEqual({ env: 'dev', service: 'portal-kong-adapter', requestId: 'r-1', requestedAt: '1970-01-01T00:00:00.000Z', reason: 'kong db recreated' });
    expect(() => restartDetail('dev', 'portal api', undefined, 'r', 0)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/--service: received "portal api", expected an ECS service name/) }));
  });
});

describe('wickedctl restart against the local emulator', () => {
  let fixture: OperatorFixture;
  beforeAll(async () => { fixture = await startOperatorFixture('cli-restart-'); }, SETUP_LIMIT_MS);
  afterAll(async () => { await fixture?.stop(); });

  it('refuses bad arguments with exit 2', async () => {
    expect((await runCli(['restart', '--env', 'dev', '--table', 't'])).code).toBe(2);
    expect((await runCli(['restart', '--env', 'dev', '--service', 'a/b', '--table', 't'])).code).toBe(2);
  });

  it('puts Portal Service Restart Requested on the bus for a managed environment', async () => {
    const budget = signalBudget();
    await recordDeployment(fixture.ledger, fakeImage('qa', 2), { kind: 'succeeded' });
    const run = await runCli(['restart', '--env', 'qa', '--service', 'portal-kong-adapter', '--table', fixture.names.table, '--json']);
    expect(run.code).toBe(0);
    const line = lastJson(run);
    const event = await fixture.emulator.bus.waitFor((e) => e['detail-type'] === 'Portal Service Restart Requested', budget.left(), 'restart event');
    expect(ServiceRestartRequestedDetailSchema.parse(event.detail)).toMatchObject({ env: 'qa', service: 'portal-kong-adapter', requestId: line.requestId });
  }, SIGNAL_TEST_LIMIT_MS);

  it('refuses an environment the control plane does not manage with exit 1', async () => {
    const run = await runCli(['restart', '--env', 'ghost', '--service', 'portal', '--table', fixture.names.table]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ghost is not in the ledger/);
  });
});
