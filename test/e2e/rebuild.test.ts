import { BASE_IMAGE_CHANGED, DeploymentSucceededDetailSchema, EVENT_SOURCE, ImageBuiltDetailSchema } from '../../shared/events';
import type { BaseImageChangedDetail, ImageBuiltDetail } from '../../shared/events';
import { Labels } from '../../shared/oci';
import { createRegistryRepository } from '../../shared/oci/registry/registry-repository';
import { failedDeployDeliveries, isEvent, ledgerOf, packExample, primaryDigest, releaseDigest, settle, upload } from './deploy-helpers';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack, publishBaseVersion } from '../helpers/deployed';

describe('base image change on the deployed wicked-dev stack: the deployed config is rebuilt on the new base and rolled, without an upload', () => {
  let dir: string;
  let emulator: DeployedStack;
  beforeAll(async () => {
    emulator = await deployedStack('e2e-rebuild-', { envs: ['dev'] });
    dir = emulator.dir;
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
  });

  /** Puts the event the stack's custom resource puts on `cdk deploy`; resolves what the deployed build-image returned. */
  async function changeBase(baseImage: string): Promise<unknown> {
    const detail: BaseImageChangedDetail = { env: 'dev', baseImage, requestedBy: 'cdk-deploy' };
    const event = emulator.bus.put({ source: EVENT_SOURCE, 'detail-type': BASE_IMAGE_CHANGED, resources: [], detail });
    const handled = await emulator.handled(event.id, 'build-image');
    expect(handled.map((invocation) => invocation.outcome)).toEqual(['success']);
    return handled[0]?.result;
  }

  /** Labels of the image a digest names in portal-api, read over the OCI API. */
  async function labelsOf(digest: string): Promise<Record<string, string>> {
    const credentials = { get: async () => ({ username: 'AWS', password: emulator.control.ecr.issueCredentials().password }) };
    const repository = createRegistryRepository({ host: emulator.control.ecr.registry, repository: emulator.resources.repositoryName, insecure: true, credentials });
    const manifest = JSON.parse((await repository.fetchManifest(digest))!.bytes.toString('utf8')) as { config: { digest: string } };
    const chunks: Buffer[] = [];
    for await (const chunk of await repository.fetchBlob(manifest.config.digest)) chunks.push(chunk as Buffer);
    return (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { config: { Labels: Record<string, string> } }).config.Labels;
  }

  it('is a clear no-op while nothing is deployed', async () => {
    const next = await publishBaseVersion(emulator, '0.9.9', '0.9.9');
    const imageEvents = emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Image Built').length;
    expect(await changeBase(next.image)).toEqual({ outcome: 'nothing-deployed', reason: `nothing deployed in dev yet: the next config upload builds on ${next.image}` });
    expect(emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Image Built')).toHaveLength(imageEvents);
  });

  it('rolls portal-api to the same config built on the new base digest', async () => {
    const budget = signalBudget();
    const versionId = await upload(emulator, await packExample(dir, 'static'), 'config/dev/static.tgz');
    const first = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'Portal Image Built')).detail);
    await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: first.digest }), budget.left(), 'first deployment');
    await settle(emulator, budget.left());
    const uploads = emulator.control.s3.versions(emulator.resources.configBucket, 'config/dev/static.tgz').length;
    const next = await publishBaseVersion(emulator, '1.0.1', '1.0.1');
    expect(next.digest).not.toBe((await labelsOf(first.digest))[Labels.baseDigest]);

    const result = await changeBase(next.image) as { outcome: string; detail: ImageBuiltDetail };
    expect(result.outcome).toBe('built');
    const rebuilt = ImageBuiltDetailSchema.parse(result.detail);
    expect(rebuilt).toMatchObject({ env: 'dev', key: 'config/dev/static.tgz', versionId, sequencer: first.sequencer, configHash: first.configHash, baseDigest: next.digest });
    expect(rebuilt.digest).not.toBe(first.digest);
    const succeeded = DeploymentSucceededDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: rebuilt.digest }), budget.left(), 'rebuild deployed')).detail);
    await settle(emulator, budget.left());

    expect(primaryDigest(emulator)).toBe(rebuilt.digest);
    expect(releaseDigest(emulator)).toBe(rebuilt.digest);
    expect(await labelsOf(rebuilt.digest)).toMatchObject({ [Labels.baseDigest]: next.digest, [Labels.configHash]: first.configHash });
    expect(emulator.control.s3.versions(emulator.resources.configBucket, 'config/dev/static.tgz')).toHaveLength(uploads);
    const objectCreated = emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Object Created');
    expect(objectCreated).toHaveLength(1);
    const { ledger, destroy } = ledgerOf(emulator);
    try {
      expect((await ledger.getEnvironment('dev'))?.lastGood).toMatchObject({ deploymentId: succeeded.deploymentId, digest: rebuilt.digest, configHash: first.configHash });
      expect(await ledger.getDeployment('dev', succeeded.deploymentId)).toMatchObject({ state: 'succeeded', rebuildOf: expect.any(String), baseDigest: next.digest, versionId });
    } finally {
      destroy();
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('changes nothing when the same change arrives again', async () => {
    const running = primaryDigest(emulator);
    const deployments = emulator.control.ecs.deployments(emulator.resources.cluster, 'portal-api').length;
    const base = emulator.resources.baseImage;
    const result = await changeBase(`${base.slice(0, base.lastIndexOf(':'))}:1.0.1`);
    expect(result).toMatchObject({ outcome: 'unchanged', reason: expect.stringContaining(`dev already runs ${running}`) });
    expect(emulator.control.ecs.deployments(emulator.resources.cluster, 'portal-api')).toHaveLength(deployments);
    expect(primaryDigest(emulator)).toBe(running);
    expect(failedDeployDeliveries(emulator)).toEqual([]);
  });
});
