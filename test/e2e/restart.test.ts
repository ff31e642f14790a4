import { waitForCompanions } from '../../local/story';
import { DeploymentSucceededDetailSchema, EVENT_SOURCE, ImageBuiltDetailSchema } from '../../shared/events';
import { OperatorDetailType } from '../../shared/events/operator';
import type { ServiceRestartRequestedDetail } from '../../shared/events/operator';
import { failedDeployDeliveries, isEvent, ledgerOf, packExample, primaryDigest, releaseDigest, settle, upload } from './deploy-helpers';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';

describe('service restart on the deployed wicked-dev stack: Portal Service Restart Requested -> deploy-services -> ECS -> track-deployment', () => {
  let dir: string;
  let emulator: DeployedStack;
  let kong: string;
  beforeAll(async () => {
    emulator = await deployedStack('e2e-restart-', { envs: ['dev'] });
    dir = emulator.dir;
    kong = emulator.resources.gateways[0]!;
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
  });

  /** Puts the event `wickedctl restart` puts; resolves the bus event. */
  function requestRestart(service: string, requestId: string): ReturnType<DeployedStack['bus']['put']> {
    const detail: ServiceRestartRequestedDetail = { env: 'dev', service, requestId, requestedAt: new Date().toISOString(), reason: 'kong database recreated' };
    return emulator.bus.put({ source: EVENT_SOURCE, 'detail-type': OperatorDetailType.ServiceRestartRequested, resources: [], detail });
  }

  it('forces a new ECS deployment of exactly portal-kong-adapter, recorded as a succeeded restart; portal-api untouched', async () => {
    const budget = signalBudget();
    const versionId = await upload(emulator, await packExample(dir, 'static'), 'config/dev/static.tgz');
    const built = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'Portal Image Built')).detail);
    await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: built.digest }), budget.left(), 'config deployed');
    await settle(emulator, budget.left());
    const { cluster } = emulator.resources;
    // Created with no task, the adapter is brought up after portal-api's first good deployment: a restart needs a running task.
    await waitForCompanions(emulator);
    await emulator.control.ecs.waitForSteadyState(cluster, 'portal-kong-adapter', budget.left());
    const apiDeployments = emulator.control.ecs.deployments(cluster, 'portal-api').map((d) => d.id);
    const adapterDeployments = emulator.control.ecs.deployments(cluster, 'portal-kong-adapter').map((d) => d.id);
    const { ledger, destroy } = ledgerOf(emulator);
    try {
      const before = await ledger.getEnvironment('dev');

      requestRestart('portal-kong-adapter', 'r-1');
      const succeeded = DeploymentSucceededDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { service: 'portal-kong-adapter' }), budget.left(), 'restart succeeded')).detail);
      await settle(emulator, budget.left());

      const fresh = emulator.control.ecs.deployments(cluster, 'portal-kong-adapter').filter((d) => !adapterDeployments.includes(d.id));
      expect(fresh).toEqual([expect.objectContaining({ id: succeeded.ecsDeploymentId, status: 'PRIMARY', rolloutState: 'COMPLETED' })]);
      expect(emulator.control.ecs.deployments(cluster, 'portal-api').map((d) => d.id)).toEqual(apiDeployments);
      expect(primaryDigest(emulator)).toBe(built.digest);
      expect(releaseDigest(emulator)).toBe(built.digest);
      expect(await ledger.getDeployment('dev', succeeded.deploymentId)).toMatchObject({ state: 'succeeded', kind: 'restart', service: 'portal-kong-adapter', ecsDeploymentId: succeeded.ecsDeploymentId });
      const after = await ledger.getEnvironment('dev');
      expect(after?.lastGood).toEqual(before?.lastGood);
      expect(after?.inFlight).toBeUndefined();
    } finally {
      destroy();
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('restarts a gateway group the same way, keeping the task count it was scaled to', async () => {
    const budget = signalBudget();
    const { cluster } = emulator.resources;
    emulator.control.ecs.setDesiredCount(cluster, kong, 3); // as autoscaling would
    await emulator.control.ecs.waitForSteadyState(cluster, kong, budget.left());
    const gatewayDeployments = emulator.control.ecs.deployments(cluster, kong).map((d) => d.id);
    const adapterDeployments = emulator.control.ecs.deployments(cluster, 'portal-kong-adapter').map((d) => d.id);

    requestRestart(kong, 'r-gateway');
    const succeeded = DeploymentSucceededDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { service: kong }), budget.left(), 'gateway restart succeeded')).detail);
    await settle(emulator, budget.left());

    const fresh = emulator.control.ecs.deployments(cluster, kong).filter((d) => !gatewayDeployments.includes(d.id));
    expect(fresh).toEqual([expect.objectContaining({ id: succeeded.ecsDeploymentId, status: 'PRIMARY', rolloutState: 'COMPLETED' })]);
    expect(emulator.control.ecs.getDesiredCount(cluster, kong)).toBe(3);
    expect(emulator.control.ecs.deployments(cluster, 'portal-kong-adapter').map((d) => d.id)).toEqual(adapterDeployments);
    expect(failedDeployDeliveries(emulator)).toEqual([]);
  }, SIGNAL_TEST_LIMIT_MS);

  it('rejects a restart of a service the environment does not have, with the reason, and starts nothing', async () => {
    const { cluster } = emulator.resources;
    const counts = ['portal-api', 'portal-kong-adapter'].map((s) => emulator.control.ecs.deployments(cluster, s).length);
    const event = requestRestart('portal-ghost', 'r-2');
    // deploy-services handled it once (Lambda's response payload) and rejected it.
    expect(await emulator.handled(event.id, 'deploy-services')).toEqual([expect.objectContaining({ outcome: 'success', result: expect.objectContaining({ action: 'rejected', reason: expect.stringMatching(/restarting portal-ghost in dev: not a service the control plane manages there; expected one of portal-api, .*portal-kong-adapter/) }) })]);
    expect(['portal-api', 'portal-kong-adapter'].map((s) => emulator.control.ecs.deployments(cluster, s).length)).toEqual(counts);
    expect(failedDeployDeliveries(emulator)).toEqual([]);
  });
});
