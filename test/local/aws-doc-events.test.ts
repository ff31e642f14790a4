import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupClient, CreateBackupVaultCommand, StartBackupJobCommand } from '@aws-sdk/client-backup';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { startBackup } from '../../local/backup';
import { LocalBus } from '../../local/bus';
import { startEcs } from '../../local/ecs';
import type { Clock } from '../../local/kernel/clock';
import { scaledClock } from '../../local/kernel/clock';
import type { AwsEvent } from '../../local/kernel/events';
import { startS3 } from '../../local/s3';
import { startScheduler } from '../../local/scheduler';
import { EcsDeploymentStateChangeEventSchema, EcsTaskStateChangeEventSchema, S3ObjectCreatedEventSchema } from '../../shared/events';
import { SNAPSHOT_SCHEDULE_INPUT } from '../../shared/events/rules';
import { BackupJobEventSchema, SnapshotDataEventSchema } from '../../shared/snapshot/events';
import { docExamples, shapeDifferences } from '../helpers/event-shape';
import type { ShapeRules } from '../helpers/event-shape';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const ENVELOPE: ShapeRules['fixed'] = ['version', 'source', 'detail-type'];
const digest = (hex: string): string => `sha256:${hex.repeat(64)}`;

const s3Doc = docExamples('s3-object-created.json');
const deploymentDoc = docExamples('ecs-deployment-state-change.json');
const taskDoc = docExamples('ecs-task-state-change.json');
const backupDoc = docExamples('backup-job-state-change.json');
const schedulerDoc = docExamples('scheduler-context-attributes.json');

