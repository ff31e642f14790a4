import { deployServices, nudgeOnSnapshotOutcome, reconcileDue } from '../../shared/deploy';
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
/** What AWS Backup's DescribeBackupJob answers, by job id (a job not listed is still RUNNING). */
let live: Record<string, { state: string; recoveryPointArn?: string; statusMessage?: string }>;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(() => dynamo.stop());

/** A gated world whose snapshot job items (the ledger table's, as track-backup writes them) are `jobs`. */
async function gated(): Promise<World> {
  const clock = { now: 1_000_000 };
  const ledger = new Ledger({ client: dynamo.doc, tableName: await dynamo.freshTable(), clock: () => clock.now });
  const base = world(ledger, digest('0'), { clock });
  jobs = [];
  live = {};
  const deps: DeployDeps = {
    ...base.deps, preDeploySnapshot: true, snapshotWaitMs: WAIT_MS, snapshotJobs: { listJobs: () => Promise.resolve(jobs) },
    backupJobs: { describeBackupJob: (jobId) => Promise.resolve(live[jobId] ?? { state: 'RUNNING' }) },
  };
  return { ...base, deps };
}
const types = (): string[] => w.published.map((p) => p.detailType);
const job = (deploymentId: string, state: string, patch: Partial<GateJob> = {}): GateJob & { deploymentIds: string[] } => ({
  jobId: 'job-1', resourceArn: EFS, state, deploymentIds: [deploymentId], ...(state === 'COMPLETED' ? { recoveryPointArn: 'rp-1' } : { statusMessage: 'injected: vault unreachable' }), ...patch,
});
const phase = async (): Promise<string | undefined> => (await w.deps.ledger.getEnvironment('dev'))?.inFlight?.phase;

