import type { ReconcileResult } from '../../shared/deploy';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../local/emulator';
import { startEmulator } from '../../local/emulator';
import { resetDeployDeps } from '../../functions/deploy-services/deps';
import { DeploymentSucceededDetailSchema, ImageBuiltDetailSchema } from '../../shared/events';
import { failedDeployDeliveries, isEvent, packExample, primaryDigest, settle, upload } from './deploy-helpers';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';

describe('strict singleton mode: scale to 0, wait for the ECS Task State Change of the last task, then start the new one', () => {
  let dir: string;
  let emulator: Emulator;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-strict-'));
    emulator = await startEmulator({ stateDir: join(dir, 'state'), clockSpeed: 200, env: 'dev' });
    // The environment's target in strict mode; the handlers build new dependencies for the changed environment.
    const targets = JSON.parse(emulator.functionEnv.DEPLOY_TARGETS!) as Record<string, Record<string, unknown>>;
    process.env.DEPLOY_TARGETS = JSON.stringify({ dev: { ...targets.dev, strictSingleton: true } });
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
    resetDeployDeps();
    await rm(dir, { recursive: true, force: true });
  });

  /** The reconciles of one handler result (deploy-services' admission carries one, a nudge a list). */
  const reconciles = (result: unknown): ReconcileResult[] => {
    const r = result as { reconcile?: ReconcileResult; reconciled?: ReconcileResult[] } | undefined;
    return r?.reconcile ? [r.reconcile] : r?.reconciled ?? [];
  };

  it('rolls portal-api with no overlap at all: the new task starts only after the old one stopped', async () => {
    const budget = signalBudget();
    const { cluster } = emulator.resources;
    const versionId = await upload(emulator, await packExample(dir, 'static'), 'config/dev/static.tgz');
    const built = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'Portal Image Built')).detail);
    const succeeded = DeploymentSucceededDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: built.digest }), budget.left(), 'Portal Deployment Succeeded')).detail);
    await settle(emulator, budget.left());

    // The steps reconcile took, whichever event woke it: scale to zero and wait, then (once no task is alive) resume and roll.
    const steps = emulator.bus.timeline.flatMap((entry) => entry.deliveries
      .filter((d) => d.target === 'deploy-services' || d.target === 'track-deployment')
      .flatMap((d) => reconciles(d.result).flatMap((r) => r.steps.filter((step) => step.outcome.kind === 'done').map((step) => step.action.kind))));
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