/** What every emulated event's envelope must hold, whatever the doc's example account (the Backup page's has 13 digits). */
function expectEnvelope(event: AwsEvent): void {
  expect(event).toMatchObject({ version: '0', account: expect.stringMatching(/^\d{12}$/), region: 'us-east-1', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
  expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
}

describe('the events the emulator emits, against the example events of the AWS documentation', () => {
  let dir: string;
  let clock: Clock;
  let bus: LocalBus;
  const stops: (() => Promise<void> | void)[] = [];
  let urls: { s3: string; ecs: string; backup: string; scheduler: string };
  let backupControl: Awaited<ReturnType<typeof startBackup>>['control'];
  let schedulerControl: Awaited<ReturnType<typeof startScheduler>>['control'];
  const images = new Map<string, string>([['repo/app:v1', digest('1')]]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aws-doc-events-'));
    clock = scaledClock(1000);
    bus = new LocalBus({ clock });
    const s3 = await startS3({ clock, bus, stateDir: join(dir, 's3'), port: 0 });
    const ecs = await startEcs({ clock, bus, stateDir: join(dir, 'ecs'), port: 0, resolveImage: async (image) => images.get(image) });
    const backup = await startBackup({ clock, bus, stateDir: join(dir, 'backup') });
    const scheduler = await startScheduler({ clock, bus, port: 0 });
    stops.push(() => scheduler.stop(), () => backup.stop(), () => ecs.stop(), () => s3.stop(), () => bus.stop());
    urls = { s3: s3.url, ecs: ecs.url, backup: backup.url, scheduler: scheduler.url };
    backupControl = backup.control;
    schedulerControl = scheduler.control;
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('S3 "Object Created" (EventBridge)', () => {
    const doc = s3Doc.events!['Object Created']!;
    it(`a PutObject in a versioned bucket with EventBridge on emits the shape of ${s3Doc.page}`, async () => {
      const s3 = new S3Client({ ...local, endpoint: urls.s3, forcePathStyle: true });
      try {
        await s3.send(new CreateBucketCommand({ Bucket: 'doc-bucket' }));
        await s3.send(new PutBucketVersioningCommand({ Bucket: 'doc-bucket', VersioningConfiguration: { Status: 'Enabled' } }));
        await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'doc-bucket', NotificationConfiguration: { EventBridgeConfiguration: {} } }));
        await s3.send(new PutObjectCommand({ Bucket: 'doc-bucket', Key: 'config/dev/a.tgz', Body: 'hello' }));
      } finally { s3.destroy(); }
      const event = await bus.waitFor((e) => e.source === 'aws.s3', 5000, 'Object Created');
      expectEnvelope(event);
      expect(shapeDifferences(doc, event, {
        fixed: [...ENVELOPE!, 'detail.version', 'detail.reason'],
        optional: { 'detail.bucket.aws-generated-tags': 'only for buckets a CloudFormation stack created; this bucket was created with CreateBucket' },
        placeholder: { 'detail.object.key': 'any key' },
      })).toEqual([]);
      expect(event.detail).toMatchObject({ 'event-version': '1.1', object: { size: 5, etag: expect.stringMatching(/^[0-9a-f]{32}$/), sequencer: expect.stringMatching(/^[0-9A-F]+$/i) } });
    });
    it('the product\'s schema accepts the doc\'s example', () => {
      expect(S3ObjectCreatedEventSchema.safeParse(doc).success).toBe(true);
    });
  });

  describe('ECS "ECS Deployment State Change" and "ECS Task State Change"', () => {
    let service: AwsEvent[];
    beforeAll(async () => {
      const ecs = new ECSClient({ ...local, endpoint: urls.ecs });
      try {
        await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
        const family = async (image: string) => (await ecs.send(new RegisterTaskDefinitionCommand({
          family: 'app', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', containerDefinitions: [{ name: 'app', image, essential: true }],
        }))).taskDefinition!.taskDefinitionArn!;
        await ecs.send(new CreateServiceCommand({
          cluster: 'default', serviceName: 'servicetest', taskDefinition: await family('repo/app:v1'), desiredCount: 1, launchType: 'FARGATE',
          deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } },
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        }));
        await bus.waitFor((e) => e.detail.eventName === 'SERVICE_DEPLOYMENT_COMPLETED', 10_000, 'the first deployment completed');
        // An image nothing pushed: the tasks fail to start, the circuit breaker fails the deployment and rolls back.
        await ecs.send(new UpdateServiceCommand({ cluster: 'default', service: 'servicetest', taskDefinition: await family('repo/app:missing') }));
        await bus.waitFor((e) => e.detail.eventName === 'SERVICE_DEPLOYMENT_FAILED', 20_000, 'the broken deployment failed');
        await bus.waitFor((e) => e.detail.eventName === 'SERVICE_DEPLOYMENT_COMPLETED' && e.detail.reason !== undefined && bus.timeline.filter((t) => t.event.detail.eventName === 'SERVICE_DEPLOYMENT_COMPLETED').length === 2, 20_000, 'the rollback completed');
      } finally { ecs.destroy(); }
      service = bus.timeline.map((entry) => entry.event).filter((e) => e['detail-type'] === 'ECS Deployment State Change');
    }, 60_000);

    const rules: ShapeRules = {
      fixed: [...ENVELOPE!, 'detail.eventType', 'detail.eventName'],
      placeholder: { 'detail.reason': 'the doc writes the deployment id as a placeholder word', 'detail.deploymentId': 'compared by its own pattern below' },
    };
    it.each([
      ['SERVICE_DEPLOYMENT_IN_PROGRESS', (e: AwsEvent) => !String(e.detail.reason).includes('rolling back')],
      ['SERVICE_DEPLOYMENT_IN_PROGRESS (rollback)', (e: AwsEvent) => String(e.detail.reason).includes('rolling back')],
      ['SERVICE_DEPLOYMENT_COMPLETED', () => true],
      ['SERVICE_DEPLOYMENT_FAILED', () => true],
    ])(`%s has the shape of ${deploymentDoc.page}`, (name, pick) => {
      const doc = deploymentDoc.events![name]!;
      const emitted = service.filter((e) => e.detail.eventName === (doc.detail as { eventName: string }).eventName && pick(e));
      expect(emitted.length).toBeGreaterThan(0);
      for (const event of emitted) {
        expectEnvelope(event);
        expect(shapeDifferences(doc, event, rules)).toEqual([]);
        expect(event.detail.deploymentId).toMatch(/^ecs-svc\/\d+$/);
      }
    });
    it('the reasons read as the doc\'s: in progress, completed, circuit breaker failure and rollback', () => {
      const reasons = service.map((e) => [e.detail.eventName, String(e.detail.reason).replace(/ecs-svc\/\d+/g, 'ID')]);
      expect(reasons).toEqual([
        ['SERVICE_DEPLOYMENT_IN_PROGRESS', 'ECS deployment ID in progress.'],
        ['SERVICE_DEPLOYMENT_COMPLETED', 'ECS deployment ID completed.'],
        ['SERVICE_DEPLOYMENT_IN_PROGRESS', 'ECS deployment ID in progress.'],
        ['SERVICE_DEPLOYMENT_FAILED', 'ECS deployment circuit breaker: task failed to start.'],
        ['SERVICE_DEPLOYMENT_IN_PROGRESS', 'ECS deployment circuit breaker: rolling back to deploymentId ID.'],
        ['SERVICE_DEPLOYMENT_COMPLETED', 'ECS deployment ID completed.'],
      ]);
    });
    it(`a RUNNING task's "ECS Task State Change" has the shape of ${taskDoc.page}`, () => {
      const doc = taskDoc.events!.RUNNING!;
      const running = bus.timeline.map((entry) => entry.event).find((e) => e['detail-type'] === 'ECS Task State Change' && e.detail.lastStatus === 'RUNNING')!;
      expectEnvelope(running);
      expect(shapeDifferences(doc, running, {
        fixed: [...ENVELOPE!, 'detail.launchType', 'detail.attachments[].type', 'detail.attachments[].status', 'detail.connectivity', 'detail.desiredStatus', 'detail.lastStatus', 'detail.containers[].lastStatus'],
        placeholder: {
          'detail.group': '`service:<name>` for a service task, `family:<name>` for a standalone one (the doc\'s)',
          'detail.containers[].image': 'the task definition\'s image reference',
          'detail.attachments[].details[].value': 'subnet, ENI, MAC and IP values of their own formats',
          'detail.attachments[].id': 'an attachment id', 'detail.containers[].networkInterfaces[].attachmentId': 'the same attachment id',
          'detail.containers[].containerArn': 'the example shows the short container ARN (container/<id>); the emulator writes the long format of ECS\'s ARN opt-in, container/<cluster>/<task-id>/<id>, as its task ARNs are task/<cluster>/<id>',
        },
        optional: {
          'detail.attachments[].details[].name': 'compared below as the set of names',
        },
        extra: {
          'detail.startedBy': 'a service task is started by its deployment (`startedBy` of the Task object, which the doc says the detail resembles)',
        },
      })).toEqual([]);
      const names = (running.detail.attachments as { details: { name: string }[] }[])[0]!.details.map((d) => d.name);
      expect(names).toEqual(((doc.detail as { attachments: { details: { name: string }[] }[] }).attachments[0]!.details.map((d) => d.name)));
      expect(running.detail.group).toBe('service:servicetest');
    });
    it('the product\'s schemas accept the doc\'s examples', () => {
      for (const doc of Object.values(deploymentDoc.events!)) expect(EcsDeploymentStateChangeEventSchema.safeParse(doc).error).toBeUndefined();
      expect(EcsTaskStateChangeEventSchema.safeParse(taskDoc.events!.RUNNING).error).toBeUndefined();
    });
  });

  describe('AWS Backup "Backup Job State Change"', () => {
    let jobs: AwsEvent[];
    beforeAll(async () => {
      const backup = new BackupClient({ ...local, endpoint: urls.backup });
      try {
        await backup.send(new CreateBackupVaultCommand({ BackupVaultName: 'doc-vault' }));
        const efs = await backupControl.createFileSystem('fs-0123456789abcdef0');
        const start = () => backup.send(new StartBackupJobCommand({ BackupVaultName: 'doc-vault', ResourceArn: efs.arn, IamRoleArn: 'arn:aws:iam::000000000000:role/backup' }));
        const { BackupJobId: good } = await start();
        await bus.waitFor((e) => e.detail.backupJobId === good && e.detail.state === 'COMPLETED', 10_000, 'the job completed');
        backupControl.failNextBackupJob({ state: 'FAILED', message: 'disk on fire' });
        const { BackupJobId: bad } = await start();
        await bus.waitFor((e) => e.detail.backupJobId === bad && e.detail.state === 'FAILED', 10_000, 'the job failed');
      } finally { backup.destroy(); }
      jobs = bus.timeline.map((entry) => entry.event).filter((e) => e['detail-type'] === 'Backup Job State Change');
    }, 30_000);

    const rules: ShapeRules = {
      fixed: [...ENVELOPE!, 'detail.state'],
      placeholder: {
        'detail.resourceArn': 'the doc\'s is a made-up `arn:aws:service:...`; the emulated resource is an EFS file system',
        'detail.resourceType': 'the doc\'s is `type`; the emulated one is EFS',
        'detail.backupVaultName': 'the doc\'s vault names are UUIDs', 'detail.backupVaultArn': 'the vault ARN is compared by pattern below',
        'detail.statusMessage': 'free text', 'resources[]': 'compared by pattern below',
        'detail.startBy': 'the doc\'s examples write it both ways (RUNNING: 2020-07-16T05:00:00Z, COMPLETED: 2020-07-16T05:40:31.207Z); checked to be ISO-8601 below',
      },
      optional: {
        'detail.createdBy': 'only jobs a backup plan started carry it (checked on a plan\'s job below); these are on-demand (StartBackupJob)',
        'detail.expectedCompletionDate': 'not in the StartBackupJob flow\'s COMPLETED or FAILED examples; the RUNNING example\'s is in a console format',
      },
    };
    it.each(['CREATED', 'RUNNING', 'COMPLETED', 'FAILED'])(`a %s job event has the shape of ${backupDoc.page}`, (state) => {
      const doc = backupDoc.events![state]!;
      const emitted = jobs.filter((e) => e.detail.state === state);
      expect(emitted.length).toBeGreaterThan(0);
      for (const event of emitted) {
        expectEnvelope(event);
        expect(shapeDifferences(doc, event, rules)).toEqual([]);
        if (event.detail.startBy !== undefined) expect(event.detail.startBy).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
        if (event.detail.backupVaultArn !== undefined) expect(event.detail.backupVaultArn).toBe('arn:aws:backup:us-east-1:000000000000:backup-vault:doc-vault');
        for (const resource of event.resources) expect(resource).toMatch(/^arn:aws:backup:us-east-1:000000000000:recovery-point:[0-9A-F-]+$/i);
      }
    });
    it(`a backup plan's job names its creator in a RUNNING event as the example of ${backupDoc.page} does (its createdBy)`, async () => {
      const plan = backupControl.createPlan('doc-plan', [{ RuleName: 'daily', TargetBackupVaultName: 'doc-vault', ScheduleExpression: 'cron(0 3 * * ? *)' }]);
      const fs = await backupControl.createFileSystem('fs-0aaaaaaaaaaaaaaaa');
      backupControl.createSelection(plan.id, { SelectionName: 'doc', IamRoleArn: 'arn:aws:iam::000000000000:role/backup', Resources: [fs.arn] });
      const [job] = backupControl.runPlanRule(plan.id);
      const running = await bus.waitFor((e) => e.detail.backupJobId === job!.id && e.detail.state === 'RUNNING', 10_000, 'the plan job running');
      const { createdBy: _plansOnly, ...withCreator } = rules.optional!;
      expect(shapeDifferences(backupDoc.events!.RUNNING!, running, { ...rules, optional: withCreator })).toEqual([]);
      expect(running.detail.createdBy).toEqual({ backupPlanId: plan.id, backupPlanArn: plan.arn, backupPlanVersion: plan.versionId, backupPlanRuleId: plan.rules[0]!.ruleId });
      await bus.waitFor((e) => e.detail.backupJobId === job!.id && e.detail.state === 'COMPLETED', 10_000, 'the plan job completed');
    });
    it('the product\'s schema accepts the doc\'s examples', () => {
      for (const doc of Object.values(backupDoc.events!)) expect(BackupJobEventSchema.safeParse(doc).error).toBeUndefined();
    });
  });

  describe('EventBridge Scheduler invoking a Lambda target (what the target receives)', () => {
    const docInput = (): Record<string, string> => {
      let text = JSON.stringify(SNAPSHOT_SCHEDULE_INPUT);
      for (const [keyword, value] of Object.entries(schedulerDoc.attributes!)) text = text.replaceAll(keyword, value);
      return JSON.parse(text) as Record<string, string>;
    };
    it(`the snapshot schedule's input arrives with the context attributes replaced as ${schedulerDoc.page} shows them`, async () => {
      const payloads: unknown[] = [];
      schedulerControl.registerFunction('snapshot-data', (payload) => { payloads.push(payload); });
      const scheduler = new SchedulerClient({ ...local, endpoint: urls.scheduler });
      try {
        await scheduler.send(new CreateScheduleCommand({
          Name: 'doc-schedule', ScheduleExpression: 'cron(0 3 * * ? *)', FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:snapshot-data', RoleArn: 'arn:aws:iam::000000000000:role/scheduler', Input: JSON.stringify(SNAPSHOT_SCHEDULE_INPUT) },
        }));
      } finally { scheduler.destroy(); }
      const execution = schedulerControl.fire('doc-schedule');
      await schedulerControl.waitFor((run) => run.executionId === execution.executionId, 5000, 'the run');
      expect(payloads).toHaveLength(1);
      expect(shapeDifferences(docInput(), payloads[0], { fixed: ['source', 'detail-type'] })).toEqual([]);
      // The doc's execution id, d32c5kddcf5bb8c3, is 16 lower-case letters and digits.
      expect((payloads[0] as { id: string }).id).toMatch(/^[0-9a-z]{16}$/);
    });
    it('the product\'s schema accepts the input the doc\'s values make', () => {
      expect(SnapshotDataEventSchema.safeParse(docInput()).error).toBeUndefined();
    });
  });
});
