import { deployServices, reconcile, restartService, trackDeployment } from '../../shared/deploy';
import type { EcsDeploymentStateChangeEvent } from '../../shared/events';
import { Ledger } from '../../shared/ledger';
import { startDynalite } from '../ledger/dynalite-server';
import type { DynaliteHarness } from '../ledger/dynalite-server';
import { world } from './fakes';
import type { World } from './fakes';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const ecsEvent = (eventName: EcsDeploymentStateChangeEvent['detail']['eventName'], deploymentId: string, reason = ''): EcsDeploymentStateChangeEvent => ({
  source: 'aws.ecs', 'detail-type': 'ECS Deployment State Change', resources: ['arn:aws:ecs:eu-west-1:111122223333:service/wicked/portal-api'],
  detail: { eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO', eventName, deploymentId, reason },
});
/** The deployment id of a restart that started or was admitted. */
function idOf(result: Awaited<ReturnType<typeof restartService>>): string {
  if (result.action === 'rejected') throw new Error(`expected an admitted restart, got: ${result.reason}`);
  return result.deploymentId;
}
const restart = (requestId: string, service = 'portal-api'): Parameters<typeof restartService>[0] => ({ env: 'dev', service, requestId, requestedAt: '2026-01-01T00:00:00.000Z' });

let dynamo: DynaliteHarness;
let w: World;
let ledger: Ledger;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(() => dynamo.stop());
beforeEach(async () => {
  const clock = { now: 1_000_000 };
  ledger = new Ledger({ client: dynamo.doc, tableName: await dynamo.freshTable(), clock: () => clock.now });
  w = world(ledger, digest('0'), { clock });
  // A config deployed and succeeded first: the last good deployment a restart must leave alone.
  await deployServices({ env: 'dev', bucket: 'cfg', key: 'config/dev/c.tgz', versionId: 'v', sequencer: '10', configHash: 'h', imageUri: `r@${digest('a')}`, digest: digest('a'), tag: 'cfg-a' }, 'evt-a', w.deps);
  w.ecs.complete();
  const settled = await reconcile('dev', 'e', w.deps);
  if (settled.settled !== 'idle') throw new Error(`expected the config to succeed, got ${settled.reason}`);
});

describe('restartService + trackDeployment', () => {
  it('forces a new deployment without desired count or release move; success is recorded and lastGood stays', async () => {
    const before = await ledger.getEnvironment('dev');
    const moves = w.ecr.moves.length;
    const result = await restartService(restart('r-1'), 'evt-r', w.deps);
    expect(result).toMatchObject({ action: 'apply-now', reconcile: { settled: 'wait' } });
    expect((await ledger.getEnvironment('dev'))?.inFlight).toMatchObject({ phase: 'rolling', ecsDeploymentId: 'ecs-svc/2' });
    expect(w.ecs.updates.at(-1)).toEqual({ cluster: 'wicked', service: 'portal-api', forceNewDeployment: true });
    w.ecs.complete();
    const tracked = await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/2'), 'e2', w.deps);
    expect(tracked.reconciled[0]!.steps.map((s) => s.action.kind)).toEqual(['succeed']);
    const record = await ledger.getDeployment('dev', idOf(result));
    expect(record).toMatchObject({ state: 'succeeded', kind: 'restart', service: 'portal-api', digest: digest('a'), ecsDeploymentId: 'ecs-svc/2' });
    expect((await ledger.getEnvironment('dev'))?.lastGood).toEqual(before?.lastGood);
    expect(w.ecr.moves).toHaveLength(moves);
  });

  it('a failed restart is failed, notified, and never moves the release tag', async () => {
    const result = await restartService(restart('r-2'), 'evt-r', w.deps);
    const moves = w.ecr.moves.length;
    w.ecs.rollBack(digest('a'));
    const tracked = await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_FAILED', 'ecs-svc/2', 'circuit breaker'), 'e3', w.deps);
    expect(tracked.reconciled[0]!.steps.map((s) => s.action)).toEqual([expect.objectContaining({ kind: 'fail', cause: 'rolled-back' })]);
    expect(w.ecr.moves).toHaveLength(moves);
    expect(w.notifications.at(-1)?.message).toMatch(/restart of portal-api on sha256:a+; release dev-live untouched/);
    expect(await ledger.getDeployment('dev', idOf(result))).toMatchObject({ state: 'failed', kind: 'restart' });
  });

  it('portal-api is not restarted behind a config deployment that rolls it anyway (it would track the old digest and fail)', async () => {
    const EFS = 'arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1';
    const jobs: { jobId: string; resourceArn: string; state: string; recoveryPointArn: string; deploymentIds: string[] }[] = [];
    const gated = { ...w.deps, preDeploySnapshot: true, snapshotJobs: { listJobs: () => Promise.resolve(jobs) } };
    const b = { env: 'dev', bucket: 'cfg', key: 'config/dev/c.tgz', versionId: 'v2', sequencer: '20', configHash: 'h2', imageUri: `r@${digest('b')}`, digest: digest('b'), tag: 'cfg-b' };
    const waiting = await deployServices(b, 'evt-b', gated);
    expect(waiting).toMatchObject({ action: 'apply-now', reconcile: { settled: 'wait' } });
    const result = await restartService(restart('r-5'), 'evt-r', gated);
    expect(result).toMatchObject({ action: 'rejected', reason: expect.stringMatching(/deployment d-[0-9a-f]+ rolls it anyway/) });
    jobs.push({ jobId: 'j', resourceArn: EFS, state: 'COMPLETED', recoveryPointArn: 'rp', deploymentIds: [waiting.deploymentId] });
    await reconcile('dev', 'snap', gated);
    w.ecs.complete();
    const tracked = await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/2'), 'e-b', gated);
    expect(tracked.reconciled[0]).toMatchObject({ settled: 'idle', steps: [{ action: { kind: 'succeed' } }] });
    expect(w.notifications).toEqual([]);
    // Another service is unaffected by a config deployment: its restart still queues behind one.
    expect(await deployServices({ ...b, versionId: 'v3', sequencer: '30', digest: digest('c'), imageUri: `r@${digest('c')}` }, 'evt-c', gated)).toMatchObject({ action: 'apply-now' });
    const multi = { ...gated, targets: { dev: { ...gated.targets.dev!, restartable: ['portal-kong-adapter'] } } };
    expect(await restartService(restart('r-6', 'portal-kong-adapter'), 'evt-k', multi)).toMatchObject({ action: 'queued' });
  });

  it('the same request again is a duplicate; an unknown service is rejected and nothing is updated', async () => {
    const first = await restartService(restart('r-3'), 'evt-1', w.deps);
    expect(await restartService(restart('r-3'), 'evt-2', w.deps)).toMatchObject({ action: 'ignored-duplicate', deploymentId: idOf(first) });
    const updates = w.ecs.updates.length;
    expect(await restartService(restart('r-4', 'portal-ghost'), 'evt-3', w.deps)).toEqual({ action: 'rejected', reason: 'restarting portal-ghost in dev: not a service the control plane manages there; expected one of portal-api' });
    expect(w.ecs.updates).toHaveLength(updates);
  });
});
