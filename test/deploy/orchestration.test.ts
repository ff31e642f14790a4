import { checkStuckDeployment, deployServices, resumeStrictDeployment, trackDeployment } from '../../shared/deploy';
import type { EcsDeploymentStateChangeEvent, ImageBuiltDetail } from '../../shared/events';
import { Ledger } from '../../shared/ledger';
import { startDynalite } from '../ledger/dynalite-server';
import type { DynaliteHarness } from '../ledger/dynalite-server';
import { world } from './fakes';
import type { World } from './fakes';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const built = (c: string, sequencer: string): ImageBuiltDetail => ({
  env: 'dev', bucket: 'cfg', key: 'config/dev/c.tgz', versionId: `v-${c}`, sequencer, configHash: `hash-${c}`, imageUri: `repo@${digest(c)}`, digest: digest(c), tag: `cfg-${c}`,
});
const ecsEvent = (eventName: EcsDeploymentStateChangeEvent['detail']['eventName'], deploymentId: string, reason = ''): EcsDeploymentStateChangeEvent => ({
  source: 'aws.ecs', 'detail-type': 'ECS Deployment State Change', resources: ['arn:aws:ecs:eu-west-1:111122223333:service/wicked/portal-api'],
  detail: { eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO', eventName, deploymentId, reason },
});

let dynamo: DynaliteHarness;
let w: World;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(() => dynamo.stop());

async function fresh(options: { strictSingleton?: boolean } = {}): Promise<World> {
  const clock = { now: 1_000_000 };
  const ledger = new Ledger({ client: dynamo.doc, tableName: await dynamo.freshTable(), clock: () => clock.now });
  return world(ledger, digest('0'), { ...options, clock });
}

describe('deployServices + trackDeployment', () => {
  beforeEach(async () => { w = await fresh(); });

  it('rolls a new config: release tag moved, singleton forced with min 0 / max 100 / desired 1, stuck check scheduled', async () => {
    const result = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(result).toMatchObject({ action: 'rolling', ecsDeploymentId: 'ecs-svc/1' });
    expect(w.ecr.tags.get('dev-live')).toBe(digest('a'));
    expect(w.ecs.updates).toEqual([{ cluster: 'wicked', service: 'portal-api', desiredCount: 1, forceNewDeployment: true, deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } }]);
    expect(w.scheduled).toEqual([{ env: 'dev', deploymentId: result.deploymentId, at: new Date(1_000_000 + 600_000) }]);
  });

  it('a duplicate changes nothing; an older event is ignored; a newer one during the rollout is queued', async () => {
    await deployServices(built('b', '20'), 'evt-1', w.deps);
    expect(await deployServices(built('b', '20'), 'evt-2', w.deps)).toMatchObject({ action: 'ignored-duplicate' });
    expect(await deployServices(built('a', '10'), 'evt-3', w.deps)).toMatchObject({ action: 'ignored-older' });
    expect(await deployServices(built('c', '30'), 'evt-4', w.deps)).toMatchObject({ action: 'queued' });
    expect(w.ecs.updates).toHaveLength(1);
    expect(w.ecr.moves).toEqual([digest('b')]);
  });

  it('success publishes Portal Deployment Succeeded and starts the queued config', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    await deployServices(built('b', '20'), 'evt-2', w.deps);
    expect(await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_IN_PROGRESS', 'ecs-svc/1'), 'ecs-1', w.deps)).toMatchObject({ action: 'pending' });
    const result = await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/1'), 'ecs-2', w.deps);
    expect(result).toMatchObject({ action: 'succeeded', next: { action: 'rolling', ecsDeploymentId: 'ecs-svc/2' } });
    expect(w.published.map((p) => [p.detailType, p.detail.digest])).toEqual([['Portal Deployment Succeeded', digest('a')]]);
    expect(w.ecr.tags.get('dev-live')).toBe(digest('b'));
    expect((await w.deps.ledger.getEnvironment('dev'))?.lastGood?.digest).toBe(digest('a'));
    expect(await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/1'), 'ecs-2', w.deps)).toMatchObject({ action: 'pending' });
  });

  it('failure: release back on the last good digest, Portal Deployment Failed + notification, queued config starts', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/1'), 'ecs-1', w.deps);
    await deployServices(built('b', '20'), 'evt-2', w.deps);
    await deployServices(built('c', '30'), 'evt-3', w.deps);
    const result = await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_FAILED', 'ecs-svc/2', 'ECS deployment circuit breaker: tasks failed to start.'), 'ecs-2', w.deps);
    expect(result).toMatchObject({ action: 'failed', cause: 'circuit-breaker', releaseDigest: digest('a'), next: { action: 'rolling', ecsDeploymentId: 'ecs-svc/3' } });
    expect(w.ecr.moves).toEqual([digest('a'), digest('b'), digest('a'), digest('c')]);
    const failed = w.published.find((p) => p.detailType === 'Portal Deployment Failed');
    expect(failed?.detail).toMatchObject({ digest: digest('b'), cause: 'circuit-breaker', releaseDigest: digest('a'), serviceEvents: ['(service portal-api) was unable to place a task.'] });
    expect(w.notifications).toEqual([expect.objectContaining({ attributes: { env: 'dev', outcome: 'failed', deploymentId: failed?.detail.deploymentId, cause: 'circuit-breaker' } })]);
  });

  it('a rollback that COMPLETES is reported as a failure, never a success', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.ecs.primaryId = 'ecs-svc/77';
    const result = await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/77', 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/0.'), 'e', w.deps);
    expect(result).toMatchObject({ action: 'failed', cause: 'rolled-back', releaseDigest: undefined });
    expect(w.published.map((p) => p.detailType)).toEqual(['Portal Deployment Failed']);
  });

  it('the same image as the last good one is unchanged; a service already on the digest is not restarted', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/1'), 'e', w.deps);
    expect(await deployServices({ ...built('a', '11'), versionId: 'v-again' }, 'evt-2', w.deps)).toMatchObject({ action: 'unchanged' });
    const other = await fresh();
    other.ecs.primaryDigest = digest('f');
    other.ecs.alive = [{ taskArn: 't', lastStatus: 'RUNNING', startedBy: 'ecs-svc/0', digest: digest('f') }];
    expect(await deployServices(built('f', '10'), 'evt', other.deps)).toMatchObject({ action: 'already-running' });
    expect(other.ecs.updates).toEqual([]);
    expect(other.published.map((p) => p.detailType)).toEqual(['Portal Deployment Succeeded']);
  });

  it('a deployment without terminal event is failed as stuck only after its deadline', async () => {
    const started = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(await checkStuckDeployment({ env: 'dev', deploymentId: started.deploymentId }, 'sched-1', w.deps)).toMatchObject({ action: 'pending' });
    w.clock.now += 600_001;
    expect(await checkStuckDeployment({ env: 'dev', deploymentId: started.deploymentId }, 'sched-2', w.deps)).toMatchObject({ action: 'failed', cause: 'stuck' });
    expect((await w.deps.ledger.getEnvironment('dev'))?.inFlight).toBeUndefined();
  });
});

