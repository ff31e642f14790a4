import { deployServices, reconcileDue } from '../../shared/deploy';
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
const OTHERS = ['portal', 'portal-auth', 'portal-kong-adapter'];

let dynamo: DynaliteHarness;
beforeAll(async () => { dynamo = await startDynalite(); });
afterAll(() => dynamo.stop());

/** A fresh environment as the stack creates it: portal-api and the other singletons at 0 (`counts` overrides), kong restartable only. */
async function fresh(options: { strictSingleton?: boolean; counts?: Record<string, number> } = {}): Promise<World> {
  const clock = { now: 1_000_000 };
  const ledger = new Ledger({ client: dynamo.doc, tableName: await dynamo.freshTable(), clock: () => clock.now });
  const w = world(ledger, digest('0'), { strictSingleton: options.strictSingleton, clock });
  w.ecs.desiredCount = 0;
  w.ecs.alive = [];
  for (const name of OTHERS) w.ecs.otherCounts.set(name, options.counts?.[name] ?? 0);
  w.ecs.otherCounts.set('kong', 2);
  const target = w.deps.targets.dev!;
  Object.assign(w.deps, { targets: { dev: { ...target, singletons: ['portal-api', ...OTHERS], restartable: [...OTHERS, 'kong'] } } });
  return w;
}
const writesTo = (w: World, service: string): unknown[] => w.ecs.updates.filter((u) => u.service === service);

describe("the other singletons come up after portal-api's first good deployment", () => {
  it('sets each one at 0 to desired count 1 once the first deployment succeeded, in the same reconcile; never before, never kong, never portal-api', async () => {
    const w = await fresh({ counts: { 'portal-auth': 1 } });
    const first = await deployServices(built('a', '10'), 'evt-1', w.deps);
    expect(first.reconcile.steps.map((s) => s.action.kind)).toEqual(['start']);
    expect(OTHERS.map((name) => writesTo(w, name))).toEqual([[], [], []]);

    w.ecs.complete();
    const result = await reconcileDue({ env: 'dev' }, 'net-1', w.deps);
    expect(result.reconciled[0]!.steps.map((s) => s.action.kind)).toEqual(['succeed', 'start-singletons']);
    expect(result.reconciled[0]).toMatchObject({ settled: 'idle' });
    expect(w.ecs.updates.slice(1)).toStrictEqual([
      { cluster: 'wicked', service: 'portal', desiredCount: 1 },
      { cluster: 'wicked', service: 'portal-kong-adapter', desiredCount: 1 },
    ]);
    // portal-auth already ran: untouched; kong's count is its autoscaler's; portal-api got only its deployment's write.
    expect(writesTo(w, 'portal-auth')).toEqual([]);
    expect(writesTo(w, 'kong')).toEqual([]);
    expect(writesTo(w, 'portal-api')).toHaveLength(1);
    expect(Object.fromEntries(w.ecs.otherCounts)).toEqual({ portal: 1, 'portal-auth': 1, 'portal-kong-adapter': 1, kong: 2 });
  });

  it('is idempotent: a duplicate nudge, or one after an operator scaled a singleton up, writes nothing', async () => {
    const w = await fresh();
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.ecs.complete();
    await reconcileDue({ env: 'dev' }, 'net-1', w.deps);
    const writes = w.ecs.updates.length;
    w.ecs.otherCounts.set('portal', 3);
    expect((await reconcileDue({ env: 'dev' }, 'net-2', w.deps)).reconciled[0]).toMatchObject({ settled: 'idle', steps: [] });
    expect(w.ecs.updates).toHaveLength(writes);
    expect(w.ecs.otherCounts.get('portal')).toBe(3);
  });

  it('a failed first deployment brings nothing up', async () => {
    const w = await fresh();
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.ecs.rollBack(digest('0'));
    const result = await reconcileDue({ env: 'dev' }, 'net-1', w.deps);
    expect(result.reconciled[0]!.steps.map((s) => s.action.kind)).toEqual(['fail']);
    expect(OTHERS.map((name) => w.ecs.otherCounts.get(name))).toEqual([0, 0, 0]);
  });

  it('strict mode: nothing is written while the next deployment drains portal-api; the singletons brought up before stay as they are', async () => {
    const w = await fresh({ strictSingleton: true });
    await deployServices(built('a', '10'), 'evt-1', w.deps);
    w.ecs.complete();
    await reconcileDue({ env: 'dev' }, 'net-1', w.deps);
    expect(OTHERS.map((name) => w.ecs.otherCounts.get(name))).toEqual([1, 1, 1]);
    // The next config scales portal-api to zero and waits for its task to stop.
    const next = await deployServices(built('b', '20'), 'evt-2', w.deps);
    expect(await w.deps.ledger.getEnvironment('dev')).toMatchObject({ inFlight: { phase: 'waiting-for-zero' } });
    const writes = w.ecs.updates.length;
    w.ecs.otherCounts.set('portal', 0);
    expect((await reconcileDue({ env: 'dev' }, 'net-2', w.deps)).reconciled[0]).toMatchObject({ settled: 'wait', steps: [] });
    expect(w.ecs.updates).toHaveLength(writes);
    expect(w.ecs.desiredCount).toBe(0);
    expect(next.reconcile.steps.map((s) => s.action.kind)).toEqual(['start']);
  });
});
