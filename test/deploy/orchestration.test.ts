import { deployServices, nudgeOnTaskStateChange, reconcile, reconcileDue, trackDeployment } from '../../shared/deploy';
import type { DeployDeps, DeployServicesResult } from '../../shared/deploy';
import type { EcsDeploymentStateChangeEvent, ImageBuiltDetail } from '../../shared/events';
import { Ledger, OUTBOX_CLAIM_MS } from '../../shared/ledger';
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
const kinds = (result: DeployServicesResult): string[] => result.reconcile.steps.map((s) => s.action.kind);

let dynamo: DynaliteHarness;
let w: World;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(() => dynamo.stop());

async function fresh(options: { strictSingleton?: boolean } = {}): Promise<World> {
  const clock = { now: 1_000_000 };
  const ledger = new Ledger({ client: dynamo.doc, tableName: await dynamo.freshTable(), clock: () => clock.now });
  return world(ledger, digest('0'), { ...options, clock });
}
const inFlight = async (): Promise<unknown> => (await w.deps.ledger.getEnvironment('dev'))?.inFlight;

describe('deployServices + reconcile', () => {
  beforeEach(async () => { w = await fresh(); });

  it('rolls a new config: release tag moved, singleton forced with min 0 / max 100 / desired 1, stuck check scheduled, safety net armed', async () => {
    const result = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(result).toMatchObject({ action: 'apply-now', reconcile: { settled: 'wait' } });
    expect(kinds(result)).toEqual(['start']);
    expect(await inFlight()).toMatchObject({ phase: 'rolling', ecsDeploymentId: 'ecs-svc/1' });
    expect(w.ecr.tags.get('dev-live')).toBe(digest('a'));
    expect(w.ecs.updates).toEqual([{ cluster: 'wicked', service: 'portal-api', desiredCount: 1, forceNewDeployment: true, deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } }]);
    expect(w.scheduled).toEqual([{ env: 'dev', deploymentId: result.deploymentId, at: new Date(1_000_000 + 600_000) }]);
    expect([...w.armed]).toEqual(['dev']);
  });

  it('a duplicate changes nothing; an older event is ignored; a newer one during the rollout is queued', async () => {
    await deployServices(built('b', '20'), 'evt-1', w.deps);
    expect(await deployServices(built('b', '20'), 'evt-2', w.deps)).toMatchObject({ action: 'ignored-duplicate' });
    expect(await deployServices(built('a', '10'), 'evt-3', w.deps)).toMatchObject({ action: 'ignored-older' });
    expect(await deployServices(built('c', '30'), 'evt-4', w.deps)).toMatchObject({ action: 'queued' });
    expect(w.ecs.updates).toHaveLength(1);
    expect(w.ecr.moves).toEqual([digest('b')]);
  });

  it('success is what ECS shows, whatever the event: IN_PROGRESS waits, COMPLETED succeeds and starts the queued config; late events change nothing', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    await deployServices(built('b', '20'), 'evt-2', w.deps);
    expect(await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_IN_PROGRESS', 'ecs-svc/1'), 'ecs-1', w.deps)).toMatchObject({ reconciled: [{ settled: 'wait', steps: [] }] });
    w.ecs.complete();
    // Even an IN_PROGRESS event (or the safety net) finishes it: the event does not decide.
    const result = await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_IN_PROGRESS', 'ecs-svc/1'), 'ecs-2', w.deps);
    expect(result.reconciled[0]!.steps.map((s) => s.action.kind)).toEqual(['succeed', 'start-queued', 'start']);
    expect(w.published.map((p) => [p.detailType, p.detail.digest])).toEqual([['Portal Deployment Succeeded', digest('a')]]);
    expect(w.ecr.tags.get('dev-live')).toBe(digest('b'));
    expect((await w.deps.ledger.getEnvironment('dev'))?.lastGood?.digest).toBe(digest('a'));
    expect(await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/1'), 'ecs-3', w.deps)).toMatchObject({ reconciled: [{ settled: 'wait', steps: [] }] });
  });

  it('a rollout that COMPLETED before its ECS deployment id was recorded still ends succeeded (the race of the issue)', async () => {
    // Prepare: ECS completes the rollout inside UpdateService, before the ledger records it, and its event arrives then.
    const update = w.ecs.updateService.bind(w.ecs);
    const early: Promise<unknown>[] = [];
    w.ecs.updateService = async (input) => {
      const id = await update(input);
      w.ecs.complete();
      early.push(trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_COMPLETED', id), 'ecs-early', w.deps));
      return id;
    };
    // Act
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    await Promise.all(early);
    // Assess
    expect(await inFlight()).toBeUndefined();
    expect(w.published.map((p) => p.detailType)).toEqual(['Portal Deployment Succeeded']);
    expect((await w.deps.ledger.getEnvironment('dev'))?.lastGood?.digest).toBe(digest('a'));
    expect(w.armed.size).toBe(0);
  });

  it('failure: release back on the last good digest, Portal Deployment Failed + notification, queued config starts', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.ecs.complete();
    await reconcile('dev', 'nudge-1', w.deps);
    await deployServices(built('b', '20'), 'evt-2', w.deps);
    await deployServices(built('c', '30'), 'evt-3', w.deps);
    w.ecs.rollBack(digest('a'));
    const result = await trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_FAILED', 'ecs-svc/2', 'circuit breaker'), 'ecs-2', w.deps);
    expect(result.reconciled[0]!.steps.map((s) => s.action)).toEqual([
      expect.objectContaining({ kind: 'fail', cause: 'rolled-back' }), expect.objectContaining({ kind: 'start-queued' }), expect.objectContaining({ kind: 'start' }),
    ]);
    expect(w.ecr.moves).toEqual([digest('a'), digest('b'), digest('a'), digest('c')]);
    const failed = w.published.find((p) => p.detailType === 'Portal Deployment Failed');
    expect(failed?.detail).toMatchObject({ digest: digest('b'), cause: 'rolled-back', releaseDigest: digest('a'), serviceEvents: ['(service portal-api) was unable to place a task.'] });
    expect(w.notifications).toEqual([expect.objectContaining({ attributes: { env: 'dev', outcome: 'failed', deploymentId: failed?.detail.deploymentId, cause: 'rolled-back' } })]);
  });

  it('FAILED of the primary itself is a circuit-breaker failure', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.ecs.rolloutState = 'FAILED';
    const result = await reconcile('dev', 'n', w.deps);
    expect(result.steps[0]!.action).toMatchObject({ kind: 'fail', cause: 'circuit-breaker' });
  });

  it('the same image as the last good one is unchanged; a service already on the digest is adopted, not restarted', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.ecs.complete();
    await reconcile('dev', 'n', w.deps);
    expect(await deployServices({ ...built('a', '11'), versionId: 'v-again' }, 'evt-2', w.deps)).toMatchObject({ action: 'unchanged' });
    const other = await fresh();
    other.ecs.primaryDigest = digest('f');
    other.ecs.alive = [{ taskArn: 't', lastStatus: 'RUNNING', startedBy: 'ecs-svc/0', digest: digest('f') }];
    const result = await deployServices(built('f', '10'), 'evt', other.deps);
    expect(result.reconcile.steps.map((s) => s.action.kind)).toEqual(['start', 'succeed']);
    expect(other.ecs.updates).toEqual([]);
    expect(other.published.map((p) => p.detailType)).toEqual(['Portal Deployment Succeeded']);
  });

  it('with a container health check, COMPLETED counts only once the new task is HEALTHY (a hung portal-api is never last good)', async () => {
    w.ecs.healthChecked = true;
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.ecs.complete();
    expect((await reconcile('dev', 'n-1', w.deps)).settled).toBe('wait');
    w.ecs.alive = w.ecs.alive.map((t) => ({ ...t, healthStatus: 'HEALTHY' }));
    expect((await reconcile('dev', 'n-2', w.deps)).steps.map((s) => s.action.kind)).toEqual(['succeed']);
  });

  it('past its deadline a rollout is stuck only when ECS does not run it; the tag goes back then', async () => {
    const started = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(await reconcileDue({ env: 'dev' }, 'sched-1', w.deps)).toMatchObject({ reconciled: [{ settled: 'wait' }] });
    w.clock.now += 600_001;
    w.ecs.alive = [];
    const result = await reconcileDue({ env: 'dev' }, 'sched-2', w.deps);
    expect(result.reconciled[0]!.steps[0]!.action).toMatchObject({ kind: 'fail', cause: 'stuck' });
    expect(await (w.deps.ledger as Ledger).getDeployment('dev', started.deploymentId)).toMatchObject({ state: 'stuck' });
    expect(w.ecr.tags.get('dev-live')).toBe(digest('a')); // no last good deployment yet: nothing to put back
  });

  it('a stuck check that finds ECS running the new digest healthily records success and leaves the tag', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.clock.now += 600_001;
    const result = await reconcileDue({ env: 'dev' }, 'sched', w.deps);
    expect(result.reconciled[0]!.steps.map((s) => s.action.kind)).toEqual(['succeed']);
    expect(w.ecr.tags.get('dev-live')).toBe(digest('a'));
    expect(w.notifications).toEqual([]);
  });
});