describe('pre-deploy snapshot gate', () => {
  beforeEach(async () => { w = await gated(); });

  it('an admitted deployment only asks for the snapshot and waits: no ECR or ECS change, stuck check at the deadline', async () => {
    const result = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(result.reconcile).toMatchObject({ settled: 'wait', reason: 'no backup job names the deployment yet' });
    expect(w.published).toEqual([{ detailType: 'Portal Snapshot Requested', detail: { env: 'dev', trigger: 'pre-deploy', requestId: `deploy-${result.deploymentId}`, deploymentId: result.deploymentId } }]);
    expect([w.ecr.moves, w.ecs.updates]).toEqual([[], []]);
    expect(w.scheduled).toEqual([{ env: 'dev', deploymentId: result.deploymentId, at: new Date(1_000_000 + WAIT_MS) }]);
    expect((await w.deps.ledger.getEnvironment('dev'))?.inFlight).toMatchObject({ phase: 'awaiting-snapshot', snapshotRequestId: `deploy-${result.deploymentId}`, lease: { expiresAt: 1_000_000 + WAIT_MS } });
    expect(await deployServices(built('b', '20'), 'evt-2', w.deps)).toMatchObject({ action: 'queued' });
  });

  it('a completed snapshot rolls exactly as without the gate and links the recovery point; duplicates and late events change nothing', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    jobs.push(job(deploymentId, 'COMPLETED'));
    const rolled = await nudgeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-1', w.deps);
    expect(rolled.reconciled[0]!.steps.map((s) => s.action.kind)).toEqual(['resume-after-snapshot', 'start']);
    expect(w.ecr.moves).toEqual([digest('a')]);
    expect(w.ecs.updates).toHaveLength(1);
    const ledger = w.deps.ledger as Ledger;
    expect(await ledger.getDeployment('dev', deploymentId)).toMatchObject({ state: 'in-flight', recoveryPointArn: 'rp-1', recoveryPointArns: ['rp-1'], ecsDeploymentId: 'ecs-svc/1' });
    expect((await ledger.getEnvironment('dev'))?.lastRecoveryPointArn).toBe('rp-1');
    for (const late of [outcome(deploymentId, 'COMPLETED'), outcome(deploymentId, 'FAILED'), outcome('d-other', 'COMPLETED')]) {
      expect((await nudgeOnSnapshotOutcome(late, 'late', w.deps)).reconciled[0]!.steps).toEqual([]);
    }
    expect(w.ecs.updates).toHaveLength(1);
  });

  it('a failed snapshot blocks the deployment: nothing changed, failure published and notified, the queued config goes next', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    const queued = await deployServices(built('b', '20'), 'evt-2', w.deps);
    jobs.push(job(deploymentId, 'FAILED'));
    const result = await nudgeOnSnapshotOutcome(outcome(deploymentId, 'FAILED'), 'snap-1', w.deps);
    expect(result.reconciled[0]!.steps.map((s) => s.action)).toEqual([
      expect.objectContaining({ kind: 'fail-gate', cause: 'snapshot-failed', reason: expect.stringMatching(/job-1 .* ended FAILED: injected: vault unreachable/) }),
      expect.objectContaining({ kind: 'start-queued', deploymentId: queued.deploymentId }), expect.objectContaining({ kind: 'start' }),
    ]);
    expect(await phase()).toBe('awaiting-snapshot');
    expect([w.ecr.moves, w.ecs.updates, w.ecr.tags.get('dev-live')]).toEqual([[], [], digest('0')]);
    const failed = w.published.find((p) => p.detailType === 'Portal Deployment Failed');
    expect(failed?.detail).toMatchObject({ deploymentId, cause: 'snapshot-failed', digest: digest('a'), serviceEvents: [] });
    expect(w.notifications).toEqual([expect.objectContaining({ subject: expect.stringContaining(deploymentId), message: expect.stringMatching(/vault unreachable[\s\S]*Nothing was changed/), attributes: { env: 'dev', deploymentId, cause: 'snapshot-failed' } })]);
    expect(await (w.deps.ledger as Ledger).getDeployment('dev', deploymentId)).toMatchObject({ state: 'failed', reason: expect.stringMatching(/pre-deploy snapshot failed/) });
    await nudgeOnSnapshotOutcome(outcome(deploymentId, 'FAILED'), 'snap-1', w.deps);
    expect(w.notifications).toHaveLength(1);
    // The second upload's reconcile found no job of the first deployment and asked again, with the same request id; the
    // owner that asked for the queued one's snapshot (snap-1, delivered twice here) does not ask again in its own pass.
    const requested = w.published.filter((p) => p.detailType === 'Portal Snapshot Requested').map((p) => (p.detail as { requestId: string }).requestId);
    expect(requested).toEqual([`deploy-${deploymentId}`, `deploy-${deploymentId}`, `deploy-${queued.deploymentId}`]);
  });

  it('a deployment whose snapshot never reports fails as stuck at its deadline, with nothing changed', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    // A nudge that finds no backup job asks again (the request may be lost), with the same request id, and waits.
    const nudged = await reconcileDue({ env: 'dev' }, 'check-1', w.deps);
    expect(nudged.reconciled[0]!.steps.map((s) => s.action)).toEqual([expect.objectContaining({ kind: 're-request-snapshot', deploymentId })]);
    expect(nudged.reconciled[0]!.settled).toBe('wait');
    expect(w.published.filter((p) => p.detailType === 'Portal Snapshot Requested').map((p) => p.detail)).toEqual([
      expect.objectContaining({ requestId: `deploy-${deploymentId}`, trigger: 'pre-deploy', deploymentId }), expect.objectContaining({ requestId: `deploy-${deploymentId}`, trigger: 'pre-deploy', deploymentId }),
    ]);
    expect(await phase()).toBe('awaiting-snapshot');
    w.clock.now += WAIT_MS + 1;
    const result = await reconcileDue({ env: 'dev' }, 'check-2', w.deps);
    expect(result.reconciled[0]!.steps[0]!.action).toMatchObject({ kind: 'fail-gate', cause: 'stuck', reason: expect.stringMatching(/no outcome of pre-deploy snapshot deploy-/) });
    expect([w.ecr.moves, w.ecs.updates]).toEqual([[], []]);
    expect((await w.deps.ledger.getEnvironment('dev'))?.inFlight).toBeUndefined();
    jobs.push(job(deploymentId, 'COMPLETED'));
    await nudgeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'late', w.deps);
    expect(w.ecs.updates).toEqual([]);
  });

  it('a snapshot whose outcome events were lost (the ledger still shows its jobs RUNNING) rolls at the next nudge, from what AWS Backup reports', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    jobs.push(job(deploymentId, 'RUNNING', { jobId: 'job-1' }), job(deploymentId, 'RUNNING', { jobId: 'job-2', resourceArn: RDS }));
    live['job-1'] = { state: 'COMPLETED', recoveryPointArn: 'rp-1' };
    const waiting = await reconcileDue({ env: 'dev' }, 'nudge-1', w.deps);
    expect(waiting.reconciled[0]).toMatchObject({ settled: 'wait', reason: expect.stringMatching(/waiting for backup job job-2 of .*db:wicked \(RUNNING\)/) });
    expect(w.ecs.updates).toEqual([]);
    live['job-2'] = { state: 'COMPLETED', recoveryPointArn: 'rp-2' };
    const rolled = await reconcileDue({ env: 'dev' }, 'nudge-2', w.deps);
    expect(rolled.reconciled[0]!.steps.map((s) => s.action.kind)).toEqual(['resume-after-snapshot', 'start']);
    expect(await (w.deps.ledger as Ledger).getDeployment('dev', deploymentId)).toMatchObject({ state: 'in-flight', recoveryPointArns: ['rp-1', 'rp-2'] });
    expect(w.ecr.moves).toEqual([digest('a')]);
  });

  it('off: rolls at once without asking for a snapshot', async () => {
    const off = { ...w.deps, preDeploySnapshot: false };
    expect((await deployServices(built('a', '10'), 'evt-1', off)).reconcile.steps.map((s) => s.action.kind)).toEqual(['start']);
    expect(await phase()).toBe('rolling');
    expect(types()).not.toContain('Portal Snapshot Requested');
  });

  it('waits for every resource: EFS completed while RDS runs keeps waiting; both completed roll with both points', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    jobs.push(job(deploymentId, 'COMPLETED'), job(deploymentId, 'RUNNING', { jobId: 'job-2', resourceArn: RDS }));
    expect((await nudgeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-1', w.deps)).reconciled[0]).toMatchObject({ settled: 'wait', reason: expect.stringMatching(/job-2/) });
    expect(w.ecs.updates).toEqual([]);
    jobs[1] = { ...jobs[1]!, state: 'COMPLETED', recoveryPointArn: 'rp-2' };
    await nudgeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED', { jobId: 'job-2', resourceArn: RDS, recoveryPointArn: 'rp-2' }), 'snap-2', w.deps);
    expect(await phase()).toBe('rolling');
    expect(await (w.deps.ledger as Ledger).getDeployment('dev', deploymentId)).toMatchObject({ recoveryPointArn: 'rp-1', recoveryPointArns: ['rp-1', 'rp-2'] });
  });

  it('never rolls without every covered resource: EFS completed while no RDS job was ever started (snapshot-data failed part-way) waits and asks again', async () => {
    const covered: DeployDeps = { ...w.deps, snapshotResources: [EFS, RDS] };
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', covered);
    jobs.push(job(deploymentId, 'COMPLETED'));
    // The nudge asks again (the same request id: snapshot-data joins the EFS job and retries the RDS start) and waits.
    const nudged = await nudgeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-1', covered);
    expect(nudged.reconciled[0]!.steps.map((s) => s.action)).toEqual([expect.objectContaining({
      kind: 're-request-snapshot', reason: expect.stringMatching(new RegExp(`^no backup job of .*db:wicked names ${deploymentId} yet; asking again for snapshot deploy-${deploymentId}$`)),
    })]);
    expect(nudged.reconciled[0]!.settled).toBe('wait');
    expect(w.ecs.updates).toEqual([]);
    jobs.push(job(deploymentId, 'COMPLETED', { jobId: 'job-2', resourceArn: RDS, recoveryPointArn: 'rp-2' }));
    await nudgeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED', { jobId: 'job-2', resourceArn: RDS, recoveryPointArn: 'rp-2' }), 'snap-2', covered);
    expect(await phase()).toBe('rolling');
    expect(await (w.deps.ledger as Ledger).getDeployment('dev', deploymentId)).toMatchObject({ recoveryPointArns: ['rp-1', 'rp-2'] });
  });

  it('a snapshot that completed before the wait was recorded (its outcome event already handled) is seen by the loop itself', async () => {
    const original = w.deps.events.publish;
    const deps: DeployDeps = { ...w.deps, events: { publish: async (type, detail) => { jobs.push(job((detail as { deploymentId: string }).deploymentId, 'COMPLETED')); return original(type, detail); } } };
    await deployServices(built('a', '10'), 'evt-1', deps);
    expect(await phase()).toBe('rolling');
    expect(w.ecs.updates).toHaveLength(1);
  });

  it('two outcome events at once: exactly one rolls', async () => {
    const { deploymentId } = await deployServices(built('a', '10'), 'evt-1', w.deps);
    jobs.push(job(deploymentId, 'COMPLETED'));
    await Promise.all([nudgeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-1', w.deps), nudgeOnSnapshotOutcome(outcome(deploymentId, 'COMPLETED'), 'snap-2', w.deps)]);
    expect(w.ecs.updates).toHaveLength(1);
    expect(await phase()).toBe('rolling');
  });
});
