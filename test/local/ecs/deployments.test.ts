import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { createService, deploymentEvents, digest, register, startHarness } from './harness';
import type { Harness } from './harness';

const SINGLETON = { minimumHealthyPercent: 0, maximumPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } };

describe('ECS rolling deployments (AWS docs "Deploy Amazon ECS services by replacing tasks")', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => h.close());

  async function singleton(): Promise<{ v1: string; v2: string }> {
    h.digests.set('repo/api:v1', digest('1'));
    h.digests.set('repo/api:v2', digest('2'));
    const v1 = await register(h.client, 'api', 'repo/api:v1');
    const v2 = await register(h.client, 'api', 'repo/api:v2');
    await createService(h.client, { serviceName: 'api', taskDefinition: v1, deploymentConfiguration: SINGLETON });
    await h.ecs.control.waitForSteadyState('c', 'api');
    return { v1, v2 };
  }

  it('0/100 with desired 1 stops the old task before starting the new one: never two non-STOPPED tasks', async () => {
    const { v2 } = await singleton();
    await h.client.send(new UpdateServiceCommand({ cluster: 'c', service: 'api', taskDefinition: v2 }));
    const done = await h.ecs.control.waitForSteadyState('c', 'api');
    expect(done).toMatchObject({ rolloutState: 'COMPLETED', taskDefinitionArn: v2 });
    expect(h.ecs.control.maxConcurrentTasks('c', 'api')).toBe(1);
    const history = h.ecs.control.taskHistory();
    const [first, second] = history;
    const stoppedAt = first?.statuses.find((s) => s.status === 'STOPPED')?.at ?? Infinity;
    expect(second?.statuses[0]?.at).toBeGreaterThanOrEqual(stoppedAt);
    expect(first?.statuses.map((s) => s.status)).toEqual(['PROVISIONING', 'PENDING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'STOPPED']);
    expect(first).toMatchObject({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: expect.stringContaining('Scaling activity initiated by') });
    const out = await h.client.send(new DescribeServicesCommand({ cluster: 'c', services: ['api'] }));
    expect(out.services?.[0]?.deployments?.map((d) => [d.id, d.status, d.rolloutState])).toEqual([[done.id, 'PRIMARY', 'COMPLETED']]);
    expect(out.services?.[0]).toMatchObject({ runningCount: 1, pendingCount: 0, taskDefinition: v2 });
  });

  it('100/200 with desired 1 starts the new task and stops the old one once the new one is healthy', async () => {
    h.digests.set('repo/gw:1', digest('a'));
    const v1 = await register(h.client, 'gw', 'repo/gw:1');
    await createService(h.client, { serviceName: 'gw', taskDefinition: v1, deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 } });
    await h.ecs.control.waitForSteadyState('c', 'gw');
    await h.client.send(new UpdateServiceCommand({ cluster: 'c', service: 'gw', forceNewDeployment: true }));
    await h.ecs.control.waitForSteadyState('c', 'gw');
    expect(h.ecs.control.maxConcurrentTasks('c', 'gw')).toBe(2);
    const [oldTask, newTask] = h.ecs.control.taskHistory();
    const newRunning = newTask?.statuses.find((s) => s.status === 'RUNNING')?.at ?? Infinity;
    const oldLeaving = oldTask?.statuses.find((s) => s.status === 'DEACTIVATING')?.at ?? -Infinity;
    expect(newRunning).toBeLessThanOrEqual(oldLeaving);
  });

  it('forceNewDeployment makes a new deployment with the same task definition and re-resolves the tag; one digest per deployment', async () => {
    h.digests.set('repo/gw:live', digest('a'));
    const td = await register(h.client, 'gw', 'repo/gw:live');
    await createService(h.client, { serviceName: 'gw', taskDefinition: td, desiredCount: 3, deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 } });
    const first = await h.ecs.control.waitForSteadyState('c', 'gw');
    h.digests.set('repo/gw:live', digest('b'));
    await h.client.send(new UpdateServiceCommand({ cluster: 'c', service: 'gw', forceNewDeployment: true }));
    const second = await h.ecs.control.waitForSteadyState('c', 'gw');
    expect(second.id).not.toBe(first.id);
    expect(second.taskDefinitionArn).toBe(td);
    const byDeployment = (id: string): Set<string | undefined> => new Set(h.ecs.control.taskHistory().filter((t) => t.deploymentId === id).map((t) => t.digests[0]));
    expect(byDeployment(first.id)).toEqual(new Set([digest('a')]));
    expect(byDeployment(second.id)).toEqual(new Set([digest('b')]));
    const arns = (await h.client.send(new ListTasksCommand({ cluster: 'c', serviceName: 'gw' }))).taskArns ?? [];
    const tasks = (await h.client.send(new DescribeTasksCommand({ cluster: 'c', tasks: arns }))).tasks ?? [];
    expect(tasks.map((t) => [t.startedBy, t.containers?.[0]?.imageDigest])).toEqual(Array.from({ length: 3 }, () => [second.id, digest('b')]));
  });

  it('UpdateService without a new task definition or force changes only the desired count (no new deployment)', async () => {
    const { v1 } = await singleton();
    const before = h.ecs.control.deployments('c', 'api');
    await h.client.send(new UpdateServiceCommand({ cluster: 'c', service: 'api', taskDefinition: v1, desiredCount: 0 }));
    await h.ecs.control.waitForSteadyState('c', 'api');
    expect(h.ecs.control.deployments('c', 'api').map((d) => d.id)).toEqual(before.map((d) => d.id));
    expect((await h.client.send(new ListTasksCommand({ cluster: 'c', serviceName: 'api' }))).taskArns).toEqual([]);
  });

  it('UpdateService during a rollout replaces it: the old PRIMARY becomes ACTIVE and drains', async () => {
    const { v1, v2 } = await singleton();
    await h.client.send(new UpdateServiceCommand({ cluster: 'c', service: 'api', taskDefinition: v2 }));
    const during = await h.client.send(new UpdateServiceCommand({ cluster: 'c', service: 'api', taskDefinition: v1, forceNewDeployment: true }));
    const statuses = during.service?.deployments?.map((d) => d.status);
    expect(statuses?.[0]).toBe('PRIMARY');
    expect(statuses?.slice(1).every((s) => s === 'ACTIVE')).toBe(true);
    const done = await h.ecs.control.waitForSteadyState('c', 'api');
    expect(done).toMatchObject({ rolloutState: 'COMPLETED', taskDefinitionArn: v1 });
    expect(h.ecs.control.deployments('c', 'api').filter((d) => d.status !== 'INACTIVE')).toHaveLength(1);
    expect(h.ecs.control.maxConcurrentTasks('c', 'api')).toBe(1);
  });

  it('emits ECS Deployment State Change IN_PROGRESS then COMPLETED with the documented detail (AWS docs "Amazon ECS service deployment state change events")', async () => {
    await singleton();
    const [started, completed] = h.events.filter((e) => e['detail-type'] === 'ECS Deployment State Change');
    expect(started).toMatchObject({ source: 'aws.ecs', resources: ['arn:aws:ecs:us-east-1:000000000000:service/c/api'] });
    expect(Object.keys(started?.detail ?? {}).sort()).toEqual(['deploymentId', 'eventName', 'eventType', 'reason', 'updatedAt']);
    expect(started?.detail).toMatchObject({ eventType: 'INFO', eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS', updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(completed?.detail).toMatchObject({ eventType: 'INFO', eventName: 'SERVICE_DEPLOYMENT_COMPLETED', deploymentId: started?.detail.deploymentId });
  });

  it('emits ECS Task State Change for every status with the documented fields (AWS docs "Amazon ECS task state change events")', async () => {
    await singleton();
    const taskEvents = h.events.filter((e) => e['detail-type'] === 'ECS Task State Change');
    expect(taskEvents.map((e) => e.detail.lastStatus)).toEqual(['PROVISIONING', 'PENDING', 'RUNNING']);
    const running = taskEvents[2];
    const deploymentId = deploymentEvents(h.events)[0]?.deploymentId;
    expect(running?.resources).toEqual([running?.detail.taskArn]);
    expect(running?.detail).toMatchObject({
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c', group: 'service:api', startedBy: deploymentId, desiredStatus: 'RUNNING',
      launchType: 'FARGATE', version: 3, createdAt: expect.stringMatching(/Z$/), startedAt: expect.stringMatching(/Z$/),
      containers: [expect.objectContaining({ name: 'app', image: 'repo/api:v1', imageDigest: digest('1'), lastStatus: 'RUNNING' })],
    });
  });
});