describe('strict singleton', () => {
  beforeEach(async () => { w = await fresh({ strictSingleton: true }); });

  it('scales to 0, waits for the task event, then starts exactly one new task', async () => {
    const started = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(started).toMatchObject({ action: 'waiting-for-zero', aliveTasks: 1 });
    expect(w.ecs.updates).toEqual([expect.objectContaining({ desiredCount: 0 })]);
    const taskEvent = { source: 'aws.ecs' as const, 'detail-type': 'ECS Task State Change' as const, detail: { clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/wicked', taskArn: 't0', group: 'service:portal-api', lastStatus: 'STOPPED' } };
    expect(await resumeStrictDeployment(taskEvent, 'task-1', w.deps)).toMatchObject({ action: 'still-waiting' });
    w.ecs.alive = [];
    const resumed = await Promise.all([resumeStrictDeployment(taskEvent, 'task-2', w.deps), resumeStrictDeployment(taskEvent, 'task-3', w.deps)]);
    expect(resumed.map((r) => r.action).sort()).toEqual(['ignored', 'rolling']);
    expect(w.ecs.updates.filter((u) => u.forceNewDeployment)).toHaveLength(1);
    expect(w.ecs.updates[1]).toMatchObject({ desiredCount: 1, forceNewDeployment: true });
  });

  it('does not wait forever when the last task stops while the wait is being recorded (its event already ignored)', async () => {
    // Prepare: the task is alive at the first look and gone at the second, as when its STOPPED
    // event was handled before the ledger said "waiting-for-zero".
    const looks = [[...w.ecs.alive], []];
    w.ecs.aliveTasks = () => Promise.resolve(looks.length > 0 ? looks.shift()! : []);
    // Act
    const started = await deployServices(built('a', '10'), 'evt-1', w.deps);
    // Assess
    expect(started).toMatchObject({ action: 'rolling' });
    expect(w.ecs.updates.filter((u) => u.forceNewDeployment)).toHaveLength(1);
    expect((await w.deps.ledger.getEnvironment('dev'))?.inFlight?.phase).not.toBe('waiting-for-zero');
  });
});
