import { checkStuckDeployment, deployServices, resumeOnSnapshotOutcome } from '../../shared/deploy';
import type { DeployDeps, GateJob, SnapshotOutcome } from '../../shared/deploy';
import type { ImageBuiltDetail } from '../../shared/events';
import { Ledger } from '../../shared/ledger';
import { startDynalite } from '../ledger/dynalite-server';
import type { DynaliteHarness } from '../ledger/dynalite-server';
import { world } from './fakes';
import type { World } from './fakes';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const built = (c: string, sequencer: string): ImageBuiltDetail => ({
  env: 'dev', bucket: 'cfg', key: 'config/dev/c.tgz', versionId: `v-${c}`, sequencer, configHash: `hash-${c}`, imageUri: `repo@${digest(c)}`, digest: digest(c), tag: `cfg-${c}`,
});
const EFS = 'arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1';
const RDS = 'arn:aws:rds:eu-west-1:1:db:wicked';
const WAIT_MS = 3_600_000;
const outcome = (deploymentId: string, state: string, extra: Partial<SnapshotOutcome> = {}): SnapshotOutcome => ({
  env: 'dev', jobId: 'job-1', resourceArn: EFS, state, trigger: 'pre-deploy', deploymentIds: [deploymentId],
  ...(state === 'COMPLETED' ? { recoveryPointArn: 'rp-1' } : { reason: 'injected: vault unreachable' }), ...extra,
});

let dynamo: DynaliteHarness;
let w: World;
let jobs: (GateJob & { deploymentIds: string[] })[];
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(() => dynamo.stop());

async function gated(options: { snapshotJobs?: boolean } = {}): Promise<World> {
  const clock = { now: 1_000_000 };
  const ledger = new Ledger({ client: dynamo.doc, tableName: await dynamo.freshTable(), clock: () => clock.now });
  const base = world(ledger, digest('0'), { clock });
  jobs = [];
  const deps: DeployDeps = {
    ...base.deps, preDeploySnapshot: true, snapshotWaitMs: WAIT_MS,
    ...(options.snapshotJobs ? { snapshotJobs: { listJobs: () => Promise.resolve(jobs) } } : {}),
  };
  return { ...base, deps };
}
const types = (): string[] => w.published.map((p) => p.detailType);

