import { DeleteClusterCommand, DeleteServiceCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { createService, register, startHarness } from './harness';
import type { Harness } from './harness';

describe('ECS deletion (API_DeleteService, API_DeleteCluster)', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => h.close());

  it('refuses to delete a running service without force and a cluster that still has services; deletes with force, then the cluster', async () => {
    const taskDefinition = await register(h.client, 'svc', 'repo/svc:1');
    await createService(h.client, { serviceName: 's', taskDefinition });
    await expect(h.client.send(new DeleteServiceCommand({ cluster: 'c', service: 's' }))).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('scaled above 0 (desiredCount 1)') });
    await expect(h.client.send(new DeleteClusterCommand({ cluster: 'c' }))).rejects.toMatchObject({ message: expect.stringContaining('while Services are active: s') });
    const deleted = await h.client.send(new DeleteServiceCommand({ cluster: 'c', service: 's', force: true }));
    expect(deleted.service).toMatchObject({ serviceName: 's', status: 'DRAINING', desiredCount: 0 });
    const described = await h.client.send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] }));
    expect(described.failures?.map((f) => f.reason)).toEqual(['MISSING']);
    expect((await h.client.send(new DeleteClusterCommand({ cluster: 'c' }))).cluster).toMatchObject({ clusterName: 'c', status: 'INACTIVE' });
    await expect(h.client.send(new DeleteClusterCommand({ cluster: 'c' }))).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
  });
});
