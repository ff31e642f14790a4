import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { resetDeployDeps } from '../../functions/deploy-services/deps';
import { DEPLOYMENT_STUCK_METRIC } from '../../functions/deploy-services/outcome-metrics';
import type { Emulator } from '../../local/emulator';
import { startEmulator } from '../../local/emulator';
import { DeploymentFailedDetailSchema } from '../../shared/events';
import { isEvent, ledgerOf, packExample, upload } from './deploy-helpers';

const WAIT_MS = 40_000;

describe('a stuck deployment end to end on the emulator: deadline -> deploy-services -> DeploymentStuck', () => {
  let dir: string;
  let emulator: Emulator;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-stuck-'));
    emulator = await startEmulator({ stateDir: join(dir, 'state'), clockSpeed: 200, env: 'dev' });
    // Deadline one second after the start (wall time, as the functions' clock); at real speed a task needs 10 s to become healthy.
    process.env.STUCK_AFTER_SECONDS = '1';
    emulator.clock.setSpeed(1);
  });
  afterAll(async () => {
    await emulator?.stop();
    resetDeployDeps();
    jest.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the rollout as stuck when ECS reports nothing terminal by the deadline, and puts the metric the alarm watches once', async () => {
    const added = jest.spyOn(Metrics.prototype, 'addMetric');
    const versionId = await upload(emulator, await packExample(dir, 'stuck', 'stuck'), 'config/dev/stuck.tgz');

    const failed = await emulator.bus.waitFor(isEvent('Portal Deployment Failed', { versionId }), WAIT_MS, 'Portal Deployment Failed');
    const detail = DeploymentFailedDetailSchema.parse(failed.detail);
    expect(detail).toMatchObject({ env: 'dev', cause: 'stuck', reason: expect.stringContaining('no terminal ECS event') });
    await emulator.bus.idle();
    expect(added.mock.calls.filter(([name]) => name === DEPLOYMENT_STUCK_METRIC)).toEqual([[DEPLOYMENT_STUCK_METRIC, MetricUnit.Count, 1]]);
    const { ledger, destroy } = ledgerOf(emulator);
    try {
      expect(await ledger.getDeployment('dev', detail.deploymentId)).toMatchObject({ state: 'stuck' });
    } finally {
      destroy();
    }
  });
});
