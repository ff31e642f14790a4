import type { ReconcileResult } from '../../shared/deploy';
import { DeploymentSucceededDetailSchema, ImageBuiltDetailSchema } from '../../shared/events';
import { failedDeployDeliveries, isEvent, packExample, primaryDigest, settle, upload } from './deploy-helpers';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';

describe('strict singleton mode: scale to 0, wait for the ECS Task State Change of the last task, then start the new one', () => {
  let dir: string;
  let emulator: DeployedStack;
  beforeAll(async () => {
    emulator = await deployedStack('e2e-strict-', { envs: ['dev'] });
    dir = emulator.dir;
    // The environment's target in strict mode, as an update of the deploy functions' configuration would set it.
    const deployServices = emulator.cloud.functions.get(emulator.resources.functions['deploy-services'])!;
    const targets = JSON.parse(deployServices.environment.DEPLOY_TARGETS!) as Record<string, Record<string, unknown>>;
    await emulator.setFunctionEnvironment('dev', { DEPLOY_TARGETS: JSON.stringify({ dev: { ...targets.dev, strictSingleton: true } }) }, ['deploy-services', 'track-deployment']);
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
  });

  /** The reconciles of one handler result (deploy-services' admission carries one, a nudge a list). */
  const reconciles = (result: unknown): ReconcileResult[] => {
    const r = result as { reconcile?: ReconcileResult; reconciled?: ReconcileResult[] } | undefined;
    return r?.reconcile ? [r.reconcile] : r?.reconciled ?? [];
  };

  it('rolls portal-api with no overlap at all: the new task starts only after the old one stopped', async () => {
    const budget = signalBudget();
    const { cluster } = emulator.resources;
    // The stack creates portal-api with no task until a first config is deployed: that first roll has nothing to drain.
    const firstVersion = await upload(emulator, await packExample(dir, 'first'), 'config/dev/static.tgz');
    const first = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId: firstVersion }), budget.left(), 'Portal Image Built of the first config')).detail);
    await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: first.digest }), budget.left(), 'Portal Deployment Succeeded of the first config');
    await settle(emulator, budget.left());
    const mark = emulator.cloud.functions.invocations().length;

    const versionId = await upload(emulator, await packExample(dir, 'static', 'the release rolled in strict mode'), 'config/dev/static.tgz');
    const built = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'Portal Image Built')).detail);
    const succeeded = DeploymentSucceededDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: built.digest }), budget.left(), 'Portal Deployment Succeeded')).detail);
    await settle(emulator, budget.left());

    // The steps reconcile took, whichever event woke it: scale to zero and wait, then (once no task is alive) resume and roll.
    const { functions } = emulator.resources;
    const deployFunctions = [functions['deploy-services'], functions['track-deployment']];
    const steps = emulator.cloud.functions.invocations().slice(mark).filter((invocation) => deployFunctions.includes(invocation.functionName))
      .flatMap((invocation) => reconciles(invocation.result).flatMap((r) => r.steps.filter((step) => step.outcome.kind === 'done').map((step) => step.action.kind)));
    expect(steps.filter((kind) => kind === 'resume-after-drain')).toHaveLength(1);
    expect(steps.filter((kind) => kind === 'succeed')).toHaveLength(1);
    // The old tasks stopped before the new one started: asserted on the task history below.
    expect(primaryDigest(emulator)).toBe(built.digest);
    expect(emulator.control.ecs.getDesiredCount(cluster, 'portal-api')).toBe(1);
    const tasks = emulator.control.ecs.taskHistory().filter((task) => task.serviceName === 'portal-api');
    const started = tasks.find((task) => task.deploymentId === succeeded.ecsDeploymentId)!;
    const old = tasks.filter((task) => task !== started);
    expect(old.length).toBeGreaterThan(0);
    const firstStatus = started.statuses[0]!.at;
    for (const task of old) expect(task.statuses.find((s) => s.status === 'STOPPED')?.at).toBeLessThanOrEqual(firstStatus);
    expect(emulator.control.ecs.maxConcurrentTasks(cluster, 'portal-api')).toBe(1);
    expect(failedDeployDeliveries(emulator)).toEqual([]);
  }, SIGNAL_TEST_LIMIT_MS);
});
