import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { createService, deploymentEvents, digest, register, startHarness } from './harness';
import type { Harness } from './harness';

/** AWS docs "How the Amazon ECS deployment circuit breaker detects failures". */
describe('ECS deployment circuit breaker and rollback', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => h.close());

  async function deployBroken(rollback: boolean, firstHealthy = true): Promise<{ v1: string; v2: string }> {
    h.digests.set('repo/api:v1', digest('1'));
    h.digests.set('repo/api:v2', digest('2'));
    const v1 = await register(h.client, 'api', 'repo/api:v1');
    const v2 = await register(h.client, 'api', 'repo/api:v2');
    if (!firstHealthy) h.ecs.control.failHealth('repo/api:v1');
    await createService(h.client, {
      serviceName: 'api', taskDefinition: v1,
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100, deploymentCircuitBreaker: { enable: true, rollback } },
    });
    if (firstHealthy) await h.ecs.control.waitForSteadyState('c', 'api');
    h.ecs.control.failHealth(digest('2'));
    await h.client.send(new UpdateServiceCommand({ cluster: 'c', service: 'api', taskDefinition: v2 }));
    return { v1, v2 };
  }

  it('fails after threshold = 3 failed tasks for desired 1 and rolls back to the last COMPLETED deployment', async () => {
    const { v1 } = await deployBroken(true);
    const done = await h.ecs.control.waitForSteadyState('c', 'api');
    const [original, broken] = [...h.ecs.control.deployments('c', 'api')].reverse();
    expect(broken).toMatchObject({ rolloutState: 'FAILED', failedTasks: 3, rolloutStateReason: 'ECS deployment circuit breaker: task failed to start.' });
    expect(done).toMatchObject({ id: original?.id, status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinitionArn: v1 });
    expect(deploymentEvents(h.events).map((e) => [e.eventName, e.deploymentId])).toEqual([
      ['SERVICE_DEPLOYMENT_IN_PROGRESS', original?.id],
      ['SERVICE_DEPLOYMENT_COMPLETED', original?.id],
      ['SERVICE_DEPLOYMENT_IN_PROGRESS', broken?.id],
      ['SERVICE_DEPLOYMENT_FAILED', broken?.id],
      ['SERVICE_DEPLOYMENT_IN_PROGRESS', original?.id],
      ['SERVICE_DEPLOYMENT_COMPLETED', original?.id],
    ]);
    expect(deploymentEvents(h.events)[4]?.reason).toBe(`ECS deployment circuit breaker: rolling back to deploymentId ${original?.id}.`);
    const failedEvent = h.events.find((e) => e.detail.eventName === 'SERVICE_DEPLOYMENT_FAILED');
    expect(failedEvent?.detail.eventType).toBe('ERROR');
    const failedTasks = h.ecs.control.taskHistory().filter((t) => t.deploymentId === broken?.id);
    expect(failedTasks.map((t) => [t.healthStatus, t.stoppedReason, t.stopCode])).toEqual(
      Array.from({ length: 3 }, () => ['UNHEALTHY', 'Task failed container health checks', 'TaskFailedToStart']));
    expect(h.ecs.control.maxConcurrentTasks('c', 'api')).toBe(1);
    const arns = (await h.client.send(new ListTasksCommand({ cluster: 'c', serviceName: 'api' }))).taskArns ?? [];
    const tasks = (await h.client.send(new DescribeTasksCommand({ cluster: 'c', tasks: arns }))).tasks ?? [];
    expect(tasks.map((t) => t.containers?.[0]?.imageDigest)).toEqual([digest('1')]);
  });

  it('without rollback the deployment is FAILED and launches no more tasks', async () => {
    await deployBroken(false);
    const done = await h.ecs.control.waitForSteadyState('c', 'api');
    expect(done).toMatchObject({ status: 'PRIMARY', rolloutState: 'FAILED', failedTasks: 3 });
    const launched = h.ecs.control.taskHistory().length;
    // 50 s of emulated time (five times a task's start-up): every launch ECS would make by then has been made.
    await h.clock.sleep(50_000);
    expect(h.ecs.control.taskHistory()).toHaveLength(launched);
    const out = await h.client.send(new DescribeServicesCommand({ cluster: 'c', services: ['api'] }));
    expect(out.services?.[0]?.deployments?.[0]).toMatchObject({ rolloutState: 'FAILED', runningCount: 0 });
  });

  it('with no COMPLETED deployment to return to, the failed deployment stalls', async () => {
    await deployBroken(true, false);
    const done = await h.ecs.control.waitForSteadyState('c', 'api');
    expect(done.rolloutState).toBe('FAILED');
    expect(h.ecs.control.deployments('c', 'api').some((d) => d.rolloutState === 'COMPLETED')).toBe(false);
  });

  it('a healthy task resets the consecutive failure count (resetOnHealthyTask default)', async () => {
    h.digests.set('repo/gw:1', digest('a'));
    const td = await register(h.client, 'gw', 'repo/gw:1');
    await createService(h.client, {
      serviceName: 'gw', taskDefinition: td, desiredCount: 4,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    const done = await h.ecs.control.waitForSteadyState('c', 'gw');
    expect(done.rolloutState).toBe('COMPLETED');
    expect(h.ecs.control.taskHistory().filter((t) => t.healthStatus === 'HEALTHY')).toHaveLength(4);
  });

  it('a tag that cannot be resolved fails its tasks with CannotPullContainerError', async () => {
    const td = await register(h.client, 'ghost', 'repo/ghost:missing');
    await createService(h.client, {
      serviceName: 'ghost', taskDefinition: td,
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: false } },
    });
    const done = await h.ecs.control.waitForSteadyState('c', 'ghost');
    expect(done.rolloutState).toBe('FAILED');
    const [task] = h.ecs.control.taskHistory();
    expect(task).toMatchObject({ stopCode: 'TaskFailedToStart', stoppedReason: expect.stringContaining('CannotPullContainerError') });
    expect(task?.statuses.map((s) => s.status)).toEqual(['PROVISIONING', 'PENDING', 'STOPPING', 'STOPPED']);
  });

  it('keeps at most one non-STOPPED singleton task across 20 deploys, failed ones included', async () => {
    const { v1, v2 } = await deployBroken(true);
    await h.ecs.control.waitForSteadyState('c', 'api');
    for (let i = 0; i < 19; i += 1) {
      const broken = i % 3 === 0;
      await h.client.send(new UpdateServiceCommand({ cluster: 'c', service: 'api', taskDefinition: broken ? v2 : v1, forceNewDeployment: true }));
      if (i % 4 !== 1) await h.ecs.control.waitForSteadyState('c', 'api'); // every fourth deploy lands on top of a running one
    }
    await h.ecs.control.waitForSteadyState('c', 'api');
    expect(h.ecs.control.maxConcurrentTasks('c', 'api')).toBe(1);
    expect(h.ecs.control.deployments('c', 'api')).toHaveLength(21); // create + first broken deploy + 19
  });
});
