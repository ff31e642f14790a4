import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEPLOYMENT_STUCK_METRIC } from '../../functions/deploy-services/outcome-metrics';
import type { Invocation } from '../../local/lambda/functions';
import { SDK_DEFAULTS } from '../../local/story';
import type { ImageBuiltDetail } from '../../shared/events';
import { DeploymentFailedDetailSchema } from '../../shared/events';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import { failedDeployDeliveries, isEvent, ledgerOf, packExample, upload } from './deploy-helpers';

/**
 * From the moment the image is built the emulator's clock runs at this speed: portal-api's new task needs 10 s of
 * emulated time (provisioning, pull, health check) to run healthily, 200 s of wall time here, while the stuck check
 * is due 2 s of wall time after the rollout is recorded. A delivery that has to be retried still is within
 * seconds (a first retry waits 1 s of emulated time, 20 s of wall time), which a frozen clock would stall for good.
 */
const HELD_SPEED = 0.05;

/**
 * The values of one metric in the CloudWatch embedded metric format records the functions logged
 * (Powertools' `logMetrics` writes one JSON line per flush), with the unit each record declares.
 */
function emfValues(invocations: readonly Invocation[], metric: string): { unit: string | undefined; value: unknown }[] {
  return invocations.flatMap((invocation) => invocation.logs.split('\n').flatMap((line) => {
    if (!line.startsWith('{') || !line.includes('"_aws"')) return [];
    const record = JSON.parse(line) as { _aws?: { CloudWatchMetrics?: { Metrics?: { Name: string; Unit?: string }[] }[] } } & Record<string, unknown>;
    const declared = (record._aws?.CloudWatchMetrics ?? []).flatMap((set) => set.Metrics ?? []).find((m) => m.Name === metric);
    return declared ? [{ unit: declared.Unit, value: record[metric] }] : [];
  }));
}

describe('stuck deployment end to end: deploy-services schedules the check with EventBridge Scheduler, the schedule puts Portal Stuck Check Due on the bus', () => {
  let dir: string;
  let emulator: DeployedStack;
  beforeAll(async () => {
    emulator = await deployedStack('e2e-stuck-', { envs: ['dev'] });
    dir = emulator.dir;
    // A two-second deadline, as an update of the deploy functions' configuration would set it.
    await emulator.setFunctionEnvironment('dev', { STUCK_AFTER_SECONDS: '2' }, ['deploy-services', 'track-deployment']);
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
  });

  it('a rollout without a terminal ECS event by its deadline fails as stuck, is notified on the topic, and its schedule deletes itself, and puts the metric the alarm watches once', async () => {
    const budget = signalBudget();
    // ECS is held back (its emulated time runs slowly) from the moment the image is built: the rollout does not end by the deadline.
    const built = emulator.bus.waitFor((event) => {
      if (event['detail-type'] !== 'Portal Image Built') return false;
      emulator.clock.setSpeed(HELD_SPEED);
      return true;
    }, budget.left(), 'Portal Image Built');
    await upload(emulator, await packExample(dir, 'static'), 'config/dev/static.tgz');
    const { digest } = (await built).detail as unknown as ImageBuiltDetail;
    const failed = DeploymentFailedDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Deployment Failed', { digest }), budget.left(), 'Portal Deployment Failed')).detail);
    expect(failed).toMatchObject({ env: 'dev', cause: 'stuck', reason: expect.stringContaining('no terminal ECS event') });

    const due = emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Stuck Check Due').map((entry) => entry.event);
    expect(due).toEqual([expect.objectContaining({ source: 'wicked.control-plane', detail: { env: 'dev', deploymentId: failed.deploymentId } })]);
    const [scheduleArn] = due[0]!.resources;
    const name = scheduleArn!.slice(scheduleArn!.lastIndexOf('/') + 1);
    expect(scheduleArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule/${emulator.resources.stuckCheckGroup}/${name}`);
    expect(name.startsWith(`stuck-dev-${failed.deploymentId}-`.slice(0, 51))).toBe(true);
    const notification = await emulator.control.sns.waitFor((message) => message.attributes.deploymentId === failed.deploymentId, budget.left(), 'the stuck notification');
    expect(notification).toMatchObject({ topicArn: emulator.resources.topicArn, subject: `wicked dev: deployment ${failed.deploymentId} stuck`, attributes: { env: 'dev', outcome: 'stuck', cause: 'stuck' } });

    await emulator.control.scheduler.idle();
    expect(emulator.control.scheduler.executions.filter((run) => run.name === name).map((run) => run.status)).toEqual(['delivered']);
    const client = new SchedulerClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.scheduler });
    const { ledger, destroy } = ledgerOf(emulator);
    try {
      // The stuck check deleted itself. The safety-net nudge (reconcile-dev) may still be armed by a reconcile that saw the
      // deployment in flight just before it ended: its next run finds the environment idle and deletes it (the clock is held back here).
      const schedules = (await client.send(new ListSchedulesCommand({ GroupName: emulator.resources.stuckCheckGroup }))).Schedules ?? [];
      expect(schedules.map((s) => s.Name).filter((n) => n !== 'reconcile-dev')).toEqual([]);
      expect(await ledger.getDeployment('dev', failed.deploymentId)).toMatchObject({ state: 'stuck' });
    } finally {
      client.destroy();
      destroy();
    }
    await emulator.bus.idle();
    await emulator.lambdaAsync.idle();
    expect(failedDeployDeliveries(emulator)).toEqual([]);
    const { functions } = emulator.resources;
    const deployInvocations = emulator.cloud.functions.invocations().filter((i) => i.functionName === functions['deploy-services'] || i.functionName === functions['track-deployment']);
    expect(emfValues(deployInvocations, DEPLOYMENT_STUCK_METRIC)).toEqual([{ unit: MetricUnit.Count, value: 1 }]);
  }, SIGNAL_TEST_LIMIT_MS);
});