describe('pre-deploy snapshot gate', () => {
  beforeEach(async () => { w = await gated(); });

  it('an admitted deployment only asks for the snapshot and waits: no ECR or ECS change, stuck check at the deadline', async () => {
    const result = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(result).toMatchObject({ action: 'awaiting-snapshot', snapshotRequestId: `deploy-${result.deploymentId}` });
    expect(w.published).toEqual([{ detailType: 'Portal Snapshot Requested', detail: { env: 'dev', trigger: 'pre-deploy', requestId: `deploy-${result.deploymentId}`, deploymentId: result.deploymentId } }]);
    expect([w.ecr.moves, w.ecs.updates]).toEqual([[], []]);
    expect(w.scheduled).toEqual([{ env: 'dev', deploymentId: result.deploymentId, at: new Date(1_000_000 + WAIT_MS) }]);
    expect((await w.deps.ledger.getEnvironment('dev'))?.inFlight).toMatchObject({ phase: 'awaiting-snapshot', snapshotRequestId: `deploy-${result.deploymentId}`, lease: { expiresAt: 1_000_000 + WAIT_MS } });
    expect(await deployServices(built('b', '20'), 'evt-2', w.deps)).toMatchObject({ action: 'queued' });
  });

  it('Portal Snapshot Completed rolls exactly as without the gate and links the recovery point; duplicates and late events change nothing', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(await resumeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-1', w.deps)).toMatchObject({ action: 'rolling', ecsDeploymentId: 'ecs-svc/1' });
    expect(w.ecr.moves).toEqual([digest('a')]);
    expect(w.ecs.updates).toHaveLength(1);
    const ledger = w.deps.ledger as Ledger;
    expect(await ledger.getDeployment('dev', deploymentId)).toMatchObject({ state: 'in-flight', recoveryPointArn: 'rp-1', recoveryPointArns: ['rp-1'], ecsDeploymentId: 'ecs-svc/1' });
    expect((await ledger.getEnvironment('dev'))?.lastRecoveryPointArn).toBe('rp-1');
    expect(await resumeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-2', w.deps)).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/no longer waits/) });
    expect(await resumeOnSnapshotOutcome(outcome(deploymentId, 'FAILED'), 'snap-3', w.deps)).toMatchObject({ action: 'ignored' });
    expect(await resumeOnSnapshotOutcome(outcome('d-other', 'COMPLETED'), 'snap-4', w.deps)).toMatchObject({ action: 'ignored', reason: expect.stringMatching(/no deployment in flight .* waits for job job-1/) });
    expect(w.ecs.updates).toHaveLength(1);
  });

  it('Portal Snapshot Failed blocks the deployment: nothing changed, failure published and notified, the queued config goes next', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    const queued = await deployServices(built('b', '20'), 'evt-2', w.deps);
    const result = await resumeOnSnapshotOutcome(outcome(deploymentId, 'FAILED'), 'snap-1', w.deps);
    expect(result).toMatchObject({ action: 'snapshot-failed', reason: expect.stringMatching(/job-1 .* ended FAILED: injected: vault unreachable/), next: { action: 'awaiting-snapshot', deploymentId: queued.deploymentId } });
    expect([w.ecr.moves, w.ecs.updates, w.ecr.tags.get('dev-live')]).toEqual([[], [], digest('0')]);
    const failed = w.published.find((p) => p.detailType === 'Portal Deployment Failed');
    expect(failed?.detail).toMatchObject({ deploymentId, cause: 'snapshot-failed', digest: digest('a'), serviceEvents: [] });
    expect(w.notifications).toEqual([expect.objectContaining({ subject: expect.stringContaining(deploymentId), message: expect.stringMatching(/vault unreachable[\s\S]*Nothing was changed/), attributes: { env: 'dev', deploymentId, cause: 'snapshot-failed' } })]);
    expect(await (w.deps.ledger as Ledger).getDeployment('dev', deploymentId)).toMatchObject({ state: 'failed', reason: expect.stringMatching(/pre-deploy snapshot failed/) });
    expect(await resumeOnSnapshotOutcome(outcome(deploymentId, 'FAILED'), 'snap-1', w.deps)).toMatchObject({ action: 'ignored' });
    expect(w.notifications).toHaveLength(1);
    expect(types().filter((t) => t === 'Portal Snapshot Requested')).toHaveLength(2);
  });

  it('a deployment whose snapshot never reports fails as stuck at its deadline, with nothing changed', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(await checkStuckDeployment({ env: 'dev', deploymentId }, 'check-1', w.deps)).toMatchObject({ action: 'pending' });
    w.clock.now += WAIT_MS + 1;
    expect(await checkStuckDeployment({ env: 'dev', deploymentId }, 'check-2', w.deps)).toMatchObject({ action: 'failed', cause: 'stuck', reason: expect.stringMatching(/no outcome of pre-deploy snapshot deploy-/) });
    expect([w.ecr.moves, w.ecs.updates]).toEqual([[], []]);
    expect((await w.deps.ledger.getEnvironment('dev'))?.inFlight).toBeUndefined();
    expect(await resumeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'late', w.deps)).toMatchObject({ action: 'ignored' });
    expect(w.ecs.updates).toEqual([]);
  });

  it('a rollout after a late snapshot is still checked for stuck: the gate check arms the check again at the rollout deadline', async () => {
    // As EventBridge Scheduler: the schedule name derives from env and deployment id, a second one while armed is a conflict (kept as is).
    const armed = new Map<string, Date>();
    const deps: DeployDeps = { ...w.deps, scheduler: { scheduleStuckCheck: (c) => { if (!armed.has(c.deploymentId)) armed.set(c.deploymentId, c.at); return Promise.resolve(); } } };
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', deps);
    const gateDeadline = w.clock.now + WAIT_MS;
    w.clock.now = gateDeadline - 60_000;
    expect(await resumeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-1', deps)).toMatchObject({ action: 'rolling' });
    const rolloutDeadline = w.clock.now + w.deps.stuckAfterMs;
    expect(armed.get(deploymentId)).toEqual(new Date(gateDeadline));
    w.clock.now = gateDeadline;
    armed.delete(deploymentId); // the gate's schedule ran and deleted itself
    expect(await checkStuckDeployment({ env: 'dev', deploymentId }, 'check-1', deps)).toMatchObject({ action: 'pending' });
    expect(armed.get(deploymentId)).toEqual(new Date(rolloutDeadline));
    w.clock.now = rolloutDeadline + 1;
    expect(await checkStuckDeployment({ env: 'dev', deploymentId }, 'check-2', deps)).toMatchObject({ action: 'failed', cause: 'stuck' });
  });

  it('off: rolls at once without asking for a snapshot', async () => {
    const off = { ...w.deps, preDeploySnapshot: false };
    expect(await deployServices(built('a', '10'), 'evt-1', off)).toMatchObject({ action: 'rolling' });
    expect(types()).not.toContain('Portal Snapshot Requested');
  });
});

