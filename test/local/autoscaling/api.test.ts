import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { startAutoScaling } from '../../../local/autoscaling';
import type { AutoScalingEmulator } from '../../../local/autoscaling';
import { scaledClock } from '../../../local/kernel/clock';
import type { Clock } from '../../../local/kernel/clock';
import { createService, register, startHarness } from '../ecs/harness';
import type { Harness } from '../ecs/harness';

const KONG = 'service/c/kong';
const target = { ServiceNamespace: 'ecs' as const, ResourceId: KONG, ScalableDimension: 'ecs:service:DesiredCount' as const };

describe('Application Auto Scaling emulator through @aws-sdk/client-application-auto-scaling', () => {
  let h: Harness;
  let aas: AutoScalingEmulator;
  let client: ApplicationAutoScalingClient;
  let clock: Clock;
  let stateDir: string;

  beforeEach(async () => {
    h = await startHarness();
    stateDir = await mkdtemp(join(tmpdir(), 'aas-emulator-'));
    clock = scaledClock(1000);
    aas = await startAutoScaling({ clock, bus: { put: () => undefined }, stateDir, ecs: h.ecs.control });
    client = new ApplicationAutoScalingClient({ endpoint: aas.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    h.digests.set('kong:3', `sha256:${'c'.repeat(64)}`);
    await createService(h.client, { serviceName: 'kong', taskDefinition: await register(h.client, 'kong', 'kong:3'), desiredCount: 1 });
  });
  afterEach(async () => {
    client.destroy();
    await aas.stop();
    await h.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  async function registerKong(cooldown = 60): Promise<void> {
    await client.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 2, MaxCapacity: 10 }));
    await client.send(new PutScalingPolicyCommand({
      ...target, PolicyName: 'cpu', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        ScaleOutCooldown: cooldown, ScaleInCooldown: cooldown,
      },
    }));
  }

  it('registers a scalable target, brings the service within its bounds and describes it (API_RegisterScalableTarget)', async () => {
    await registerKong();
    expect(h.ecs.control.getDesiredCount('c', 'kong')).toBe(2);
    const out = await client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }));
    expect(out.ScalableTargets).toHaveLength(1);
    expect(out.ScalableTargets?.[0]).toMatchObject({ ...target, MinCapacity: 2, MaxCapacity: 10 });
    expect(out.ScalableTargets?.[0]?.CreationTime).toBeInstanceOf(Date);
    const policies = await client.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: KONG }));
    expect(policies.ScalingPolicies?.[0]).toMatchObject({ PolicyName: 'cpu', PolicyType: 'TargetTrackingScaling', PolicyARN: expect.stringContaining(':policyName/cpu') });
  });

  it('rejects invalid requests with the AWS error types', async () => {
    await expect(client.send(new RegisterScalableTargetCommand({ ...target, ResourceId: 'service/c/ghost', MinCapacity: 1, MaxCapacity: 2 })))
      .rejects.toMatchObject({ name: 'ValidationException' });
    await expect(client.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 5, MaxCapacity: 2 })))
      .rejects.toMatchObject({ name: 'ValidationException', message: 'MinCapacity 5 must not exceed MaxCapacity 2' });
    await expect(client.send(new PutScalingPolicyCommand({
      ...target, PolicyName: 'p', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
    }))).rejects.toMatchObject({ name: 'ObjectNotFoundException' });
  });

  it('simulated load changes the ECS desired count proportionally within bounds, honouring cooldowns', async () => {
    await registerKong(60);
    expect(aas.control.simulateLoad(KONG, { cpu: 90 })).toMatchObject({ previous: 2, desired: 4, decision: 'scale-out' });
    expect(aas.control.simulateLoad(KONG, { cpu: 90 })).toMatchObject({ previous: 4, desired: 4, decision: 'cooldown' });
    await clock.sleep(60_000);
    expect(aas.control.simulateLoad(KONG, { cpu: 400 })).toMatchObject({ previous: 4, desired: 10, decision: 'scale-out' });
    expect(aas.control.simulateLoad(KONG, { cpu: 5 })).toMatchObject({ desired: 2, decision: 'scale-in' });
    expect(aas.control.simulateLoad(KONG, { requestsPerTarget: 900 })).toMatchObject({ decision: 'none' }); // no policy tracks it
    const out = await h.client.send(new DescribeServicesCommand({ cluster: 'c', services: ['kong'] }));
    expect(out.services?.[0]?.desiredCount).toBe(2);
    expect(out.services?.[0]?.deployments).toHaveLength(1); // scaling is not a deployment
  });
});
