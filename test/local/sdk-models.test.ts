import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as aasSdk from '@aws-sdk/client-application-auto-scaling';
import * as backupSdk from '@aws-sdk/client-backup';
import * as ecrSdk from '@aws-sdk/client-ecr';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as eventsSdk from '@aws-sdk/client-eventbridge';
import * as s3Sdk from '@aws-sdk/client-s3';
import * as schedulerSdk from '@aws-sdk/client-scheduler';
import { parseXML } from '@aws-sdk/xml-builder';
import * as ssmSdk from '@aws-sdk/client-ssm';
import { startAutoScaling } from '../../local/autoscaling';
import { startBackup } from '../../local/backup';
import { LocalBus, startEventBridge } from '../../local/bus';
import { scaledClock } from '../../local/kernel/clock';
import { startS3 } from '../../local/s3';
import { startScheduler } from '../../local/scheduler';
import { startSsm } from '../../local/ssm';
import { MediaTypes } from '../../shared/oci/media-types';
import { capturingHandler, headerModelDifferences, modelDifferences, xmlModelDifferences } from '../helpers/sdk-model';
import type { CapturedResponse, EnumTable, JsonProtocol } from '../helpers/sdk-model';
import { startEcrFixture, pushTinyImage, registryClient } from './ecr/ecr-fixture';
import type { EcrFixture } from './ecr/ecr-fixture';
import { createService, digest, register, startHarness } from './ecs/harness';
import type { Harness } from './ecs/harness';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 };

/** Enum-typed members of the answers below, with the SDK's enum objects (the model's allowed values). */
const ENUMS: EnumTable = {
  'Service.launchType': ecsSdk.LaunchType, 'Service.schedulingStrategy': ecsSdk.SchedulingStrategy, 'Service.propagateTags': ecsSdk.PropagateTags,
  'Deployment.rolloutState': ecsSdk.DeploymentRolloutState, 'Deployment.launchType': ecsSdk.LaunchType,
  'Task.launchType': ecsSdk.LaunchType, 'Task.healthStatus': ecsSdk.HealthStatus, 'Task.connectivity': ecsSdk.Connectivity, 'Task.stopCode': ecsSdk.TaskStopCode,
  'Container.healthStatus': ecsSdk.HealthStatus, 'TaskDefinition.networkMode': ecsSdk.NetworkMode, 'TaskDefinition.status': ecsSdk.TaskDefinitionStatus,
  'ImageFailure.failureCode': ecrSdk.ImageFailureCode,
  'DescribeBackupJobOutput.State': backupSdk.BackupJobState, 'BackupJob.State': backupSdk.BackupJobState, 'RecoveryPointByResource.Status': backupSdk.RecoveryPointStatus,
  'DescribeRestoreJobOutput.Status': backupSdk.RestoreJobStatus,
  'Parameter.Type': ssmSdk.ParameterType,
  'ScalableTarget.ServiceNamespace': aasSdk.ServiceNamespace, 'ScalableTarget.ScalableDimension': aasSdk.ScalableDimension,
  'ScalingPolicy.ServiceNamespace': aasSdk.ServiceNamespace, 'ScalingPolicy.ScalableDimension': aasSdk.ScalableDimension, 'ScalingPolicy.PolicyType': aasSdk.PolicyType,
  'PredefinedMetricSpecification.PredefinedMetricType': aasSdk.MetricType,
  'GetScheduleOutput.State': schedulerSdk.ScheduleState, 'GetScheduleOutput.ActionAfterCompletion': schedulerSdk.ActionAfterCompletion,
};

/**
 * Sends a command through a client whose request handler keeps the raw
 * answer, and returns what the SDK model says about that answer.
 */
async function answerProblems(client: { send(command: never): Promise<unknown> }, command: object, captured: CapturedResponse[], protocol: JsonProtocol): Promise<string[]> {
  const before = captured.length;
  await client.send(command as never);
  const answer = captured[captured.length - 1];
  if (captured.length === before || !answer) throw new Error('no response was captured');
  const operation = (command as { schema: unknown[] }).schema;
  const output = (operation[5] as () => unknown)();
  return modelDifferences(output, answer.body ? JSON.parse(answer.body) : {}, protocol, ENUMS).map((line) => `${String(operation[2])}: ${line}`);
}