describe('pre-deploy snapshot gate with the snapshot jobs of the ledger table', () => {
  beforeEach(async () => { w = await gated({ snapshotJobs: true }); });

  it('waits for every resource: EFS completed while RDS runs keeps waiting; both completed roll with both points', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    jobs.push({ jobId: 'job-1', resourceArn: EFS, state: 'COMPLETED', recoveryPointArn: 'rp-1', deploymentIds: [deploymentId] }, { jobId: 'job-2', resourceArn: RDS, state: 'RUNNING', deploymentIds: [deploymentId] });
    expect(await resumeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-1', w.deps)).toMatchObject({ action: 'awaiting-snapshot', reason: expect.stringMatching(/job-2/) });
    expect(w.ecs.updates).toEqual([]);
    jobs[1] = { ...jobs[1]!, state: 'COMPLETED', recoveryPointArn: 'rp-2' };
    expect(await resumeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED', { jobId: 'job-2', resourceArn: RDS, recoveryPointArn: 'rp-2' }), 'snap-2', w.deps)).toMatchObject({ action: 'rolling' });
    expect(await (w.deps.ledger as Ledger).getDeployment('dev', deploymentId)).toMatchObject({ recoveryPointArn: 'rp-1', recoveryPointArns: ['rp-1', 'rp-2'] });
  });

  it('a snapshot that completed before the wait was recorded is seen by the request itself', async () => {
    jobs.push({ jobId: 'job-1', resourceArn: EFS, state: 'COMPLETED', recoveryPointArn: 'rp-1', deploymentIds: [] });
    const original = w.deps.events.publish;
    const deps: DeployDeps = { ...w.deps, events: { publish: async (type, detail) => { jobs[0]!.deploymentIds.push((detail as { deploymentId: string }).deploymentId); return original(type, detail); } } };
    expect(await deployServices(built('a', '10'), 'evt-1', deps)).toMatchObject({ action: 'rolling' });
    expect(w.ecs.updates).toHaveLength(1);
  });

  it('two outcome events at once: exactly one rolls', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    jobs.push({ jobId: 'job-1', resourceArn: EFS, state: 'COMPLETED', recoveryPointArn: 'rp-1', deploymentIds: [deploymentId] });
    const results = await Promise.all([resumeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-1', w.deps), resumeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-2', w.deps)]);
    expect(results.map((r) => r.action).sort()).toEqual(expect.arrayContaining(['rolling']));
    expect(results.filter((r) => r.action === 'rolling')).toHaveLength(1);
    expect(w.ecs.updates).toHaveLength(1);
  });
});