describe('strict singleton', () => {
  beforeEach(async () => { w = await fresh({ strictSingleton: true }); });

  it('scales to 0, waits until no task is alive, then starts exactly one new task', async () => {
    const started = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(started.reconcile).toMatchObject({ settled: 'wait', reason: expect.stringMatching(/1 task\(s\) still alive/) });
    expect(w.ecs.updates).toEqual([expect.objectContaining({ desiredCount: 0 })]);
    const taskEvent = { source: 'aws.ecs' as const, 'detail-type': 'ECS Task State Change' as const, detail: { clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/wicked', taskArn: 't0', group: 'service:portal-api', lastStatus: 'STOPPED' } };
    expect((await nudgeOnTaskStateChange(taskEvent, 'task-1', w.deps)).reconciled[0]!.steps).toEqual([]);
    w.ecs.alive = [];
    await Promise.all([nudgeOnTaskStateChange(taskEvent, 'task-2', w.deps), nudgeOnTaskStateChange(taskEvent, 'task-3', w.deps)]);
    expect(w.ecs.updates.filter((u) => u.forceNewDeployment)).toHaveLength(1);
    expect(w.ecs.updates[1]).toMatchObject({ desiredCount: 1, forceNewDeployment: true });
  });

  it('a task that stopped before the wait was recorded (its event long gone) is seen by the safety-net nudge', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.ecs.alive = [];
    expect((await reconcileDue({ env: 'dev' }, 'safety-net', w.deps)).reconciled[0]!.steps.map((s) => s.action.kind)).toEqual(['resume-after-drain', 'start']);
    expect(await inFlight()).toMatchObject({ phase: 'rolling' });
  });
});

describe('the end of a deployment is made known even when the invocation that ended it dies (the outbox)', () => {
  beforeEach(async () => { w = await fresh(); });

  /** Deploys config `a` and lets the circuit breaker fail it; `publish` is the deps' publish while track-deployment ends it. */
  async function failA(publish: DeployDeps['events']['publish']): Promise<unknown> {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.ecs.rollBack(digest('0'));
    return trackDeployment(ecsEvent('SERVICE_DEPLOYMENT_FAILED', 'ecs-svc/1', 'circuit breaker'), 'ecs-1', { ...w.deps, events: { publish } });
  }

  it('one that died after recording the failure: a nudge waits while its claim holds, then puts the event and the notification, once', async () => {
    await expect(failA(async () => { throw new Error('Lambda timed out'); })).rejects.toThrow('Lambda timed out');
    const ended = await w.deps.ledger.getEnvironment('dev');
    expect(ended?.inFlight).toBeUndefined();
    expect(ended?.outbox).toEqual([expect.objectContaining({ change: expect.objectContaining({ state: 'failed' }), claim: { owner: 'ecs-1', expiresAt: w.clock.now + OUTBOX_CLAIM_MS } })]);
    expect([w.published, w.notifications]).toEqual([[], []]);
    // Within the dead invocation's claim: the loop waits (the safety net stays armed), nothing is told twice.
    w.clock.now += OUTBOX_CLAIM_MS - 1;
    const waiting = await reconcile('dev', 'nudge-1', w.deps);
    expect(waiting).toMatchObject({ settled: 'wait', reason: `the end of ${ended!.outbox![0]!.deploymentId} is being made known by ecs-1` });
    expect(w.armed.has('dev')).toBe(true);
    expect([w.published, w.notifications]).toEqual([[], []]);
    w.clock.now += 1;
    const told = await reconcile('dev', 'nudge-2', w.deps);
    expect(told.steps.map((s) => s.action.kind)).toContain('announce');
    expect(told.settled).toBe('idle');
    expect(w.published.map((p) => p.detailType)).toEqual(['Portal Deployment Failed']);
    expect(w.published[0]!.detail).toMatchObject({ cause: 'rolled-back', digest: digest('a'), reason: expect.stringContaining('circuit breaker') });
    expect(w.notifications).toEqual([expect.objectContaining({ attributes: expect.objectContaining({ outcome: 'failed', cause: 'rolled-back' }) })]);
    expect((await w.deps.ledger.getEnvironment('dev'))?.outbox).toBeUndefined();
    expect(w.armed.has('dev')).toBe(false);
    await reconcile('dev', 'nudge-3', w.deps);
    expect([w.published.length, w.notifications.length]).toEqual([1, 1]);
  });

  it('a Lambda that ends a deployment and lives puts its outcome at once and leaves no outbox entry', async () => {
    await failA(w.deps.events.publish);
    expect(w.published.map((p) => p.detailType)).toEqual(['Portal Deployment Failed']);
    expect(w.notifications).toHaveLength(1);
    expect((await w.deps.ledger.getEnvironment('dev'))?.outbox).toBeUndefined();
  });

  it('the history of a deployment superseded by an invocation that died after the environment write is written by the next reconcile', async () => {
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    await deployServices(built('b', '20'), 'evt-2', w.deps);
    // The write of b's history as superseded never happens: the Lambda dies right after the environment write.
    const client = w.deps.ledger as unknown as { client: { send: (command: { input: Record<string, unknown> }) => Promise<unknown> } };
    const send = client.client.send.bind(client.client);
    const dying = Object.create(client.client) as typeof client.client;
    dying.send = async (command) => {
      const values = command.input.ExpressionAttributeValues as Record<string, unknown> | undefined;
      if (values?.[':state'] === 'superseded') throw new Error('Lambda timed out');
      return send(command);
    };
    const ledger = new Ledger({ client: dying as never, tableName: (w.deps.ledger as unknown as { tableName: string }).tableName, clock: () => w.clock.now });
    await expect(deployServices(built('c', '30'), 'evt-3', { ...w.deps, ledger })).rejects.toThrow('Lambda timed out');
    const b = (await w.deps.ledger.getEnvironment('dev'))!.outbox![0]!.deploymentId;
    expect(await (w.deps.ledger as Ledger).getDeployment('dev', b)).toMatchObject({ state: 'queued' });
    const next = await reconcile('dev', 'nudge-1', w.deps);
    expect(next.steps[0]!.action).toEqual({ kind: 'announce', deploymentId: b, reason: `the end of ${b} (superseded) is still to be made known` });
    expect(await (w.deps.ledger as Ledger).getDeployment('dev', b)).toMatchObject({ state: 'superseded' });
    expect((await w.deps.ledger.getEnvironment('dev'))?.outbox).toBeUndefined();
    expect(w.published).toEqual([]);
  });
});
