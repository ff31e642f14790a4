import { scaledClock } from '../../../local/kernel/clock';
import { createService, digest, register, startHarness } from './harness';
import type { Harness } from './harness';

/** What CloudFormation waits on for AWS::ECS::Service: one deployment's rollout, with a timeout on the emulator's clock. */
describe('waitForRollout: COMPLETED, FAILED by the circuit breaker, or still IN_PROGRESS at the timeout', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => h.close());

  async function serviceWith(image: string, breaker: boolean): Promise<string> {
    const taskDefinition = await register(h.client, 'api', image);
    await createService(h.client, {
      serviceName: 'api', taskDefinition,
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100, deploymentCircuitBreaker: { enable: breaker, rollback: breaker } },
    });
    return h.ecs.control.deployments('c', 'api')[0]!.id;
  }

  it.each([
    ['an image that exists', 'COMPLETED', true, true],
    ['a missing image with the circuit breaker', 'FAILED', false, true],
    ['a missing image without the circuit breaker (tasks fail forever)', 'IN_PROGRESS', false, false],
  ] as const)('%s: %s', async (_what, expected, exists, breaker) => {
    if (exists) h.digests.set('repo/api:v1', digest('1'));
    const id = await serviceWith('repo/api:v1', breaker);
    // One emulated hour at 1000x is 3.6 s of wall time; the service's own clock runs at the harness speed too.
    const outcome = await h.ecs.control.waitForRollout('c', 'api', id, { clock: scaledClock(1000), timeoutMs: 3_600_000 });
    expect(outcome).toMatchObject({ id, rolloutState: expected });
    if (expected !== 'COMPLETED') expect(outcome.failedTasks).toBeGreaterThanOrEqual(expected === 'FAILED' ? 3 : 1);
  }, 20_000);

  it('an unknown deployment id is refused, naming it', async () => {
    h.digests.set('repo/api:v1', digest('1'));
    await serviceWith('repo/api:v1', true);
    await expect(h.ecs.control.waitForRollout('c', 'api', 'ecs-svc/0000', { clock: scaledClock(1000), timeoutMs: 1000 })).rejects.toThrow(/deployment ecs-svc\/0000 is not one of service api's/);
  });
});
