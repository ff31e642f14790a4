import { DeploymentFailedDetailSchema, DeploymentSucceededDetailSchema, ImageBuiltDetailSchema } from '../../shared/events';
import { SnapshotDetailType } from '../../shared/snapshot';
import { lastJson, runCli } from '../cli/run-cli';
import { failedDeployDeliveries, isEvent, ledgerOf, packExample, primaryDigest, releaseDigest, upload } from './deploy-helpers';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import type { SignalBudget } from '../helpers/signals';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';

describe('pre-deploy snapshot gate end to end on the deployed wicked-dev stack with the gate on (the prod default)', () => {
  let dir: string;
  let emulator: DeployedStack;
  let cluster: string;
  beforeAll(async () => {
    // wickedctl runs in this process and finds dev by --env, as in a shell after `wickedctl local up`.
    emulator = await deployedStack('e2e-gate-', { envs: ['dev'], cliEnvironment: true });
    dir = emulator.dir;
    cluster = emulator.resources.cluster;
    // The gate as wicked-prod has it by default (PRE_DEPLOY_SNAPSHOT=true), set on dev's deploy functions as an update of their
    // configuration would: wicked-prod's own stack also snapshots its RDS database, and the local AWS Backup copies EFS only.
    await emulator.setFunctionEnvironment('dev', { PRE_DEPLOY_SNAPSHOT: 'true' }, ['deploy-services', 'track-deployment']);
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
  });

  /** Where the release tag and portal-api's deployments stood when the bus recorded the first event matching `match`. */
  function stateWhen(budget: SignalBudget, match: (detailType: string, detail: Record<string, unknown>) => boolean): Promise<{ release?: string; deployments: number; detail: Record<string, unknown> }> {
    let seen: { release?: string; deployments: number; detail: Record<string, unknown> } | undefined;
    return emulator.bus.waitFor((event) => {
      if (seen || !match(event['detail-type'], event.detail as Record<string, unknown>)) return false;
      seen = { release: releaseDigest(emulator), deployments: emulator.control.ecs.deployments(cluster, 'portal-api').length, detail: event.detail as Record<string, unknown> };
      return true;
    }, budget.left()).then(() => seen!);
  }

  it('takes a snapshot first, rolls only after the backup job COMPLETED, and links the recovery point on the deployment record', async () => {
    const budget = signalBudget();
    const before = { release: releaseDigest(emulator), deployments: emulator.control.ecs.deployments(cluster, 'portal-api').length };
    const requested = stateWhen(budget, (type) => type === SnapshotDetailType.Requested);
    const jobDone = stateWhen(budget, (type, detail) => type === 'Backup Job State Change' && detail.state === 'COMPLETED');
    const versionId = await upload(emulator, await packExample(dir, 'static'), 'config/dev/static.tgz');
    const built = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'Portal Image Built')).detail);
    // The deployment's outcome either way: a failure is shown with its reason instead of waiting out the budget.
    const outcome = await emulator.bus.waitFor((event) => isEvent('Portal Deployment Succeeded', { digest: built.digest })(event) || isEvent('Portal Deployment Failed', { digest: built.digest })(event), budget.left(), 'the deployment\'s outcome');
    expect({ outcome: outcome['detail-type'], detail: outcome.detail }).toMatchObject({ outcome: 'Portal Deployment Succeeded' });
    const succeeded = DeploymentSucceededDetailSchema.parse(outcome.detail);

    expect(await requested).toMatchObject({ ...before, detail: { env: 'dev', trigger: 'pre-deploy', deploymentId: succeeded.deploymentId } });
    expect(await jobDone).toMatchObject(before); // nothing moved while the backup ran
    const completed = emulator.bus.timeline.find((entry) => isEvent(SnapshotDetailType.Completed)(entry.event))!.event.detail as { recoveryPointArn: string; deploymentIds: string[] };
    expect(completed.deploymentIds).toEqual([succeeded.deploymentId]);
    expect(emulator.control.backup.recoveryPoints.has(completed.recoveryPointArn)).toBe(true);
    expect([releaseDigest(emulator), primaryDigest(emulator)]).toEqual([built.digest, built.digest]);
    const { ledger, destroy } = ledgerOf(emulator);
    try {
      expect(await ledger.getDeployment('dev', succeeded.deploymentId)).toMatchObject({ state: 'succeeded', recoveryPointArn: completed.recoveryPointArn, recoveryPointArns: [completed.recoveryPointArn] });
    } finally {
      destroy();
    }
    const points = lastJson(await runCli(['snapshots', '--env', 'dev', '--json'])).recoveryPoints as { recoveryPointArn: string; tags: Record<string, string> }[];
    expect(points.find((p) => p.recoveryPointArn === completed.recoveryPointArn)?.tags).toMatchObject({ 'wicked:trigger': 'pre-deploy', 'wicked:deployment-id': succeeded.deploymentId });
  }, SIGNAL_TEST_LIMIT_MS);

  it('a failed backup blocks the deploy: services and release tag unchanged, Portal Deployment Failed, a notification, and wickedctl status says why', async () => {
    const budget = signalBudget();
    const before = { release: releaseDigest(emulator), primary: primaryDigest(emulator), deployments: emulator.control.ecs.deployments(cluster, 'portal-api').length };
    emulator.control.backup.failNextBackupJob({ state: 'FAILED', message: 'injected: vault unreachable' });
    const versionId = await upload(emulator, await packExample(dir, 'changed', 'a change that must wait for a snapshot'), 'config/dev/static.tgz');
    const built = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'Portal Image Built')).detail);
    const failed = DeploymentFailedDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Deployment Failed', { digest: built.digest }), budget.left(), 'Portal Deployment Failed')).detail);

    expect(failed).toMatchObject({ env: 'dev', cause: 'snapshot-failed', reason: expect.stringContaining('injected: vault unreachable') });
    const notified = await emulator.control.sns.waitFor((message) => message.attributes.deploymentId === failed.deploymentId, budget.left(), 'the notification of the blocked deployment');
    expect(notified).toMatchObject({ topicArn: emulator.resources.topicArn, attributes: { env: 'dev', cause: 'snapshot-failed' }, message: expect.stringMatching(/vault unreachable[\s\S]*Nothing was changed/) });
    await emulator.bus.idle();
    await emulator.lambdaAsync.idle();
    expect({ release: releaseDigest(emulator), primary: primaryDigest(emulator), deployments: emulator.control.ecs.deployments(cluster, 'portal-api').length }).toEqual(before);

    const status = await runCli(['status', '--env', 'dev', '--table', emulator.resources.ledgerTable, '--json']);
    expect(status.code).toBe(0);
    const [env] = lastJson(status).environments as { rollout: { state: string }; lastFailure: { deploymentId: string; state: string; reason: string } }[];
    expect(env).toMatchObject({ rollout: { state: 'idle' }, lastFailure: { deploymentId: failed.deploymentId, state: 'failed', reason: expect.stringMatching(/pre-deploy snapshot failed: .*injected: vault unreachable/) } });
    const human = await runCli(['status', '--env', 'dev', '--table', emulator.resources.ledgerTable]);
    expect(human.stdout).toMatch(/last failure .* failed .*injected: vault unreachable/);
  }, SIGNAL_TEST_LIMIT_MS);

  it('the environment is released: the next upload is snapshotted and rolled', async () => {
    const budget = signalBudget();
    const versionId = await upload(emulator, await packExample(dir, 'retry', 'a change that must wait for a snapshot'), 'config/dev/static.tgz');
    const built = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'Portal Image Built')).detail);
    await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: built.digest }), budget.left(), 'Portal Deployment Succeeded');
    expect(primaryDigest(emulator)).toBe(built.digest);
    await emulator.bus.idle();
    await emulator.lambdaAsync.idle();
    expect(emulator.control.ecs.maxConcurrentTasks(cluster, 'portal-api')).toBe(1);
    expect(failedDeployDeliveries(emulator)).toEqual([]);
  }, SIGNAL_TEST_LIMIT_MS);

  it('a backup whose state changes never reach track-backup still lets the deployment roll: the loop reads the job from AWS Backup at its next nudge', async () => {
    const budget = signalBudget();
    const { lambdaAsync } = emulator;
    const { 'track-backup': trackBackup, 'snapshot-data': snapshotData } = emulator.resources.functions;
    // track-backup runs nothing (reserved concurrency 0): the ledger never learns that the job ended, as when its events are lost.
    lambdaAsync.setReservedConcurrency(trackBackup, 0);
    const held = new Set([trackBackup]);
    // The job runs until snapshot-data has recorded it, and then snapshot-data is held too: it records an end it finds
    // when asked again, and on its sweep (e2e/snapshot.test.ts). So only the gate's own read of AWS Backup sees the job end.
    const job = emulator.control.backup.holdNextBackupJob();
    const earlier = new Set(emulator.cloud.functions.invocations(snapshotData));
    const pointsBefore = [...emulator.control.backup.recoveryPoints.keys()];
    try {
      const versionId = await upload(emulator, await packExample(dir, 'unheard', 'a change whose backup events are lost'), 'config/dev/static.tgz');
      const built = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), 'Portal Image Built')).detail);
      await emulator.cloud.functions.waitFor((i) => i.functionName === snapshotData && !earlier.has(i) && i.outcome === 'success' && Array.isArray(i.result) && i.result.length > 0, budget.left(), 'snapshot-data recording the pre-deploy job');
      lambdaAsync.setReservedConcurrency(snapshotData, 0);
      held.add(snapshotData);
      job.release();
      const outcome = await emulator.bus.waitFor((event) => isEvent('Portal Deployment Succeeded', { digest: built.digest })(event) || isEvent('Portal Deployment Failed', { digest: built.digest })(event), budget.left(), 'the deployment\'s outcome');
      expect({ outcome: outcome['detail-type'], detail: outcome.detail }).toMatchObject({ outcome: 'Portal Deployment Succeeded' });
      const { deploymentId } = DeploymentSucceededDetailSchema.parse(outcome.detail);
      expect(lambdaAsync.invocations().filter((i) => i.functionName === trackBackup && i.status === 'queued').length).toBeGreaterThan(0);
      expect(emulator.bus.timeline.filter((entry) => isEvent(SnapshotDetailType.Completed)(entry.event) && (entry.event.detail as { deploymentIds: string[] }).deploymentIds.includes(deploymentId))).toEqual([]);
      const { ledger, destroy } = ledgerOf(emulator);
      try {
        const record = await ledger.getDeployment('dev', deploymentId);
        expect(record).toMatchObject({ state: 'succeeded', recoveryPointArns: [expect.any(String)] });
        // The recovery point AWS Backup made for this deployment, not one of an earlier snapshot.
        expect(emulator.control.backup.recoveryPoints.has(record!.recoveryPointArns![0]!)).toBe(true);
        expect(pointsBefore).not.toContain(record!.recoveryPointArns![0]);
      } finally {
        destroy();
      }
      expect([releaseDigest(emulator), primaryDigest(emulator)]).toEqual([built.digest, built.digest]);
      // The held functions run late: they record the job and change nothing else.
      const rollouts = emulator.control.ecs.deployments(cluster, 'portal-api').length;
      for (const name of held) lambdaAsync.setReservedConcurrency(name, undefined);
      held.clear();
      await emulator.bus.waitFor((event) => isEvent(SnapshotDetailType.Completed)(event) && (event.detail as { deploymentIds: string[] }).deploymentIds.includes(deploymentId), budget.left(), 'the late Portal Snapshot Completed');
      await emulator.bus.idle();
      await lambdaAsync.idle();
      expect(emulator.control.ecs.deployments(cluster, 'portal-api').length).toBe(rollouts);
      expect(failedDeployDeliveries(emulator)).toEqual([]);
    } finally {
      job.release();
      for (const name of held) lambdaAsync.setReservedConcurrency(name, undefined);
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('status --timeline draws the snapshot gate of each gated deployment, failed and completed', async () => {
    const run = await runCli(['status', '--env', 'dev', '--timeline', '--last', '10', '--json']);
    expect(run.code).toBe(0);
    const { timeline } = lastJson(run) as { timeline: { gates: { state: string; deploymentIds: string[]; from: number; to: number }[]; markers: { kind: string; deploymentId: string }[] } };
    expect(timeline.gates.map((g) => g.state).sort()).toEqual(expect.arrayContaining(['COMPLETED', 'FAILED']));
    for (const gate of timeline.gates) {
      expect(gate.to).toBeGreaterThanOrEqual(gate.from);
      expect(timeline.markers.some((m) => m.kind === 'requested' && gate.deploymentIds.includes(m.deploymentId))).toBe(true);
    }
    expect(timeline.markers.some((m) => m.kind === 'failed')).toBe(true);
    const drawn = await runCli(['status', '--env', 'dev', '--timeline']);
    expect(drawn.stdout).toMatch(/^snapshot gate\s+.*=/m);
  });
});
