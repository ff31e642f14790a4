import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationAutoScalingClient, DeleteScalingPolicyCommand, DeregisterScalableTargetCommand, DescribeScalableTargetsCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CreateTopicCommand, DeleteTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { startAutoScaling } from '../../../local/autoscaling';
import { startBackup } from '../../../local/backup';
import { LocalBus } from '../../../local/bus';
import { startEcr } from '../../../local/ecr';
import { scaledClock } from '../../../local/kernel/clock';
import { startScheduler } from '../../../local/scheduler';
import { startSns } from '../../../local/sns';
import { writeStandInBase } from '../../../local/stand-in-base';
import { createRegistryRepository } from '../../../shared/oci/registry/registry-repository';
import { createService, register, startHarness } from '../ecs/harness';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'deletes-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

describe('deletions the CloudFormation providers rely on', () => {
  it('SNS DeleteTopic removes the topic and succeeds again for a missing one', async () => {
    const sns = await startSns({ clock: scaledClock(1) });
    const client = new SNSClient({ ...local, endpoint: sns.url });
    try {
      const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'ops' }));
      await client.send(new DeleteTopicCommand({ TopicArn }));
      await client.send(new DeleteTopicCommand({ TopicArn }));
      expect((await client.send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    } finally {
      client.destroy();
      await sns.stop();
    }
  });

  it('ECR refuses to delete a repository with images unless forced (RepositoryNotEmptyException)', async () => {
    const clock = scaledClock(1);
    const ecr = await startEcr({ clock, bus: { put: () => undefined }, stateDir: dir, port: 0 });
    try {
      await ecr.control.createRepository('empty');
      await ecr.control.deleteRepository('empty', false);
      expect(() => ecr.control.listImages('empty')).toThrow(/does not exist/);
      await ecr.control.createRepository('full');
      const credentials = { get: async () => ({ username: 'AWS', password: ecr.control.issueCredentials().password }) };
      await writeStandInBase(createRegistryRepository({ host: ecr.control.registry, repository: 'full', insecure: true, credentials }));
      await expect(ecr.control.deleteRepository('full', false)).rejects.toMatchObject({ code: 'REPOSITORY_NOT_EMPTY', message: expect.stringContaining("cannot be deleted because it still contains images") });
      await ecr.control.deleteRepository('full', true);
      expect(() => ecr.control.listImages('full')).toThrow(/does not exist/);
    } finally {
      await ecr.stop();
    }
  });

  it('AWS Backup deletes an empty vault and an EFS file system with its directory', async () => {
    const clock = scaledClock(1);
    const bus = new LocalBus({ clock });
    const backup = await startBackup({ clock, bus, stateDir: dir });
    try {
      backup.control.createVault('vault-1');
      backup.control.deleteVault('vault-1');
      expect(() => backup.control.deleteVault('vault-1')).toThrow(/vault-1/);
      const fs = await backup.control.createFileSystem();
      expect(existsSync(fs.path)).toBe(true);
      await backup.control.deleteFileSystem(fs.id);
      expect(existsSync(fs.path)).toBe(false);
    } finally {
      await backup.stop();
      bus.stop();
    }
  });

  it('Scheduler DeleteScheduleGroup removes the group with its schedules and keeps the default group', async () => {
    const clock = scaledClock(1);
    const bus = new LocalBus({ clock });
    const scheduler = await startScheduler({ clock, bus });
    try {
      scheduler.control.createGroup('checks');
      scheduler.control.createSchedule('one', { GroupName: 'checks', ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f', RoleArn: 'arn:aws:iam::000000000000:role/r' } });
      scheduler.control.deleteGroup('checks');
      expect(scheduler.control.listSchedules({ groupName: 'checks' })).toEqual([]);
      expect(() => scheduler.control.getGroup('checks')).toThrow(/checks/);
      expect(() => scheduler.control.deleteGroup('default')).toThrow(/the default group cannot be deleted/);
    } finally {
      await scheduler.stop();
      bus.stop();
    }
  });

  it('Application Auto Scaling deletes a policy, then deregisters the target', async () => {
    const h = await startHarness();
    const aas = await startAutoScaling({ clock: scaledClock(1000), bus: { put: () => undefined }, stateDir: dir, ecs: h.ecs.control });
    const client = new ApplicationAutoScalingClient({ ...local, endpoint: aas.url });
    try {
      await createService(h.client, { serviceName: 'kong', taskDefinition: await register(h.client, 'kong', 'kong:3'), desiredCount: 1 });
      const target = { ServiceNamespace: 'ecs' as const, ResourceId: 'service/c/kong', ScalableDimension: 'ecs:service:DesiredCount' as const };
      await client.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 3 }));
      await client.send(new PutScalingPolicyCommand({ ...target, PolicyName: 'cpu', PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } } }));
      await client.send(new DeleteScalingPolicyCommand({ ...target, PolicyName: 'cpu' }));
      await expect(client.send(new DeleteScalingPolicyCommand({ ...target, PolicyName: 'cpu' }))).rejects.toMatchObject({ name: 'ObjectNotFoundException' });
      await client.send(new DeregisterScalableTargetCommand(target));
      expect((await client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }))).ScalableTargets).toEqual([]);
    } finally {
      client.destroy();
      await aas.stop();
      await h.close();
    }
  });
});