describe('modelDifferences (the checker itself)', () => {
  const service = { serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/api', createdAt: 1700000000.5, desiredCount: 1, deployments: [{ id: 'ecs-svc/1', rolloutState: 'COMPLETED' }] };
  it.each([
    ['a body that fits', service, []],
    ['a member the model lacks', { ...service, colour: 'red' }, ['services[0].colour: not a member of Service ("red")']],
    ['a timestamp as an ISO string', { ...service, createdAt: '2026-01-01T00:00:00Z' }, ['services[0].createdAt: "2026-01-01T00:00:00Z", the model has a timestamp in epoch seconds (the JSON protocols\' default)']],
    ['a number as a string', { ...service, desiredCount: '1' }, ['services[0].desiredCount: "1", the model has a number']],
    ['an enum value the model does not list', { ...service, deployments: [{ id: 'x', rolloutState: 'DONE' }] }, ['services[0].deployments[0].rolloutState: "DONE" is not one of COMPLETED, FAILED, IN_PROGRESS']],
  ])('%s', (_name, body, expected) => {
    expect(modelDifferences(ecsSdk.DescribeServicesResponse$, { services: [body] }, 'awsJson', ENUMS)).toEqual(expected);
  });
  it('names a missing required member, and skips restJson members bound to headers', () => {
    expect(modelDifferences(schedulerSdk.CreateScheduleOutput$, {}, 'restJson')).toEqual(['ScheduleArn: required by CreateScheduleOutput, missing']);
    expect(modelDifferences(backupSdk.StartBackupJobOutput$, { BackupJobId: 'j', CreationDate: 1 }, 'restJson')).toEqual([]);
  });
  it('restXml: names a header and an element the model lacks, and text of the wrong type', () => {
    expect(headerModelDifferences(s3Sdk.HeadObjectOutput$, { 'x-amz-version-id': 'v', 'x-amz-made-up': '1', 'content-length': 'five', 'x-amz-request-id': 'r' }))
      .toEqual(['header x-amz-made-up: not a member of HeadObjectOutput', 'header content-length: "five", the model has a number']);
    const xml = '<ListBucketResult><Name>b</Name><KeyCount>two</KeyCount><Colour>red</Colour><Contents><Key>a</Key><LastModified>yesterday</LastModified></Contents></ListBucketResult>';
    expect(xmlModelDifferences(s3Sdk.ListObjectsV2Output$, parseXML(xml) as Record<string, unknown>)).toEqual([
      'ListBucketResult.KeyCount: "two", the model has a number',
      'ListBucketResult.Colour: not a member of ListObjectsV2Output',
      'ListBucketResult.Contents[0].LastModified: "yesterday", the model has an ISO-8601 timestamp (restXml\'s default)',
    ]);
  });
});

describe('the emulator\'s answers against the AWS SDK\'s service models (the operations the product and the CDK CLI call)', () => {
  const captured: CapturedResponse[] = [];
  const requestHandler = capturingHandler(captured);
  let dir: string;

  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'sdk-models-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  describe('ECS (awsJson1_1)', () => {
    let h: Harness;
    let ecs: ecsSdk.ECSClient;
    beforeAll(async () => {
      h = await startHarness();
      ecs = new ecsSdk.ECSClient({ ...local, endpoint: h.ecs.url, requestHandler });
      h.digests.set('repo/api:v1', digest('1'));
      const v1 = await register(h.client, 'api', 'repo/api:v1');
      await createService(h.client, { serviceName: 'api', taskDefinition: v1, deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } } });
      await h.ecs.control.waitForSteadyState('c', 'api');
    });
    afterAll(async () => { ecs.destroy(); await h.close(); });

    it('DescribeServices, ListTasks, DescribeTasks, DescribeTaskDefinition, UpdateService', async () => {
      const { taskArns } = await ecs.send(new ecsSdk.ListTasksCommand({ cluster: 'c', serviceName: 'api' }));
      expect(taskArns).toHaveLength(1);
      const problems = [
        ...await answerProblems(ecs, new ecsSdk.DescribeServicesCommand({ cluster: 'c', services: ['api', 'missing'] }), captured, 'awsJson'),
        ...await answerProblems(ecs, new ecsSdk.ListTasksCommand({ cluster: 'c', serviceName: 'api', desiredStatus: 'RUNNING' }), captured, 'awsJson'),
        ...await answerProblems(ecs, new ecsSdk.DescribeTasksCommand({ cluster: 'c', tasks: taskArns! }), captured, 'awsJson'),
        ...await answerProblems(ecs, new ecsSdk.DescribeTaskDefinitionCommand({ taskDefinition: 'api' }), captured, 'awsJson'),
        ...await answerProblems(ecs, new ecsSdk.UpdateServiceCommand({ cluster: 'c', service: 'api', forceNewDeployment: true }), captured, 'awsJson'),
      ];
      expect(problems).toEqual([]);
    });

    it('Application Auto Scaling (awsJson1_1) of the ECS service: RegisterScalableTarget, PutScalingPolicy, DescribeScalableTargets, DescribeScalingPolicies, DeleteScalingPolicy, DeregisterScalableTarget (what the CloudFormation providers call)', async () => {
      const stateDir = join(dir, 'autoscaling');
      const service = await startAutoScaling({ clock: scaledClock(1), bus: { put: () => undefined }, stateDir, ecs: h.ecs.control });
      const aas = new aasSdk.ApplicationAutoScalingClient({ ...local, endpoint: service.url, requestHandler });
      const target = { ServiceNamespace: 'ecs' as const, ResourceId: 'service/c/api', ScalableDimension: 'ecs:service:DesiredCount' as const };
      try {
        const problems = [
          ...await answerProblems(aas, new aasSdk.RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }), captured, 'awsJson'),
          ...await answerProblems(aas, new aasSdk.PutScalingPolicyCommand({
            ...target, PolicyName: 'cpu', PolicyType: 'TargetTrackingScaling',
            TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
          }), captured, 'awsJson'),
          ...await answerProblems(aas, new aasSdk.DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }), captured, 'awsJson'),
          ...await answerProblems(aas, new aasSdk.DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs' }), captured, 'awsJson'),
          ...await answerProblems(aas, new aasSdk.DeleteScalingPolicyCommand({ ...target, PolicyName: 'cpu' }), captured, 'awsJson'),
          ...await answerProblems(aas, new aasSdk.DeregisterScalableTargetCommand(target), captured, 'awsJson'),
        ];
        expect(problems).toEqual([]);
      } finally {
        aas.destroy();
        await service.stop();
      }
    });
  });

  describe('ECR (awsJson1_1)', () => {
    let fixture: EcrFixture;
    let ecr: ecrSdk.ECRClient;
    beforeAll(async () => {
      fixture = await startEcrFixture();
      ecr = new ecrSdk.ECRClient({ ...local, endpoint: fixture.ecr.url, requestHandler });
      await fixture.ecr.control.createRepository('portal-api');
    });
    afterAll(async () => { ecr.destroy(); await fixture.stop(); });

    it('GetAuthorizationToken, DescribeImages, BatchGetImage, PutImage', async () => {
      const image = await pushTinyImage(registryClient(fixture, 'portal-api'), 'cfg-1', 'one');
      const problems = [
        ...await answerProblems(ecr, new ecrSdk.GetAuthorizationTokenCommand({}), captured, 'awsJson'),
        ...await answerProblems(ecr, new ecrSdk.DescribeImagesCommand({ repositoryName: 'portal-api' }), captured, 'awsJson'),
        ...await answerProblems(ecr, new ecrSdk.BatchGetImageCommand({ repositoryName: 'portal-api', imageIds: [{ imageTag: 'cfg-1' }, { imageTag: 'gone' }] }), captured, 'awsJson'),
        ...await answerProblems(ecr, new ecrSdk.PutImageCommand({ repositoryName: 'portal-api', imageManifest: image.manifest.toString('utf8'), imageManifestMediaType: MediaTypes.ociManifest, imageTag: 'dev-live' }), captured, 'awsJson'),
        ...await answerProblems(ecr, new ecrSdk.DescribeRepositoriesCommand({}), captured, 'awsJson'),
      ];
      expect(problems).toEqual([]);
    });
  });

  describe('AWS Backup (restJson1)', () => {
    it('StartBackupJob, DescribeBackupJob, ListBackupJobs, ListRecoveryPointsByResource, StartRestoreJob, DescribeRestoreJob', async () => {
      const clock = scaledClock(1000);
      const bus = new LocalBus({ clock });
      const service = await startBackup({ clock, bus, stateDir: join(dir, 'backup') });
      const backup = new backupSdk.BackupClient({ ...local, endpoint: service.url, requestHandler });
      try {
        await backup.send(new backupSdk.CreateBackupVaultCommand({ BackupVaultName: 'vault' }));
        const efs = await service.control.createFileSystem('fs-0123456789abcdef0');
        const role = 'arn:aws:iam::000000000000:role/backup';
        const problems = await answerProblems(backup, new backupSdk.StartBackupJobCommand({ BackupVaultName: 'vault', ResourceArn: efs.arn, IamRoleArn: role }), captured, 'restJson');
        const { BackupJobId } = JSON.parse(captured[captured.length - 1]!.body) as { BackupJobId: string };
        problems.push(
          ...await answerProblems(backup, new backupSdk.DescribeBackupJobCommand({ BackupJobId }), captured, 'restJson'),
          ...await answerProblems(backup, new backupSdk.ListBackupJobsCommand({ ByResourceArn: efs.arn }), captured, 'restJson'),
        );
        expect((JSON.parse(captured[captured.length - 1]!.body) as { BackupJobs: unknown[] }).BackupJobs).toHaveLength(1);
        await bus.waitFor((e) => e.detail.backupJobId === BackupJobId && e.detail.state === 'COMPLETED', 10_000, 'the job completed');
        problems.push(
          ...await answerProblems(backup, new backupSdk.DescribeBackupJobCommand({ BackupJobId }), captured, 'restJson'),
          ...await answerProblems(backup, new backupSdk.ListBackupJobsCommand({ ByResourceArn: efs.arn, ByState: 'COMPLETED', MaxResults: 1 }), captured, 'restJson'),
          ...await answerProblems(backup, new backupSdk.ListRecoveryPointsByResourceCommand({ ResourceArn: efs.arn }), captured, 'restJson'),
        );
        const { RecoveryPoints } = JSON.parse(captured[captured.length - 1]!.body) as { RecoveryPoints: { RecoveryPointArn: string }[] };
        problems.push(...await answerProblems(backup, new backupSdk.StartRestoreJobCommand({ RecoveryPointArn: RecoveryPoints[0]!.RecoveryPointArn, IamRoleArn: role, Metadata: { 'file-system-id': efs.id, newFileSystem: 'false' }, ResourceType: 'EFS' }), captured, 'restJson'));
        const { RestoreJobId } = JSON.parse(captured[captured.length - 1]!.body) as { RestoreJobId: string };
        problems.push(...await answerProblems(backup, new backupSdk.DescribeRestoreJobCommand({ RestoreJobId }), captured, 'restJson'));
        expect(problems).toEqual([]);
      } finally {
        backup.destroy();
        await service.stop();
        bus.stop();
      }
    });
    it('CreateBackupPlan, GetBackupPlan, ListBackupPlans, UpdateBackupPlan, CreateBackupSelection, GetBackupSelection, ListBackupSelections, DeleteBackupPlan; a plan job\'s DescribeBackupJob and ListBackupJobs (CreatedBy)', async () => {
      const clock = scaledClock(1000);
      const bus = new LocalBus({ clock });
      const service = await startBackup({ clock, bus, stateDir: join(dir, 'backup-plans') });
      const backup = new backupSdk.BackupClient({ ...local, endpoint: service.url, requestHandler });
      const last = <T>(): T => JSON.parse(captured[captured.length - 1]!.body) as T;
      try {
        await backup.send(new backupSdk.CreateBackupVaultCommand({ BackupVaultName: 'vault' }));
        const efs = await service.control.createFileSystem('fs-0123456789abcdef0');
        const rules = [{ RuleName: 'Scheduled', TargetBackupVaultName: 'vault', ScheduleExpression: 'cron(0 3 * * ? *)', StartWindowMinutes: 60, Lifecycle: { DeleteAfterDays: 35 } }];
        const problems = await answerProblems(backup, new backupSdk.CreateBackupPlanCommand({ BackupPlan: { BackupPlanName: 'plan', Rules: rules } }), captured, 'restJson');
        const { BackupPlanId } = last<{ BackupPlanId: string }>();
        problems.push(
          ...await answerProblems(backup, new backupSdk.CreateBackupSelectionCommand({ BackupPlanId, BackupSelection: { SelectionName: 'data', IamRoleArn: 'arn:aws:iam::000000000000:role/backup', Resources: [efs.arn] } }), captured, 'restJson'),
        );
        const { SelectionId } = last<{ SelectionId: string }>();
        const [job] = service.control.runPlanRule(BackupPlanId);
        problems.push(
          ...await answerProblems(backup, new backupSdk.GetBackupPlanCommand({ BackupPlanId }), captured, 'restJson'),
          ...await answerProblems(backup, new backupSdk.ListBackupPlansCommand({}), captured, 'restJson'),
          ...await answerProblems(backup, new backupSdk.UpdateBackupPlanCommand({ BackupPlanId, BackupPlan: { BackupPlanName: 'plan', Rules: rules } }), captured, 'restJson'),
          ...await answerProblems(backup, new backupSdk.GetBackupSelectionCommand({ BackupPlanId, SelectionId }), captured, 'restJson'),
          ...await answerProblems(backup, new backupSdk.ListBackupSelectionsCommand({ BackupPlanId }), captured, 'restJson'),
          ...await answerProblems(backup, new backupSdk.DescribeBackupJobCommand({ BackupJobId: job!.id }), captured, 'restJson'),
        );
        expect(last<{ CreatedBy?: unknown }>().CreatedBy).toMatchObject({ BackupPlanId });
        problems.push(...await answerProblems(backup, new backupSdk.ListBackupJobsCommand({ ByResourceArn: efs.arn }), captured, 'restJson'));
        await service.control.settled();
        await backup.send(new backupSdk.DeleteBackupSelectionCommand({ BackupPlanId, SelectionId }));
        problems.push(...await answerProblems(backup, new backupSdk.DeleteBackupPlanCommand({ BackupPlanId }), captured, 'restJson'));
        expect(problems).toEqual([]);
      } finally {
        backup.destroy();
        await service.stop();
        bus.stop();
      }
    });
  });

  describe('S3 (restXml)', () => {
    it('PutObject, HeadObject, GetObject (headers); ListObjectsV2, GetBucketVersioning, GetBucketEncryption (bodies): what the product and the CDK CLI\'s asset publishing call', async () => {
      const clock = scaledClock(1);
      const bus = new LocalBus({ clock });
      const service = await startS3({ clock, bus, stateDir: join(dir, 's3'), port: 0 });
      const s3 = new s3Sdk.S3Client({ ...local, endpoint: service.url, forcePathStyle: true, requestHandler });
      const last = (): CapturedResponse => captured[captured.length - 1]!;
      const headers = async (command: { schema: unknown[] }): Promise<string[]> => {
        await s3.send(command as never);
        return headerModelDifferences((command.schema[5] as () => unknown)(), last().headers).map((line) => `${String(command.schema[2])}: ${line}`);
      };
      const body = async (command: { schema: unknown[] }): Promise<string[]> => {
        await s3.send(command as never);
        return [
          ...headerModelDifferences((command.schema[5] as () => unknown)(), last().headers),
          ...xmlModelDifferences((command.schema[5] as () => unknown)(), parseXML(last().body) as Record<string, unknown>),
        ].map((line) => `${String(command.schema[2])}: ${line}`);
      };
      try {
        await s3.send(new s3Sdk.CreateBucketCommand({ Bucket: 'models' }));
        await s3.send(new s3Sdk.PutBucketVersioningCommand({ Bucket: 'models', VersioningConfiguration: { Status: 'Enabled' } }));
        const problems = [
          ...await headers(new s3Sdk.PutObjectCommand({ Bucket: 'models', Key: 'config/dev/a.tgz', Body: 'hello', Metadata: { sha: 'x' } }) as never),
          ...await headers(new s3Sdk.HeadObjectCommand({ Bucket: 'models', Key: 'config/dev/a.tgz' }) as never),
          ...await headers(new s3Sdk.GetObjectCommand({ Bucket: 'models', Key: 'config/dev/a.tgz' }) as never),
          ...await body(new s3Sdk.ListObjectsV2Command({ Bucket: 'models', Prefix: 'config/' }) as never),
          ...await body(new s3Sdk.GetBucketVersioningCommand({ Bucket: 'models' }) as never),
        ];
        // Every bucket has SSE-S3 by default: the CDK CLI reads it before it uploads an asset.
        problems.push(...await body(new s3Sdk.GetBucketEncryptionCommand({ Bucket: 'models' }) as never));
        expect(problems).toEqual([]);
        expect(parseXML(last().body)).toMatchObject({ ServerSideEncryptionConfiguration: { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } } } });
      } finally {
        s3.destroy();
        await service.stop();
        bus.stop();
      }
    });
  });

  describe('SSM, Scheduler and EventBridge', () => {
    it('PutParameter, GetParameter, GetParametersByPath (SSM, awsJson1_1); CreateScheduleGroup, CreateSchedule, GetSchedule, DeleteSchedule (Scheduler, restJson1); PutEvents (EventBridge, awsJson1_1)', async () => {
      const clock = scaledClock(1);
      const bus = new LocalBus({ clock });
      const ssmService = await startSsm({ clock });
      const schedulerService = await startScheduler({ clock, bus });
      const eventsService = await startEventBridge({ bus, port: 0 });
      const ssm = new ssmSdk.SSMClient({ ...local, endpoint: ssmService.url, requestHandler });
      const scheduler = new schedulerSdk.SchedulerClient({ ...local, endpoint: schedulerService.url, requestHandler });
      const events = new eventsSdk.EventBridgeClient({ ...local, endpoint: eventsService.url, requestHandler });
      try {
        const schedule = { Name: 's', GroupName: 'g', ScheduleExpression: 'cron(0 3 * * ? *)', FlexibleTimeWindow: { Mode: 'OFF' as const }, Target: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f', RoleArn: 'arn:aws:iam::000000000000:role/r', Input: '{}' } };
        const problems = [
          ...await answerProblems(ssm, new ssmSdk.PutParameterCommand({ Name: '/wicked/dev/cluster', Value: 'c', Type: 'String' }), captured, 'awsJson'),
          ...await answerProblems(ssm, new ssmSdk.GetParameterCommand({ Name: '/wicked/dev/cluster' }), captured, 'awsJson'),
          ...await answerProblems(ssm, new ssmSdk.GetParametersByPathCommand({ Path: '/wicked/dev/', Recursive: true }), captured, 'awsJson'),
          ...await answerProblems(scheduler, new schedulerSdk.CreateScheduleGroupCommand({ Name: 'g' }), captured, 'restJson'),
          ...await answerProblems(scheduler, new schedulerSdk.CreateScheduleCommand(schedule), captured, 'restJson'),
          ...await answerProblems(scheduler, new schedulerSdk.GetScheduleCommand({ Name: 's', GroupName: 'g' }), captured, 'restJson'),
          ...await answerProblems(scheduler, new schedulerSdk.DeleteScheduleCommand({ Name: 's', GroupName: 'g' }), captured, 'restJson'),
          ...await answerProblems(events, new eventsSdk.PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }, { Source: 's' }] }), captured, 'awsJson'),
        ];
        expect(problems).toEqual([]);
      } finally {
        ssm.destroy(); scheduler.destroy(); events.destroy();
        await eventsService.stop(); await schedulerService.stop(); await ssmService.stop();
        bus.stop();
      }
    });
  });
});
