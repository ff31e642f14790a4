import { builtDetail, configDigest, DEADLINE_MS, ModelWorld } from './model/model-world';

/**
 * The rollback after a failed deployment, step by step on the modelled AWS of
 * the property test: a rollout that hangs is declared stuck at its deadline;
 * the environment is not idle until ECS runs the release tag's digest again.
 */
describe.each([false, true])('a hung rollout declared stuck (strict: %s)', (strict) => {
  let world: ModelWorld;
  const published: string[] = [];
  const HUNG = configDigest(1);
  const GOOD = configDigest(0);

  /** Delivers every event on the inbox (none crashes) and lets ECS run until it has nothing to do. */
  async function settle(): Promise<void> {
    for (let round = 0; round < 20; round += 1) {
      while (world.inbox.length > 0) await world.deliver(world.inbox.shift()!, 0);
      let moved = false;
      for (const step of ['stop', 'launch', 'complete'] as const) while (world.ecs.tick('portal-api', step)) moved = true;
      world.collect();
      if (!moved && world.inbox.length === 0) return;
    }
  }

  beforeEach(() => {
    published.splice(0);
    world = new ModelWorld({ strict, gated: false, fresh: false, bad: new Set(), hung: new Set([HUNG]), interleave: () => Promise.resolve() });
    world.seed();
    const publish = world.deps.events.publish.bind(world.deps.events);
    world.deps.events.publish = async (detailType, detail) => { published.push(detailType); return publish(detailType, detail); };
  });

  it('rolls portal-api back to the last good digest: the tag never moves to the hung one, strict mode never runs two tasks', async () => {
    world.input('image-built', builtDetail(1));
    await settle();
    expect(world.table.environment('dev')?.inFlight).toMatchObject({ phase: 'rolling', request: { digest: HUNG } });
    expect(world.tag).toBe(HUNG);

    world.now += DEADLINE_MS + 1;
    world.input('nudge', {});
    await settle();
    // Still armed until ECS runs the last good digest; the next nudges finish the rollback.
    for (let nudge = 0; nudge < 3 && world.armed; nudge += 1) {
      world.now += 60_000;
      world.input('nudge', {});
      await settle();
    }

    const record = world.table.environment('dev');
    expect({ inFlight: record?.inFlight, queued: record?.queued, restoring: record?.restoring, lastGood: record?.lastGood?.digest }).toEqual({ inFlight: undefined, queued: undefined, restoring: undefined, lastGood: GOOD });
    expect(world.tag).toBe(GOOD);
    expect(world.ecs.running('portal-api')).toBe(GOOD);
    expect(world.ecs.servingDigests('portal-api')).toEqual([GOOD]);
    expect(world.ecs.desired('portal-api')).toBe(1);
    if (strict) expect(world.ecs.peakAlive.get('portal-api')).toBe(1);
    expect(world.armed).toBe(false);
    // One failure reported for the upload, one success for the rollback (a restart of portal-api on the last good digest).
    expect(published.filter((type) => type.startsWith('Portal Deployment'))).toEqual(['Portal Deployment Failed', 'Portal Deployment Succeeded']);
    const states = [...world.table.items.values()].filter((item) => String(item.sk).startsWith('DEPLOY#')).map((item) => [item.tag, item.kind ?? 'config', item.state]);
    expect(states.sort()).toEqual([['cfg-1', 'config', 'stuck'], ['rollback', 'restart', 'succeeded']]);
    expect(world.violations).toEqual([]);
    expect(world.errors).toEqual([]);
  });
});
