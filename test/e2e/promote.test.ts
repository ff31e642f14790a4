import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../local/emulator';
import { SDK_DEFAULTS, startEmulator } from '../../local/emulator';
import { SHARED_LEDGER_TABLE } from '../../local/provision';
import { resetDeployDeps } from '../../functions/deploy-services/deps';
import { ImageBuiltDetailSchema } from '../../shared/events';
import { Ledger } from '../../shared/ledger';
import { lastJson, runCli } from '../cli/run-cli';
import { failedDeployDeliveries, isEvent, packExample, upload } from './deploy-helpers';
import { FOLLOW_TIMEOUT_S, SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';

describe('promote dev -> prod on an emulator with two environments: prod runs the exact digest running in dev', () => {
  let dir: string;
  let emulator: Emulator;
  let ledger: Ledger;
  let raw: DynamoDBClient;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-promote-'));
    emulator = await startEmulator({ stateDir: join(dir, 'state'), clockSpeed: 200, envs: ['dev', 'prod'] });
    raw = new DynamoDBClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.dynamodb });
    ledger = new Ledger({ client: DynamoDBDocumentClient.from(raw), tableName: SHARED_LEDGER_TABLE });
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    raw?.destroy();
    await emulator?.stop();
    resetDeployDeps();
    await rm(dir, { recursive: true, force: true });
  });

  /** The digest the PRIMARY deployment of an environment's portal-api pins. */
  const running = (env: string): string | undefined => emulator.control.ecs.deployments(emulator.environments[env]!.cluster, 'portal-api')
    .find((d) => d.status === 'PRIMARY')?.containers.find((c) => c.name === 'portal-api')?.imageDigest;
  /** Where an environment's release tag points in its own repository. */
  const release = (env: string): string | undefined => {
    const r = emulator.environments[env]!;
    return emulator.control.ecr.listImages(r.repositoryName).find((image) => image.imageTags?.includes(r.releaseTag))?.imageDigest;
  };

  it('provisions each environment apart: its cluster, bucket and own portal-api repository, one ledger', () => {
    const { dev, prod } = emulator.environments;
    expect([dev!.cluster, prod!.cluster]).toEqual(['wicked-dev', 'wicked-prod']);
    expect([dev!.repositoryName, prod!.repositoryName]).toEqual(['wicked-dev/portal-api', 'wicked-prod/portal-api']);
    expect([dev!.ledgerTable, prod!.ledgerTable]).toEqual([SHARED_LEDGER_TABLE, SHARED_LEDGER_TABLE]);
    expect(emulator.resources).toBe(dev);
  });

  it('deploys in dev, promotes to prod through the ledger and tracking, copies the digest into prod\'s repository, never builds for prod', async () => {
    const budget = signalBudget();
    const dev = emulator.environments.dev!;
    const versionId = await upload(emulator, await packExample(dir, 'static'), 'config/dev/static.tgz');
    const built = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'dev build')).detail);
    await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: built.digest, env: 'dev' }), budget.left(), 'dev deployed');
    await emulator.control.ecs.waitForSteadyState(dev.cluster, 'portal-api', budget.left());
    expect(built.imageUri).toContain('/wicked-dev/portal-api@');
    expect(running('dev')).toBe(built.digest);
    expect(emulator.control.ecr.listImages('wicked-prod/portal-api').map((i) => i.imageDigest)).not.toContain(built.digest);
    const prodBefore = running('prod');

    const run = await runCli(['promote', '--from', 'dev', '--to', 'prod', '--table', SHARED_LEDGER_TABLE, '--follow', '--timeout', FOLLOW_TIMEOUT_S, '--json']);
    expect(run.stderr).toMatch(/\[copied\] sha256:[0-9a-f]{64} into wicked-prod\/portal-api/);
    expect(run.code).toBe(0);
    expect(lastJson(run)).toMatchObject({ outcome: 'deployed', env: 'prod', digest: built.digest, configHash: built.configHash });
    await emulator.control.ecs.waitForSteadyState(emulator.environments.prod!.cluster, 'portal-api', budget.left());

    expect(prodBefore).not.toBe(built.digest);
    expect(running('prod')).toBe(built.digest);
    expect(release('prod')).toBe(built.digest);
    expect(running('dev')).toBe(built.digest);
    const buildRuns = emulator.bus.timeline.flatMap((entry) => entry.deliveries.filter((d) => d.target === 'build-image'));
    expect(buildRuns).toHaveLength(1);
    const prodEnv = await ledger.getEnvironment('prod');
    expect(prodEnv?.lastGood).toMatchObject({ digest: built.digest, configHash: built.configHash, imageUri: expect.stringContaining('/wicked-prod/portal-api@') });
    expect(await ledger.getDeployment('prod', String(lastJson(run).deploymentId))).toMatchObject({
      state: 'succeeded', promotedFrom: 'dev', digest: built.digest, key: 'config/dev/static.tgz', versionId, ecsDeploymentId: expect.stringMatching(/^ecs-svc\//),
    });
    expect((await ledger.getEnvironment('dev'))?.lastGood?.digest).toBe(built.digest);
    expect(failedDeployDeliveries(emulator)).toEqual([]);
  }, SIGNAL_TEST_LIMIT_MS);
});
