import { cp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promotionSource } from '../../cli/commands/promote';
import { ImageBuiltDetailSchema } from '../../shared/events';
import type { DeploymentRecord, EnvironmentRecord } from '../../shared/ledger';
import type { OperatorFixture } from './operator-fixture';
import { fakeImage, startOperatorFixture } from './operator-fixture';
import { lastJson, runCli } from './run-cli';
import { FOLLOW_TIMEOUT_S, SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';

const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');
const record: DeploymentRecord = { ...fakeImage('dev', 1), deploymentId: 'd-1', receivedAt: 't', state: 'succeeded', createdAt: 't', updatedAt: 't' };
const dev: EnvironmentRecord = { env: 'dev', revision: 2, sequencers: {}, updatedAt: 't', lastGood: { deploymentId: 'd-1', digest: record.digest, configHash: record.configHash, imageUri: 'u', finishedAt: 't' } };

describe('promotionSource', () => {
  it('is the last good deployment of the source environment', () => {
    expect(promotionSource('dev', 'prod', dev, [record])).toBe(record);
  });
  it.each<[string, string, EnvironmentRecord | undefined, DeploymentRecord[], RegExp, number]>([
    ['same environment twice', 'dev', dev, [record], /received dev twice/, 2],
    ['nothing succeeded in the source', 'prod', undefined, [], /no deployment of dev ever succeeded/, 1],
    ['the record of the last good one is missing', 'prod', dev, [], /holds no record of it/, 1],
  ])('refuses: %s', (_name, to, env, records, message, exitCode) => {
    expect(() => promotionSource('dev', to, env, records)).toThrow(expect.objectContaining({ message: expect.stringMatching(message), exitCode }));
  });
});

describe('wickedctl promote against the local emulator', () => {
  let fixture: OperatorFixture;
  beforeAll(async () => { fixture = await startOperatorFixture('cli-promote-', ['dev', 'prod']); }, SETUP_LIMIT_MS);
  afterAll(async () => { await fixture?.stop(); });

  async function deployToDev(config: string): Promise<string> {
    const follow = runCli(['upload', '--config', config, '--env', 'dev', '--bucket', fixture.names.bucket, '--table', fixture.names.table, '--follow', '--timeout', FOLLOW_TIMEOUT_S, '--json']);
    const run = await follow;
    expect(lastJson(run)).toMatchObject({ outcome: 'deployed' });
    return String(lastJson(run).digest);
  }

  it('refuses bad arguments with exit 2', async () => {
    expect((await runCli(['promote', '--from', 'dev', '--table', 't'])).code).toBe(2);
    expect((await runCli(['promote', '--from', 'dev', '--to', 'dev', '--table', 't'])).code).toBe(2);
  });

  it('promotes the exact digest running in dev, after validating its archive for prod', async () => {
    const budget = signalBudget();
    const digest = await deployToDev(EXAMPLE);
    const run = await runCli(['promote', '--from', 'dev', '--to', 'prod', '--table', fixture.names.table, '--json']);
    expect(run.code).toBe(0);
    expect(lastJson(run)).toMatchObject({ outcome: 'pending', env: 'prod', digest });
    const event = await fixture.emulator.bus.waitFor((e) => e['detail-type'] === 'Portal Image Built' && (e.detail as { env?: string }).env === 'prod', budget.left(), 'promotion event');
    expect(ImageBuiltDetailSchema.parse(event.detail)).toMatchObject({ env: 'prod', digest, key: expect.stringMatching(/^config\/dev\//) });
  }, SIGNAL_TEST_LIMIT_MS);

  it('refuses with exit 2 when a variable does not resolve for the target environment', async () => {
    // Uploads validate every env/<name>.json present: a configuration without env/prod.json passes, but not for prod.
    const dir = join(fixture.dir, 'dev-only');
    await cp(EXAMPLE, dir, { recursive: true });
    await rm(join(dir, 'env', 'prod.json'));
    await writeFile(join(dir, 'content', 'dev-only.md'), '# dev only\n');
    await deployToDev(dir);
    const run = await runCli(['promote', '--from', 'dev', '--to', 'prod', '--table', fixture.names.table, '--json']);
    expect(run.code).toBe(2);
    expect(lastJson(run)).toMatchObject({ outcome: 'rejected', env: 'prod' });
    // The prod stack's parameter names NODE_ENV prod (its nodeEnv prop's default, the environment's name).
    expect(run.stderr).toMatch(/env\/prod\.json \[env prod\] error MISSING_FILE: parameter \/wicked\/prod\/node-env \(the nodeEnv prop of the prod stack\) is "prod", but env\/prod\.json is missing/);
  }, SIGNAL_TEST_LIMIT_MS);

  it('validates for the NODE_ENV of the target stack\'s parameter, naming it when its env file is missing', async () => {
    // dev runs the configuration without env/prod.json (previous test); prod's stack says its NODE_ENV is k8s, then dev.
    const put = (value: string) => fixture.emulator.control.ssm.put({ name: '/wicked/prod/node-env', value, type: 'String', overwrite: true });
    const deployed = fixture.emulator.control.ssm.latest('/wicked/prod/node-env').value;
    put('k8s');
    try {
      const refused = await runCli(['promote', '--from', 'dev', '--to', 'prod', '--table', fixture.names.table, '--json']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/env\/k8s\.json \[env k8s\] error MISSING_FILE: parameter \/wicked\/prod\/node-env \(the nodeEnv prop of the prod stack\) is "k8s"/);
      // The deployed stack has every parameter this wickedctl reads: no note about an older stack.
      expect(refused.stderr).not.toMatch(/a stack older than this wickedctl/);
      put('dev');
      const promoted = await runCli(['promote', '--from', 'dev', '--to', 'prod', '--table', fixture.names.table, '--json']);
      expect(promoted.code).toBe(0);
      expect(lastJson(promoted)).toMatchObject({ outcome: 'pending', env: 'prod' });
      // --node-env overrides the parameter.
      const flagged = await runCli(['promote', '--from', 'dev', '--to', 'prod', '--table', fixture.names.table, '--node-env', 'prod']);
      expect(flagged.code).toBe(2);
      expect(flagged.stderr).toContain('note: --node-env prod overrides parameter /wicked/prod/node-env (dev)');
      expect(flagged.stderr).toMatch(/error MISSING_FILE: --node-env is "prod"/);
    } finally {
      put(deployed);
    }
  });
});
