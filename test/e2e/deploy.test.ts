import { DeploymentFailedDetailSchema, DeploymentSucceededDetailSchema, ImageBuiltDetailSchema } from '../../shared/events';
import type { ImageBuiltDetail } from '../../shared/events';
import { waitForCompanions } from '../../local/story';
import { failedDeployDeliveries, isEvent, ledgerOf, packExample, primaryDigest, releaseDigest, upload } from './deploy-helpers';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';

describe('deploy end to end on the deployed wicked-dev stack: upload -> build-image -> deploy-services -> ECS -> track-deployment', () => {
  let dir: string;
  let emulator: DeployedStack;
  let cluster: string;
  let kong: string;
  let good: ImageBuiltDetail;
  beforeAll(async () => {
    emulator = await deployedStack('e2e-deploy-', { envs: ['dev'] });
    dir = emulator.dir;
    cluster = emulator.resources.cluster;
    kong = emulator.resources.gateways[0]!;
    // Load on the gateway: the stack's target tracking (60% CPU, 2 to 6 tasks) takes 2 tasks at 150% to 5.
    emulator.control.autoscaling.simulateLoad(`service/${cluster}/${kong}`, { cpu: 150 });
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
  });

  it('rolls portal-api to the image of an uploaded config and reports success only once ECS runs its digest', async () => {
    const budget = signalBudget();
    expect(emulator.control.ecs.getDesiredCount(cluster, kong)).toBe(5);
    // As the stack creates them: the components that wait for portal-api have no task before its first good deployment.
    const others = emulator.resources.singletons.filter((name) => name !== 'portal-api');
    expect(others.map((name) => emulator.control.ecs.getDesiredCount(cluster, name))).toEqual(others.map(() => 0));
    const othersDeployments = others.map((name) => emulator.control.ecs.deployments(cluster, name).length);
    const before = primaryDigest(emulator);
    const versionId = await upload(emulator, await packExample(dir, 'static'), 'config/dev/static.tgz');
    good = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'Portal Image Built')).detail);
    const succeeded = await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: good.digest }), budget.left(), 'Portal Deployment Succeeded');

    const detail = DeploymentSucceededDetailSchema.parse(succeeded.detail);
    expect(detail).toMatchObject({ env: 'dev', service: 'portal-api', configHash: good.configHash, versionId, ecsDeploymentId: expect.stringMatching(/^ecs-svc\//) });
    expect(good.digest).not.toBe(before);
    expect(primaryDigest(emulator)).toBe(good.digest);
    expect(releaseDigest(emulator)).toBe(good.digest);
    // Then the reconcile loop brings every other singleton from 0 to 1 task: a desired count, no new deployment; kong's count is its autoscaler's.
    expect(await waitForCompanions(emulator)).toEqual(others);
    expect(others.map((name) => emulator.control.ecs.deployments(cluster, name).length)).toEqual(othersDeployments);
    expect(emulator.control.ecs.getDesiredCount(cluster, kong)).toBe(5);
    const primary = emulator.control.ecs.deployments(cluster, 'portal-api').find((d) => d.status === 'PRIMARY');
    expect(primary).toMatchObject({ id: detail.ecsDeploymentId, rolloutState: 'COMPLETED' });
    // dev is not gated: no snapshot was asked for before the roll.
    expect(emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Snapshot Requested')).toEqual([]);
    const { ledger, destroy } = ledgerOf(emulator);
    try {
      const environment = await ledger.getEnvironment('dev');
      expect(environment).toMatchObject({ lastGood: { deploymentId: detail.deploymentId, digest: good.digest, configHash: good.configHash } });
      expect(environment?.inFlight).toBeUndefined();
      expect(await ledger.getDeployment('dev', detail.deploymentId)).toMatchObject({ state: 'succeeded', ecsDeploymentId: detail.ecsDeploymentId, versionId });
    } finally {
      destroy();
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('changes nothing for a duplicate event or an older one of the same key', async () => {
    const deployments = emulator.control.ecs.deployments(cluster, 'portal-api').length;
    const older: ImageBuiltDetail = { ...good, versionId: 'older-version', sequencer: '0'.repeat(good.sequencer?.length ?? 18), digest: baseDigest(emulator) };
    const duplicate = emulator.bus.put({ source: 'wicked.control-plane', 'detail-type': 'Portal Image Built', resources: [], detail: good });
    const late = emulator.bus.put({ source: 'wicked.control-plane', 'detail-type': 'Portal Image Built', resources: [], detail: older });
    // What the deployed deploy-services returned for each (Lambda's response payload).
    const resultsOf = async (id: string): Promise<unknown[]> => (await emulator.handled(id, 'deploy-services')).map((invocation) => invocation.result);
    expect(await resultsOf(duplicate.id)).toEqual([expect.objectContaining({ action: 'ignored-duplicate' })]);
    expect(await resultsOf(late.id)).toEqual([expect.objectContaining({ action: 'ignored-older' })]);
    expect(emulator.control.ecs.deployments(cluster, 'portal-api')).toHaveLength(deployments);
    expect(releaseDigest(emulator)).toBe(good.digest);
    expect(primaryDigest(emulator)).toBe(good.digest);
  });

  it('reports a circuit-breaker rollback as a failure, notifies, and points the release back at the last good digest', async () => {
    const budget = signalBudget();
    const archive = await packExample(dir, 'broken', 'this release fails its health check');
    let failing: string | undefined;
    // Decided synchronously as the bus records the event, before deploy-services receives it.
    const built = emulator.bus.waitFor((event) => {
      if (event['detail-type'] !== 'Portal Image Built' || (event.detail as ImageBuiltDetail).key !== 'config/dev/broken.tgz') return false;
      failing = (event.detail as ImageBuiltDetail).digest;
      emulator.control.ecs.failHealth(failing);
      return true;
    }, budget.left(), 'Portal Image Built of broken.tgz');
    await upload(emulator, archive, 'config/dev/broken.tgz');
    await built;
    const failed = DeploymentFailedDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Deployment Failed', { digest: failing }), budget.left(), 'Portal Deployment Failed')).detail);

    expect(failed).toMatchObject({ env: 'dev', service: 'portal-api', releaseDigest: good.digest });
    expect(['circuit-breaker', 'rolled-back']).toContain(failed.cause);
    expect(failed.serviceEvents.length).toBeGreaterThan(0);
    expect(emulator.bus.timeline.some((entry) => isEvent('Portal Deployment Succeeded', { digest: failing })(entry.event))).toBe(false);
    expect(releaseDigest(emulator)).toBe(good.digest);
    const notification = await emulator.control.sns.waitFor((message) => message.attributes.deploymentId === failed.deploymentId, budget.left(), 'the notification of the failed deployment');
    expect(notification).toMatchObject({ topicArn: emulator.resources.topicArn, attributes: { env: 'dev', outcome: 'failed', cause: failed.cause } });
    await emulator.control.ecs.waitForSteadyState(cluster, 'portal-api', budget.left());
    expect(primaryDigest(emulator)).toBe(good.digest);
    const { ledger, destroy } = ledgerOf(emulator);
    try {
      expect(await ledger.getDeployment('dev', failed.deploymentId)).toMatchObject({ state: 'failed', digest: failing });
      expect((await ledger.getEnvironment('dev'))?.lastGood).toMatchObject({ digest: good.digest });
    } finally {
      destroy();
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('never ran two portal-api tasks at once, left the gateway at its autoscaled count, and every delivery succeeded', async () => {
    await emulator.bus.idle();
    await emulator.lambdaAsync.idle();
    expect(emulator.control.ecs.maxConcurrentTasks(cluster, 'portal-api')).toBe(1);
    expect(emulator.control.ecs.getDesiredCount(cluster, kong)).toBe(5);
    expect(failedDeployDeliveries(emulator)).toEqual([]);
  });
});

/** The digest of the stand-in base image the stack builds on (older than any upload), as the pull-through cache holds it. */
function baseDigest(emulator: DeployedStack): string {
  const reference = emulator.resources.baseImage;
  const path = reference.slice(reference.indexOf('/') + 1);
  const [repository, tag] = [path.slice(0, path.lastIndexOf(':')), path.slice(path.lastIndexOf(':') + 1)];
  const image = emulator.control.ecr.listImages(repository).find((i) => i.imageTags?.includes(tag));
  if (!image?.imageDigest) throw new Error(`no image ${tag} in ${repository}: ${JSON.stringify(emulator.control.ecr.listImages(repository))}`);
  return image.imageDigest;
}
