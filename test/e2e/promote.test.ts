import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SDK_DEFAULTS } from '../../local/story';
import { ImageBuiltDetailSchema } from '../../shared/events';
import { Ledger } from '../../shared/ledger';
import { lastJson, runCli } from '../cli/run-cli';
import { failedDeployDeliveries, isEvent, packExample, upload } from './deploy-helpers';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';
import { FOLLOW_TIMEOUT_S, SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';

describe('promote dev -> prod between the deployed wicked-dev and wicked-prod stacks: prod runs the exact digest running in dev', () => {
  let dir: string;
  let emulator: DeployedStack;
  /** Each stack's own ledger, by environment. */
  let ledgers: Record<string, Ledger>;
  let raw: DynamoDBClient;
  beforeAll(async () => {
    // wickedctl runs in this process and finds both environments by name, as in a shell after `wickedctl local up --env dev --env prod`.
    emulator = await deployedStack('e2e-promote-', { envs: ['dev', 'prod'], cliEnvironment: true });
    dir = emulator.dir;
    // Promotion alone: prod's pre-deploy snapshot gate (its default) is switched off, as an update of its deploy functions'
    // configuration would; the gate has its own test, and wicked-prod also snapshots its RDS database, which the local AWS Backup does not copy.
    await emulator.setFunctionEnvironment('prod', { PRE_DEPLOY_SNAPSHOT: 'false' }, ['deploy-services', 'track-deployment']);
    raw = new DynamoDBClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.dynamodb });
    ledgers = Object.fromEntries(['dev', 'prod'].map((env) => [env, new Ledger({ client: DynamoDBDocumentClient.from(raw), tableName: emulator.environments[env]!.ledgerTable })]));
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    raw?.destroy();
    await emulator?.stop();
  });

  /** The digest the PRIMARY deployment of an environment's portal-api pins. */
  const running = (env: string): string | undefined => emulator.control.ecs.deployments(emulator.environments[env]!.cluster, 'portal-api')
    .find((d) => d.status === 'PRIMARY')?.containers.find((c) => c.name === 'portal-api')?.imageDigest;
  /** Where an environment's release tag points in its own repository. */
  const release = (env: string): string | undefined => {
    const r = emulator.environments[env]!;
    return emulator.control.ecr.listImages(r.repositoryName).find((image) => image.imageTags?.includes(r.releaseTag))?.imageDigest;
  };

  it('deploys each environment apart: its cluster, bucket, own portal-api repository and own ledger', () => {
    const { dev, prod } = emulator.environments;
    expect(new Set([dev!.cluster, prod!.cluster]).size).toBe(2);
    expect(new Set([dev!.configBucket, prod!.configBucket]).size).toBe(2);
    expect([dev!.repositoryName, prod!.repositoryName]).toEqual(['wicked-dev/portal-api', 'wicked-prod/portal-api']);
    expect(new Set([dev!.ledgerTable, prod!.ledgerTable]).size).toBe(2);
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

    // Each ledger table comes from its environment's /wicked/<env>/ parameters.
    const run = await runCli(['promote', '--from', 'dev', '--to', 'prod', '--follow', '--timeout', FOLLOW_TIMEOUT_S, '--json']);
    expect(run.stderr).toMatch(/\[copied\] sha256:[0-9a-f]{64} into wicked-prod\/portal-api/);
    expect(run.code).toBe(0);
    expect(lastJson(run)).toMatchObject({ outcome: 'deployed', env: 'prod', digest: built.digest, configHash: built.configHash });
    await emulator.control.ecs.waitForSteadyState(emulator.environments.prod!.cluster, 'portal-api', budget.left());

    expect(prodBefore).not.toBe(built.digest);
    expect(running('prod')).toBe(built.digest);
    expect(release('prod')).toBe(built.digest);
    expect(running('dev')).toBe(built.digest);
    // One build, dev's (the promotion's Portal Image Built names its source); prod's build-image only saw the base image announcement of its own `cdk deploy`.
    const images = emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Image Built').map((entry) => entry.event.detail);
    expect(images.filter((image) => image.promotedFrom === undefined)).toEqual([expect.objectContaining({ env: 'dev', digest: built.digest })]);
    expect(images.filter((image) => image.promotedFrom !== undefined)).toEqual([expect.objectContaining({ env: 'prod', promotedFrom: 'dev', digest: built.digest })]);
    const prodBuilds = emulator.cloud.functions.invocations(emulator.environments.prod!.functions['build-image']);
    expect(prodBuilds.map((invocation) => (invocation.event as { 'detail-type'?: string })['detail-type'])).toEqual(['Portal Base Image Changed']);
    const prodEnv = await ledgers.prod!.getEnvironment('prod');
    expect(prodEnv?.lastGood).toMatchObject({ digest: built.digest, configHash: built.configHash, imageUri: expect.stringContaining('/wicked-prod/portal-api@') });
    expect(await ledgers.prod!.getDeployment('prod', String(lastJson(run).deploymentId))).toMatchObject({
      state: 'succeeded', promotedFrom: 'dev', digest: built.digest, key: 'config/dev/static.tgz', versionId, ecsDeploymentId: expect.stringMatching(/^ecs-svc\//),
    });
    expect((await ledgers.dev!.getEnvironment('dev'))?.lastGood?.digest).toBe(built.digest);
    expect(failedDeployDeliveries(emulator)).toEqual([]);
  }, SIGNAL_TEST_LIMIT_MS);
});
