import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetScheduleCommand, GetScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Emulator } from '../../../local/emulator';
import { SDK_DEFAULTS, startEmulator } from '../../../local/emulator';
import { packTarGz } from '../../../local/pack';
import { ImageBuiltDetailSchema } from '../../../shared/events';
import { SNAPSHOT_SCHEDULE_INPUT, SNAPSHOT_SCHEDULE_NAME } from '../../../shared/events/rules';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../../helpers/signals';

const ROOT = resolve(__dirname, '..', '..', '..');

describe('startEmulator: one environment as the CDK stack provisions it, driven through the real SDK and the real build-image handler', () => {
  let dir: string;
  let emulator: Emulator;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-emulator-'));
    emulator = await startEmulator({ stateDir: join(dir, 'state'), clockSpeed: 200, env: 'dev' });
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints an endpoint variable per service, with credentials and region', () => {
    expect(Object.keys(emulator.env).sort()).toEqual([
      'AWS_ACCESS_KEY_ID', 'AWS_ACCOUNT_ID', 'AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING', 'AWS_ENDPOINT_URL_BACKUP', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_ECR',
      'AWS_ENDPOINT_URL_ECS', 'AWS_ENDPOINT_URL_EVENTBRIDGE', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SCHEDULER', 'AWS_ENDPOINT_URL_SNS', 'AWS_ENDPOINT_URL_SSM', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY',
    ]);
    for (const [name, value] of Object.entries(emulator.env)) if (name.startsWith('AWS_ENDPOINT_URL_')) expect(value).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('provisions the cluster: five singletons (0% / 100%; portal-api with its stand-in at 1, the others at 0 as the stack creates them) and the gateway autoscaled 2 to 10', async () => {
    const ecs = new ECSClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.ecs });
    const aas = new ApplicationAutoScalingClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.autoscaling });
    try {
      const { resources } = emulator;
      const described = await ecs.send(new DescribeServicesCommand({ cluster: resources.cluster, services: [...resources.singletons, resources.gateway] }));
      const byName = Object.fromEntries(described.services!.map((service) => [service.serviceName!, service]));
      for (const name of ['portal-api', 'portal', 'portal-mailer', 'portal-kong-adapter', 'portal-chatbot']) {
        expect(byName[name]).toMatchObject({ desiredCount: name === 'portal-api' ? 1 : 0, deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } });
      }
      expect(byName.kong).toMatchObject({ desiredCount: 2 });
      const targets = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }));
      expect(targets.ScalableTargets).toEqual([expect.objectContaining({ ResourceId: `service/${resources.cluster}/kong`, MinCapacity: 2, MaxCapacity: 10 })]);
      expect((await stat(resources.dynamicData.path)).isDirectory()).toBe(true);
      expect(emulator.control.backup.createVault(resources.backupVault).name).toBe('wicked-dev');
      expect(emulator.control.ecr.listImages('portal-api').some((image) => image.imageTags?.includes('dev-live'))).toBe(true);
    } finally {
      ecs.destroy();
      aas.destroy();
    }
  });

  it('provisions the notification topic, the stuck-check group and the snapshot schedule, and gives the functions their names', async () => {
    const sns = new SNSClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.sns });
    const scheduler = new SchedulerClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.scheduler });
    try {
      const { resources, functionEnv } = emulator;
      expect((await sns.send(new ListTopicsCommand({}))).Topics).toEqual([{ TopicArn: resources.topicArn }]);
      expect(resources.topicArn).toBe('arn:aws:sns:us-east-1:000000000000:wicked-dev-notifications');
      expect(await scheduler.send(new GetScheduleGroupCommand({ Name: resources.stuckCheckGroup }))).toMatchObject({ Name: 'wicked-dev-stuck-checks', State: 'ACTIVE' });
      const schedule = await scheduler.send(new GetScheduleCommand({ Name: SNAPSHOT_SCHEDULE_NAME }));
      expect(schedule).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)', State: 'ENABLED', Target: expect.objectContaining({ Arn: 'arn:aws:lambda:us-east-1:000000000000:function:snapshot-data' }) });
      expect(JSON.parse(schedule.Target!.Input!)).toEqual(SNAPSHOT_SCHEDULE_INPUT);
      expect(functionEnv).toMatchObject({
        NOTIFY_TOPIC_ARN: resources.topicArn, STUCK_CHECK_GROUP_NAME: resources.stuckCheckGroup, STUCK_CHECK_ROLE_ARN: resources.stuckCheckRoleArn,
        EVENT_BUS_ARN: 'arn:aws:events:us-east-1:000000000000:event-bus/default',
      });
    } finally {
      sns.destroy();
      scheduler.destroy();
    }
  });

  it('builds the portal-api image when the example config is uploaded: S3 Object Created -> build-image -> Portal Image Built', async () => {
    const budget = signalBudget();
    const archive = join(dir, 'static.tgz');
    await packTarGz(join(ROOT, 'examples', 'static'), archive);
    const s3 = new S3Client({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.s3, forcePathStyle: true });
    try {
      const size = (await stat(archive)).size;
      const put = await s3.send(new PutObjectCommand({ Bucket: emulator.resources.configBucket, Key: 'config/dev/static.tgz', Body: createReadStream(archive), ContentLength: size }));
      const built = await emulator.bus.waitFor((event) => event['detail-type'] === 'Portal Image Built', budget.left(), 'Portal Image Built');
      const detail = ImageBuiltDetailSchema.parse(built.detail);
      expect(detail).toMatchObject({ env: 'dev', bucket: emulator.resources.configBucket, key: 'config/dev/static.tgz', versionId: put.VersionId });
      const images = emulator.control.ecr.listImages('portal-api');
      expect(images).toContainEqual(expect.objectContaining({ imageDigest: detail.digest, imageTags: expect.arrayContaining([detail.tag]) }));
      await emulator.bus.idle();
      const upload = emulator.bus.timeline.find((entry) => entry.event.source === 'aws.s3');
      expect(upload!.deliveries).toEqual([expect.objectContaining({ rule: 'ConfigUploaded', target: 'build-image', status: 'delivered', attempts: 1 })]);
    } finally {
      s3.destroy();
    }
  }, SIGNAL_TEST_LIMIT_MS);
});
