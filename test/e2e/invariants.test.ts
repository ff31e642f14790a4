import { resolve } from 'node:path';
import * as z from '../../shared/zod';
import type { AwsEvent } from '../../local/kernel/events';
import type { StoryContext } from '../../local/story';
import { deployConfig, packConfig, runningDigest, uploadConfig, waitForEvent } from '../../local/story';
import type { ImageBuiltDetail } from '../../shared/events';
import {
  BASE_IMAGE_CHANGED, BaseImageChangedDetailSchema, ConfigRejectedDetailSchema, DeploymentFailedDetailSchema, DeploymentSucceededDetailSchema, EcsDeploymentStateChangeEventSchema,
  EcsTaskStateChangeEventSchema, ImageBuiltDetailSchema, S3ObjectCreatedEventSchema, StuckCheckDueDetailSchema,
} from '../../shared/events';
import { ReconcileDueDetailSchema } from '../../shared/events/deploy';
import { BackupJobEventSchema, SnapshotDetailType } from '../../shared/snapshot';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';

const DEPLOYS = 20;

/**
 * `ECR Image Action`, as the Amazon ECR user guide documents it ("Amazon ECR events and EventBridge",
 * event for a completed image push): result, repository-name, image-digest, action-type, image-tag.
 */
const EcrImageActionEventSchema = z.object({
  source: z.literal('aws.ecr'),
  detail: z.object({ result: z.enum(['SUCCESS', 'FAILURE']), 'repository-name': z.string(), 'image-digest': z.string(), 'action-type': z.enum(['PUSH', 'DELETE']), 'image-tag': z.optional(z.string()) }),
});

const detail = (schema: z.ZodMiniType) => z.object({ source: z.literal('wicked.control-plane'), detail: schema });

/** Every detail-type the control plane and the emulated AWS services put on the bus, with its documented shape. */
const SHAPES: Record<string, z.ZodMiniType> = {
  'Object Created': S3ObjectCreatedEventSchema,
  'ECR Image Action': EcrImageActionEventSchema,
  'ECS Deployment State Change': EcsDeploymentStateChangeEventSchema,
  'ECS Task State Change': EcsTaskStateChangeEventSchema,
  'Backup Job State Change': BackupJobEventSchema,
  // The stack's custom resource announces the base image at `cdk deploy`.
  [BASE_IMAGE_CHANGED]: detail(BaseImageChangedDetailSchema),
  'Portal Image Built': detail(ImageBuiltDetailSchema),
  'Portal Config Rejected': detail(ConfigRejectedDetailSchema),
  'Portal Deployment Succeeded': detail(DeploymentSucceededDetailSchema),
  'Portal Deployment Failed': detail(DeploymentFailedDetailSchema),
  'Portal Stuck Check Due': detail(StuckCheckDueDetailSchema),
  'Portal Reconcile Due': detail(ReconcileDueDetailSchema),
  [SnapshotDetailType.Completed]: z.object({ source: z.literal('wicked.control-plane'), detail: z.object({ env: z.string(), recoveryPointArn: z.optional(z.string()) }) }),
};

function shapeProblems(events: readonly AwsEvent[]): string[] {
  return events.flatMap((event) => {
    const schema = SHAPES[event['detail-type']];
    if (!schema) return [`${event['detail-type']} (${event.source}): no documented shape known`];
    const result = schema.safeParse(event);
    return result.success ? [] : [`${event['detail-type']}: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`];
  });
}

describe(`${DEPLOYS} deploys through the deployed functions of the wicked-dev stack, failed ones included`, () => {
  let emulator: DeployedStack;
  let context: StoryContext<DeployedStack>;

  beforeAll(async () => {
    emulator = await deployedStack('e2e-invariants-', { envs: ['dev'] });
    context = { stack: emulator, work: emulator.dir, examples: resolve(__dirname, '..', '..', 'examples', 'static'), log: () => undefined, digests: {} };
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
  });

  it('never runs two portal-api tasks at once, never moves the gateway, and every event has its documented shape', async () => {
    const budget = signalBudget();
    const cluster = emulator.resources.cluster;
    const gateway = emulator.resources.gateways[0]!;
    const kong = emulator.control.ecs.getDesiredCount(cluster, gateway);
    let good: string | undefined;
    let failures = 0;
    for (let i = 0; i < DEPLOYS; i++) {
      const key = `config/dev/release-${i}.tgz`;
      const archive = await packConfig(context, `release-${i}`, { page: `release ${i}` });
      if (i % 4 !== 3) {
        good = (await deployConfig(context, archive, key)).digest;
        continue;
      }
      let failing: string | undefined;
      const built = emulator.bus.waitFor((event) => {
        if (event['detail-type'] !== 'Portal Image Built' || (event.detail as unknown as ImageBuiltDetail).key !== key) return false;
        failing = (event.detail as unknown as ImageBuiltDetail).digest;
        emulator.control.ecs.failHealth(failing);
        return true;
      }, budget.left(), `image of ${key}`);
      await uploadConfig(context.stack, archive, key);
      await built;
      await waitForEvent(context, 'Portal Deployment Failed', { digest: failing });
      await emulator.control.ecs.waitForSteadyState(cluster, 'portal-api', budget.left());
      expect(runningDigest(emulator)).toBe(good);
      failures++;
    }
    emulator.control.scheduler.fire(emulator.resources.snapshotSchedule.name, emulator.resources.snapshotSchedule.group);
    await waitForEvent(context, SnapshotDetailType.Completed);
    await emulator.control.backup.settled();
    await emulator.bus.idle();
    await emulator.lambdaAsync.idle();

    expect(failures).toBe(5);
    const topic = emulator.resources.topicArn;
    const failedNotifications = () => emulator.control.sns.messages(topic).filter((message) => message.attributes.outcome === 'failed');
    await emulator.control.sns.waitFor(() => failedNotifications().length >= failures, budget.left(), `${failures} failure notifications`);
    expect(failedNotifications()).toHaveLength(failures);
    expect(emulator.control.ecs.maxConcurrentTasks(cluster, 'portal-api')).toBe(1);
    expect(emulator.control.ecs.getDesiredCount(cluster, gateway)).toBe(kong);
    expect(runningDigest(emulator)).toBe(good);
    expect(shapeProblems(emulator.bus.timeline.map((entry) => entry.event))).toEqual([]);
  }, SIGNAL_TEST_LIMIT_MS);
});
