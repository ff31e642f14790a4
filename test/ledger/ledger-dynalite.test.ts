import { Ledger, LeaseError } from '../../shared/ledger';
import { startDynalite } from './dynalite-server';
import type { DynaliteHarness } from './dynalite-server';
import { request } from './fixtures';

let dynamo: DynaliteHarness;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(() => dynamo.stop());

/** A fresh ledger table (same key schema as the CDK table). */
async function freshLedger(clock?: () => number): Promise<Ledger> {
  return new Ledger({ client: dynamo.doc, tableName: await dynamo.freshTable(), leaseMs: 60_000, clock });
}

describe('Ledger against dynalite', () => {
  it('concurrent admits of distinct configs: exactly one applies, the newest arrival stays queued', async () => {
    const ledger = await freshLedger();
    const requests = Array.from({ length: 12 }, (_, i) => request(`d-${i}`, { d: i.toString(16), key: `config/dev/c${i}.tgz`, sequencer: '01' }));
    const admissions = await Promise.all(requests.map((r, i) => ledger.admit(r, `evt-${i}`)));
    const applied = admissions.filter((a) => a.kind === 'apply-now');
    expect(applied).toHaveLength(1);
    expect(admissions.filter((a) => a.kind === 'queue')).toHaveLength(11);
    const env = await ledger.getEnvironment('dev');
    expect(env?.inFlight?.request.deploymentId).toBe(applied[0]!.deploymentId);
    const records = await ledger.listDeployments('dev');
    expect(records).toHaveLength(12);
    expect(records.filter((r) => r.state === 'in-flight').map((r) => r.deploymentId)).toEqual([applied[0]!.deploymentId]);
    expect(records.filter((r) => r.state === 'queued').map((r) => r.deploymentId)).toEqual([env?.queued?.deploymentId]);
    expect(records.filter((r) => r.state === 'superseded')).toHaveLength(10);
  });

  it('duplicated and shuffled events of one key: one apply, older ones ignored, the newest queued', async () => {
    const ledger = await freshLedger();
    const seqs = ['00A1', '00A2', '00A3', '00A4', '00A5'];
    const events = seqs.flatMap((s, i) => [request(`d-${i}`, { d: String(i), sequencer: s }), request(`d-${i}`, { d: String(i), sequencer: s })]);
    const admissions = await Promise.all(events.reverse().map((r, i) => ledger.admit(r, `evt-${i}`)));
    expect(admissions.filter((a) => a.kind === 'apply-now')).toHaveLength(1);
    const env = await ledger.getEnvironment('dev');
    expect(env?.sequencers['config/dev/c.tgz']).toBe('00A5');
    const live = [env?.inFlight?.request.deploymentId, env?.queued?.deploymentId];
    expect(live).toContain('d-4');
  });

  it('concurrent acquires of the queued deployment: exactly one lease holder', async () => {
    let now = 1_000_000;
    const ledger = await freshLedger(() => now);
    await ledger.admit(request('d-a', { sequencer: '10' }), 'evt-a');
    await ledger.admit(request('d-b', { sequencer: '20' }), 'evt-b');
    await ledger.recordEcsDeployment('dev', 'd-a', 'evt-a', { service: 'portal-api', ecsDeploymentId: 'ecs-svc/1' }, now + 1000);
    const done = await ledger.complete('dev', 'd-a', { kind: 'failed', reason: 'circuit breaker', serviceEvents: ['e1'] });
    expect(done).toMatchObject({ completed: true, outcome: 'failed', next: { deploymentId: 'd-b' } });
    now += 10;
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => ledger.acquireLease('dev', 'd-b', `tracker-${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as LeaseError);
    expect(refused.every((e) => e instanceof LeaseError && e.code === 'LEASE_HELD')).toBe(true);
    expect(await ledger.getDeployment('dev', 'd-a')).toMatchObject({ state: 'failed', reason: 'circuit breaker', serviceEvents: ['e1'], ecsDeploymentId: 'ecs-svc/1' });
  });

  it('success moves lastGood; a duplicate terminal event changes nothing; markStuck respects the deadline', async () => {
    let now = 5_000_000;
    const ledger = await freshLedger(() => now);
    const a = request('d-a', { sequencer: '10' });
    await ledger.admit(a, 'evt-a');
    await ledger.recordEcsDeployment('dev', 'd-a', 'evt-a', { service: 'portal-api', ecsDeploymentId: 'ecs-svc/1', recoveryPointArn: 'arn:rp' }, now + 1000);
    expect(await ledger.markStuck('dev', 'd-a')).toMatchObject({ completed: false });
    expect(await ledger.complete('dev', 'd-a', { kind: 'succeeded' })).toMatchObject({ completed: true, lastGood: { digest: a.digest } });
    expect(await ledger.complete('dev', 'd-a', { kind: 'failed' })).toMatchObject({ completed: false });
    const env = await ledger.getEnvironment('dev');
    expect(env).toMatchObject({ lastGood: { deploymentId: 'd-a' }, lastRecoveryPointArn: 'arn:rp' });
    expect(env?.inFlight).toBeUndefined();
    expect(await ledger.getDeployment('dev', 'd-a')).toMatchObject({ state: 'succeeded', recoveryPointArn: 'arn:rp' });
    await ledger.admit(request('d-b', { sequencer: '20' }), 'evt-b');
    await ledger.recordEcsDeployment('dev', 'd-b', 'evt-b', { service: 'portal-api', ecsDeploymentId: 'ecs-svc/2' }, now + 1000);
    now += 2000;
    expect(await ledger.markStuck('dev', 'd-b')).toMatchObject({ completed: true, outcome: 'stuck' });
    expect((await ledger.getDeployment('dev', 'd-b'))?.reason).toContain('ecs-svc/2');
  });

  it('a lease lost to expiry cannot record an ECS deployment', async () => {
    let now = 1_000;
    const ledger = await freshLedger(() => now);
    await ledger.admit(request('d-a', { sequencer: '10' }), 'evt-a');
    now += 61_000;
    await expect(ledger.recordEcsDeployment('dev', 'd-a', 'evt-a', { service: 's', ecsDeploymentId: 'x' }, now + 1)).rejects.toMatchObject({ code: 'LEASE_LOST' });
  });
});
