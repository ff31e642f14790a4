import {
  CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { createService, digest, register, startHarness } from './harness';
import type { Harness } from './harness';

describe('ECS emulator API through @aws-sdk/client-ecs', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => h.close());

  it('numbers task definition revisions per family and describes the latest by family (API_RegisterTaskDefinition)', async () => {
    const first = await register(h.client, 'portal-api', 'repo/portal-api:a');
    const second = await register(h.client, 'portal-api', 'repo/portal-api:b');
    expect(first).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task-definition\/portal-api:1$/);
    expect(second).toMatch(/:task-definition\/portal-api:2$/);
    const latest = await h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'portal-api' }));
    expect(latest.taskDefinition?.revision).toBe(2);
    expect(latest.taskDefinition?.containerDefinitions?.[0]?.image).toBe('repo/portal-api:b');
    const pinned = await h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'portal-api:1' }));
    expect(pinned.taskDefinition?.containerDefinitions?.[0]?.image).toBe('repo/portal-api:a');
    await expect(h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope:1' }))).rejects.toMatchObject({ name: 'ClientException' });
  });

  it('rejects bad requests with the AWS error types', async () => {
    const taskDefinition = await register(h.client, 'svc', 'repo/svc:1');
    await expect(h.client.send(new CreateServiceCommand({ cluster: 'missing', serviceName: 's', taskDefinition }))).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
    await createService(h.client, { serviceName: 's', taskDefinition });
    await expect(h.client.send(new CreateServiceCommand({ cluster: 'c', serviceName: 'other', taskDefinition, launchType: 'FARGATE' })))
      .rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining("networkMode 'awsvpc'") });
    await expect(createService(h.client, { serviceName: 's', taskDefinition })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(h.client.send(new UpdateServiceCommand({ cluster: 'c', service: 'ghost', desiredCount: 2 }))).rejects.toMatchObject({ name: 'ServiceNotFoundException' });
    await expect(h.client.send(new UpdateServiceCommand({ cluster: 'c', service: 's', deploymentConfiguration: { maximumPercent: 500 } })))
      .rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('maximumPercent: expected an integer from 0 to 200, received number 500') });
  });

  it('describes a service with its deployment (id ecs-svc/<19 digits>) and reports missing services as failures (API_DescribeServices)', async () => {
    h.digests.set('repo/svc:1', digest('a'));
    const taskDefinition = await register(h.client, 'svc', 'repo/svc:1');
    await createService(h.client, {
      serviceName: 's', taskDefinition, desiredCount: 2,
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    const out = await h.client.send(new DescribeServicesCommand({ cluster: 'c', services: ['s', 'ghost'] }));
    const service = out.services?.[0];
    expect(service).toMatchObject({
      serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/s', desiredCount: 2, launchType: 'FARGATE', taskDefinition,
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    expect(service?.deployments).toHaveLength(1);
    expect(service?.deployments?.[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition, desiredCount: 2 });
    expect(service?.deployments?.[0]?.id).toMatch(/^ecs-svc\/\d{19}$/);
    expect(service?.createdAt).toBeInstanceOf(Date);
    expect(out.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:000000000000:service/c/ghost', reason: 'MISSING' }]);
  });

  it('reports health as ECS does: HEALTHY only for containers whose definition has a health check; the task by its essential ones (API_HealthCheck)', async () => {
    h.digests.set('repo/svc:1', digest('b'));
    const registered = await h.client.send(new RegisterTaskDefinitionCommand({
      family: 'checked', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [
        { name: 'app', image: 'repo/svc:1', essential: true, healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ping || exit 1'] } },
        { name: 'sidecar', image: 'repo/svc:1', essential: false },
      ],
    }));
    await createService(h.client, { serviceName: 's', taskDefinition: registered.taskDefinition?.taskDefinitionArn ?? '', desiredCount: 1 });
    await h.ecs.control.waitForSteadyState('c', 's');
    const listed = await h.client.send(new ListTasksCommand({ cluster: 'c', serviceName: 's' }));
    const [task] = (await h.client.send(new DescribeTasksCommand({ cluster: 'c', tasks: listed.taskArns }))).tasks ?? [];
    expect(task?.healthStatus).toBe('HEALTHY');
    expect(task?.containers?.map((c) => [c.name, c.healthStatus])).toEqual([['app', 'HEALTHY'], ['sidecar', 'UNKNOWN']]);
  });

  it('lists and describes the tasks of a service with the pinned digest and startedBy = deployment id (API_ListTasks, API_DescribeTasks)', async () => {
    h.digests.set('repo/svc:1', digest('b'));
    const taskDefinition = await register(h.client, 'svc', 'repo/svc:1');
    await createService(h.client, { serviceName: 's', taskDefinition, desiredCount: 2 });
    const steady = await h.ecs.control.waitForSteadyState('c', 's');
    const listed = await h.client.send(new ListTasksCommand({ cluster: 'c', serviceName: 's' }));
    expect(listed.taskArns).toHaveLength(2);
    const described = await h.client.send(new DescribeTasksCommand({ cluster: 'c', tasks: [...(listed.taskArns ?? []), 'deadbeef'] }));
    expect(described.failures).toEqual([{ arn: 'deadbeef', reason: 'MISSING' }]);
    for (const task of described.tasks ?? []) {
      // No container health check in the definition: ECS reports UNKNOWN (API_HealthCheck), however ready the task is.
      expect(task).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', healthStatus: 'UNKNOWN', startedBy: steady.id, group: 'service:s', taskDefinitionArn: taskDefinition });
      expect(task.containers?.[0]?.healthStatus).toBe('UNKNOWN');
      expect(task.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/c\/[0-9a-f]{32}$/);
      expect(task.containers?.[0]).toMatchObject({ name: 'app', image: 'repo/svc:1', imageDigest: digest('b'), lastStatus: 'RUNNING' });
      expect(task.startedAt).toBeInstanceOf(Date);
    }
    const ips = (described.tasks ?? []).map((task) => task.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value);
    expect(new Set(ips).size).toBe(2);
    const stopped = await h.client.send(new ListTasksCommand({ cluster: 'c', serviceName: 's', desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns).toEqual([]);
  });

  it('requires an awsvpc task definition for FARGATE', async () => {
    const out = await h.client.send(new RegisterTaskDefinitionCommand({ family: 'bridge', containerDefinitions: [{ name: 'x', image: 'x:1' }] }));
    await expect(createService(h.client, { serviceName: 'b', taskDefinition: out.taskDefinition?.taskDefinitionArn ?? '' }))
      .rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('expected awsvpc') });
  });
});
