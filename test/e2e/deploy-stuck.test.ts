import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { resetDeployDeps } from '../../functions/deploy-services/deps';
import { DEPLOYMENT_STUCK_METRIC } from '../../functions/deploy-services/outcome-metrics';
import type { Emulator } from '../../local/emulator';
import { SDK_DEFAULTS, startEmulator } from '../../local/emulator';
import type { ImageBuiltDetail } from '../../shared/events';
import { DeploymentFailedDetailSchema } from '../../shared/events';
import { failedDeployDeliveries, isEvent, ledgerOf, packExample, upload } from './deploy-helpers';

const WAIT_MS = 40_000;

describe('stuck deployment end to end: deploy-services schedules the check with EventBridge Scheduler, the schedule puts Portal Stuck Check Due on the bus', () => {
  let dir: string;
  let emulator: Emulator;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-stuck-'));
    emulator = await startEmulator({ stateDir: join(dir, 'state'), clockSpeed: 200, env: 'dev' });
    // A two-second deadline; the handlers build new dependencies for the changed environment.
    process.env.STUCK_AFTER_SECONDS = '2';
  });
  afterAll(async () => {
    await emulator?.stop();
    delete process.env.STUCK_AFTER_SECONDS;
    resetDeployDeps();
    jest.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('a rollout without a terminal ECS event by its deadline fails as stuck, is notified on the topic, and its schedule deletes itself, and puts the metric the alarm watches once', async () => {
    const added = jest.spyOn(Metrics.prototype, 'addMetric');
    // ECS is frozen (its emulated time barely moves) from the moment the image is built: the rollout never ends.
    const built = emulator.bus.waitFor((event) => {
      if (event['detail-type'] !== 'Portal Image Built') return false;
      emulator.clock.setSpeed(0.001);
      return true;
    }, WAIT_MS, 'Portal Image Built');
    await upload(emulator, await packExample(dir, 'static'), 'config/dev/static.tgz');
    const { digest } = (await built).detail as unknown as ImageBuiltDetail;
    const failed = DeploymentFailedDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Deployment Failed', { digest }), WAIT_MS, 'Portal Deployment Failed')).detail);
    expect(failed).toMatchObject({ env: 'dev', cause: 'stuck', reason: expect.stringContaining('no terminal ECS event') });

    const due = emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Stuck Check Due').map((entry) => entry.event);
    expect(due).toEqual([expect.objectContaining({ source: 'wicked.control-plane', detail: { env: 'dev', deploymentId: failed.deploymentId } })]);
    const [scheduleArn] = due[0]!.resources;
    const name = scheduleArn!.slice(scheduleArn!.lastIndexOf('/') + 1);
    expect(scheduleArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule/${emulator.resources.stuckCheckGroup}/${name}`);
    expect(name.startsWith(`stuck-dev-${failed.deploymentId}-`.slice(0, 51))).toBe(true);
    const notification = await emulator.control.sns.waitFor((message) => message.attributes.deploymentId === failed.deploymentId, WAIT_MS, 'the stuck notification');
    expect(notification).toMatchObject({ topicArn: emulator.resources.topicArn, subject: `wicked dev: deployment ${failed.deploymentId} stuck`, attributes: { env: 'dev', outcome: 'stuck', cause: 'stuck' } });

    await emulator.control.scheduler.idle();
    expect(emulator.control.scheduler.executions.filter((run) => run.name === name).map((run) => run.status)).toEqual(['delivered']);
    const client = new SchedulerClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.scheduler });
    const { ledger, destroy } = ledgerOf(emulator);
    try {
      // The stuck check deleted itself. The safety-net nudge (reconcile-dev) may still be armed by a reconcile that saw the
      // deployment in flight just before it ended: its next run finds the environment idle and deletes it (the clock is frozen here).
      const schedules = (await client.send(new ListSchedulesCommand({ GroupName: emulator.resources.stuckCheckGroup }))).Schedules ?? [];
      expect(schedules.map((s) => s.Name).filter((n) => n !== 'reconcile-dev')).toEqual([]);
      expect(await ledger.getDeployment('dev', failed.deploymentId)).toMatchObject({ state: 'stuck' });
    } finally {
      client.destroy();
      destroy();
    }
    await emulator.bus.idle();
    expect(failedDeployDeliveries(emulator)).toEqual([]);
    expect(added.mock.calls.filter(([metric]) => metric === DEPLOYMENT_STUCK_METRIC)).toEqual([[DEPLOYMENT_STUCK_METRIC, MetricUnit.Count, 1]]);
  }, 60_000);
});
