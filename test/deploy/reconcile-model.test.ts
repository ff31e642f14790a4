import fc from 'fast-check';
import { builtDetail, configDigest, DEADLINE_MS, ModelWorld, OTHER_SINGLETONS } from './model/model-world';

/**
 * Model-based property test of the reconcile loop: random interleavings of
 * uploads, restarts, ECS progress, AWS Backup progress and safety-net nudges;
 * every event (ECS and backup state changes, the pre-deploy snapshot request,
 * stuck checks, nudges) may be dropped, duplicated, delayed or reordered; ECS
 * and AWS Backup answer in any order (each backup job of a snapshot ends on
 * its own); an invocation may die between any two AWS calls and is then
 * delivered again (EventBridge retries a failed invocation). Scenarios vary
 * strict singleton mode, the pre-deploy snapshot gate, a fresh environment,
 * configs whose tasks fail to start and a config whose tasks never start
 * (only its stuck deadline ends it), or start once it was declared stuck (ECS
 * completes it late). Afterwards every other event is lost (with them, in
 * some cases, the snapshot requests on their way), some nudges die at an AWS
 * call and are delivered again, and only the safety-net nudge runs (while
 * armed), a minute apart, while ECS and AWS Backup finish what they can.
 * Invariants after every step: at most one deployment in flight (only the
 * ledger's one deployment in its starting phase calls UpdateService), never
 * an older config rolled after a newer one, portal-api never above one task
 * in strict mode, no singleton above one task, a gateway's desired count
 * never written, a gated config never touches portal-api before every
 * resource's backup COMPLETED, the other singletons brought up only after a
 * good deployment. Liveness: every deployment ends within a bounded number of
 * nudges, none waits out its snapshot deadline (a lost request is asked for
 * again; a lost backup state change, which the ledger's job records never
 * see, is read from AWS Backup), ECS runs the release tag's digest, which is the last good one, also
 * after a stuck rollout (rolled back; in strict mode one task again), nothing
 * is left `restoring`, the safety net is disarmed. Seed and path of a failure are printed by fast-check;
 * re-run one with FC_SEED=<seed> FC_PATH=<path>; FC_RUNS sets the number of cases.
 */

/** One step of the chaos phase. */
type Op =
  | { readonly op: 'upload'; readonly config: number }
  | { readonly op: 'restart'; readonly service: Service }
  | { readonly op: 'nudge' }
  | { readonly op: 'deliver'; readonly pick: number; readonly keep: boolean; readonly crashAt: number }
  | { readonly op: 'drop'; readonly pick: number }
  | { readonly op: 'ecs'; readonly service: Service; readonly step: 'stop' | 'launch' | 'complete' }
  | { readonly op: 'backup'; readonly pick: number; readonly fail: boolean }
  | { readonly op: 'run'; readonly steps: number }
  | { readonly op: 'advance'; readonly ms: number };

type Service = 'portal-api' | 'kong' | (typeof OTHER_SINGLETONS)[number];
const SERVICES: readonly Service[] = ['portal-api', 'kong', ...OTHER_SINGLETONS];
const CONFIGS = 6;
/**
 * Safety-net nudges (one a minute) within which every deployment must end once events stop: the one in flight
 * and the one queued may each wait out a deadline (a hung rollout), plus the
 * nudges ECS needs to roll.
 */
const MAX_NUDGES = 2 * (DEADLINE_MS / 60_000) + 20;
/** The chaos phase moves the clock at most this far: no deadline passes before events stop, only leases expire. */
const CHAOS_CLOCK_MS = DEADLINE_MS - 60_000;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('upload' as const), config: fc.integer({ min: 1, max: CONFIGS }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restart' as const), service: fc.constantFrom<Service>('portal-api', 'kong', 'portal') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('nudge' as const) }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('deliver' as const), pick: fc.nat(), keep: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), crashAt: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 12 }) }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('ecs' as const), service: fc.constantFrom<Service>('portal-api', 'portal-api', 'kong', ...OTHER_SINGLETONS), step: fc.constantFrom('stop' as const, 'launch' as const, 'complete' as const) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('run' as const), steps: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1_000, max: 90_000 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('backup' as const), pick: fc.nat(), fail: fc.integer({ min: 0, max: 7 }).map((n) => n === 0) }) },
);

const scenarioArb = fc.record({
  strict: fc.boolean(),
  fresh: fc.boolean(),
  gated: fc.boolean(),
  bad: fc.uniqueArray(fc.integer({ min: 1, max: CONFIGS }), { maxLength: 2 }),
  hung: fc.option(fc.integer({ min: 1, max: CONFIGS }), { nil: undefined, freq: 3 }),
  // Once events stop, AWS Backup completes every job, or fails them, or the requests on their way to snapshot-data are lost.
  backup: fc.constantFrom('completes', 'completes', 'fails', 'lost'),
  // A hung rollout's tasks start once it was declared stuck: ECS completes it late.
  late: fc.boolean(),
  // Once events stop, the i-th safety-net nudge dies at the AWS call nudgeCrashes[i] (0: not), and is delivered again at the next.
  nudgeCrashes: fc.array(fc.integer({ min: 0, max: 14 }), { maxLength: 14 }),
  // Once events stop, the i-th safety-net nudge is delivered twice at once when nudgeTwice[i] (EventBridge Scheduler delivers at least once).
  nudgeTwice: fc.array(fc.boolean(), { maxLength: 14 }),
  ops: fc.array(opArb, { minLength: 5, maxLength: 45 }),
});

/** Lets the scheduler release up to `steps` pending AWS calls, in the order it picks. */
async function release(s: fc.Scheduler, steps: number): Promise<void> {
  for (let i = 0; i < steps && s.count() > 0; i += 1) await s.waitOne();
}

/** Runs until every started invocation settled. */
async function drain(s: fc.Scheduler, running: Set<Promise<void>>): Promise<void> {
  while (running.size > 0) {
    if (s.count() > 0) await s.waitOne();
    else await new Promise((resolve) => setImmediate(resolve));
  }
}

function start(world: ModelWorld, running: Set<Promise<void>>, index: number, crashAt: number, keep: boolean): void {
  if (world.inbox.length === 0) return;
  const at = index % world.inbox.length;
  const event = world.inbox[at]!;
  if (!keep) world.inbox.splice(at, 1);
  const invocation: Promise<void> = world.deliver(event, crashAt).finally(() => running.delete(invocation));
  running.add(invocation);
}

async function chaos(world: ModelWorld, s: fc.Scheduler, ops: readonly Op[]): Promise<void> {
  const running = new Set<Promise<void>>();
  let restarts = 0;
  const clockEnd = world.now + CHAOS_CLOCK_MS;
  for (const op of ops) {
    switch (op.op) {
      case 'upload': world.input('image-built', builtDetail(op.config)); break;
      case 'restart': world.input('restart', { service: op.service, requestId: `r-${(restarts += 1)}` }); break;
      case 'nudge': world.input('nudge', {}); break;
      case 'deliver': start(world, running, op.pick, op.crashAt, op.keep); break;
      case 'drop': {
        // A crashed delivery is retried by EventBridge: any other event may be lost.
        const droppable = world.inbox.filter((event) => !event.retry);
        if (droppable.length > 0) world.inbox.splice(world.inbox.indexOf(droppable[op.pick % droppable.length]!), 1);
        break;
      }
      case 'ecs': world.ecs.tick(op.service, op.step); break;
      case 'run': await release(s, op.steps); break;
      case 'advance': world.now = Math.min(clockEnd, world.now + op.ms); break;
      case 'backup': world.backup.tick(op.pick, op.fail); break;
    }
    world.collect();
    checkStep(world);
  }
  await drain(s, running);
}

/** Only the safety net from here: every event is lost; ECS finishes what it was asked, a minute per nudge. */
async function liveness(world: ModelWorld, s: fc.Scheduler, scenario: { backup: 'completes' | 'fails' | 'lost'; late: boolean; nudgeCrashes: readonly number[]; nudgeTwice: readonly boolean[] }): Promise<number> {
  const { backup } = scenario;
  // Every snapshot request still on its way is lost in the 'lost' scenario; the loop asks again at a nudge.
  if (backup === 'lost') world.inbox.splice(0, world.inbox.length, ...world.inbox.filter((event) => event.kind !== 'snapshot-requested' || event.retry === true));
  const kept = (event: { retry?: boolean; kind: string }): boolean => event.retry === true || event.kind === 'snapshot-requested';
  for (let nudge = 1; nudge <= MAX_NUDGES; nudge += 1) {
    // Every event still on its way is lost, except the retries of crashed deliveries (EventBridge's at-least-once retry)
    // and the snapshot requests to snapshot-data a nudge asked for again.
    const retries = world.inbox.filter(kept);
    world.inbox.splice(0);
    for (const event of retries) {
      const running = new Set<Promise<void>>();
      world.inbox.push(event);
      start(world, running, 0, 0, false);
      await drain(s, running);
    }
    // The schedule exists only while armed: an environment left unarmed gets no nudge (and a deployment left so would never end).
    if (world.armed) {
      const running = new Set<Promise<void>>();
      world.input('nudge', {});
      start(world, running, 0, scenario.nudgeCrashes[nudge - 1] ?? 0, scenario.nudgeTwice[nudge - 1] === true);
      // The duplicate runs beside the first: both may find the same end to make known.
      if (scenario.nudgeTwice[nudge - 1] === true) start(world, running, 0, 0, false);
      await drain(s, running);
    }
    // ECS completes a rollout that was declared stuck, if the loop has not replaced it yet (a crash between the verdict and the rollback).
    if (scenario.late && outcomes(world).includes('stuck')) world.ecs.unhang();
    for (const service of SERVICES) {
      while (world.ecs.tick(service, 'stop') || world.ecs.tick(service, 'launch') || world.ecs.tick(service, 'complete')) checkStep(world);
    }
    while (world.backup.tick(0, backup === 'fails')) checkStep(world);
    world.ecs.events.splice(0);
    world.backup.events.splice(0);
    world.now += 60_000;
    world.collect();
    world.inbox.splice(0, world.inbox.length, ...world.inbox.filter(kept));
    const record = world.table.environment('dev');
    const good = record?.lastGood?.digest;
    const singletons = OTHER_SINGLETONS.every((name) => world.ecs.desired(name) === (good ? 1 : 0));
    // Without a good deployment the tag may still name a failed first image: there is nothing to put it back to.
    // A hung rollout never settles by itself: after its deadline the loop rolls back to the last good digest.
    const settled = SERVICES.every((name) => world.ecs.steady(name) || (!good && world.ecs.hangs(name)));
    // Settled once the safety net is disarmed too: a nudge that died before it disarmed is delivered again.
    if (!world.armed && world.inbox.length === 0 && !record?.inFlight && !record?.queued && !record?.restoring && settled && (!good || world.tag === good) && singletons) return nudge;
  }
  return MAX_NUDGES + 1;
}

/** The invariants that hold after every step (UpdateService's own checks run at each call, in the world). */
function checkStep(world: ModelWorld): void {
  for (const name of ['portal-api', ...OTHER_SINGLETONS]) if (world.ecs.desired(name) > 1) world.violations.push(`${name} at desired count ${world.ecs.desired(name)}`);
  if (world.strict && (world.ecs.peakAlive.get('portal-api') ?? 0) > 1) world.violations.push(`strict mode: ${world.ecs.peakAlive.get('portal-api')} portal-api tasks alive at once`);
  // Never an older config rolled after a newer one (a retry of the same config may roll it again).
  const rolled = world.rolled;
  if (rolled.length > 1 && rolled[rolled.length - 1]! < rolled[rolled.length - 2]!) world.violations.push(`config ${rolled[rolled.length - 1]} rolled after config ${rolled[rolled.length - 2]}`);
  const record = world.table.environment('dev');
  if (record?.inFlight && record.inFlight.request.deploymentId === record.queued?.deploymentId) world.violations.push(`${record.queued.deploymentId} both in flight and queued`);
}

/** How the deployments of one case ended, from the ledger's deployment records (for the coverage check). */
function outcomes(world: ModelWorld): string[] {
  return [...world.table.items.values()].filter((item) => String(item.sk).startsWith('DEPLOY#')).map((item) => {
    const reason = String(item.reason ?? '');
    if (item.state === 'failed' && reason.includes('pre-deploy snapshot failed')) return 'gate-failed';
    if (item.state === 'stuck' && reason.includes('pre-deploy snapshot')) return 'gate-stuck';
    if (item.state === 'succeeded' && item.recoveryPointArns !== undefined) return 'gated-succeeded';
    if (item.state === 'succeeded' && item.tag === 'rollback') return 'rolled-back-after-failure';
    return String(item.state);
  });
}

describe('reconcile(env) against modelled AWS: drops, duplicates, reordering, interleavings and crashes', () => {
  it('keeps the invariants at every step and ends every deployment within a bounded number of safety-net nudges', async () => {
    // Which outcomes the generated cases reached: a property that never reaches a path proves nothing about it.
    const seen = new Map<string, number>();
    const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
    await fc.assert(fc.asyncProperty(fc.scheduler(), scenarioArb, async (s, scenario) => {
      const hung = new Set(scenario.hung === undefined || scenario.bad.includes(scenario.hung) ? [] : [configDigest(scenario.hung)]);
      const world = new ModelWorld({
        strict: scenario.strict, gated: scenario.gated, fresh: scenario.fresh, bad: new Set(scenario.bad.map(configDigest)), hung,
        interleave: () => s.schedule(Promise.resolve()).then(() => undefined),
      });
      if (!scenario.fresh) world.seed();
      await chaos(world, s, scenario.ops);
      const nudges = await liveness(world, s, scenario);
      if (world.ecs.lateCompletions.length > 0) seen.set('completed-after-stuck', (seen.get('completed-after-stuck') ?? 0) + 1);
      const ended = outcomes(world);
      for (const outcome of ended) seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
      // A lost snapshot request is asked for again at the next nudge: no deployment waits out its snapshot deadline.
      expect(ended).not.toContain('gate-stuck');
      if (world.crashes > 0) seen.set('crashed-invocation', (seen.get('crashed-invocation') ?? 0) + 1);
      if (world.takenOver > 0) seen.set('end-made-known-by-another', (seen.get('end-made-known-by-another') ?? 0) + 1);

      const record = world.table.environment('dev');
      const running = world.ecs.running('portal-api');
      expect(world.errors).toEqual([]);
      expect([...new Set(world.violations)]).toEqual([]);
      // Never an older config rolled after a newer one (a retry of the same config may roll it again).
      for (let i = 1; i < world.rolled.length; i += 1) expect(world.rolled[i]!).toBeGreaterThanOrEqual(world.rolled[i - 1]!);
      expect(nudges).toBeLessThanOrEqual(MAX_NUDGES);
      expect({ inFlight: record?.inFlight?.request.deploymentId, queued: record?.queued?.deploymentId }).toEqual({ inFlight: undefined, queued: undefined });
      // A hung config runs only when ECS started its tasks late and a later deployment of it succeeded.
      expect([...scenario.bad.map(configDigest), ...(scenario.late ? [] : hung)]).not.toContain(running);
      const others = OTHER_SINGLETONS.map((name) => ({ name, desired: world.ecs.desired(name), running: world.ecs.describe(name).primaryTaskDigests.length }));
      expect(record?.restoring).toBeUndefined();
      if (record?.lastGood) {
        // What the ledger and the release tag say is what ECS runs, also after a rollout declared stuck (hung, or
        // completed by ECS later): the loop rolled it back to the last good digest, one task of it in strict mode.
        // Every other singleton runs one task.
        expect(running).toBeDefined();
        expect(world.ecs.steady('portal-api')).toBe(true);
        expect(world.ecs.servingDigests('portal-api')).toEqual([running]);
        expect(world.tag).toBe(running);
        expect(record.lastGood.digest).toBe(running);
        expect(others).toEqual(OTHER_SINGLETONS.map((name) => ({ name, desired: 1, running: 1 })));
      } else {
        // Only a fresh environment has no good deployment; nothing was brought up before one.
        expect(scenario.fresh).toBe(true);
        expect(others).toEqual(OTHER_SINGLETONS.map((name) => ({ name, desired: 0, running: 0 })));
      }
      // A fresh environment whose upload was lost never ran portal-api at all.
      if (scenario.strict && (record?.lastGood || !scenario.fresh)) expect(world.ecs.peakAlive.get('portal-api')).toBe(1);
      else if (scenario.strict) expect(world.ecs.peakAlive.get('portal-api')).toBeLessThanOrEqual(1);
      expect(world.armed).toBe(false);
      // Every deployment ended is in the history with its end, and its outcome is out: put on the bus (and a failure
      // told the operators) once, or once more per invocation that died after telling it, before recording that it did.
      const history = [...world.table.items.values()].filter((item) => String(item.sk).startsWith('DEPLOY#'));
      expect(history.filter((item) => ['received', 'queued', 'in-flight'].includes(String(item.state))).map((item) => `${String(item.deploymentId)} ${String(item.state)}`)).toEqual([]);
      for (const item of history.filter((candidate) => ['succeeded', 'failed', 'stuck'].includes(String(candidate.state)))) {
        const id = String(item.deploymentId);
        const told = (what: string): number => world.announced.filter((a) => a.deploymentId === id && a.what === what).length;
        const event = item.state === 'succeeded' ? 'succeeded' : 'failed';
        expect({ id, event, put: told(event) >= 1, notified: event === 'failed' ? told('notified') >= 1 : true }).toEqual({ id, event, put: true, notified: true });
        const extra = told('succeeded') + told('failed') - 1 - (world.diedAfterTelling.get(id) ?? 0);
        expect({ id, toldTooOften: extra > 0 }).toEqual({ id, toldTooOften: false });
      }
    }), { numRuns: Number(process.env.FC_RUNS ?? 2000), ...(seed !== undefined ? { seed, path: process.env.FC_PATH } : {}) });
    if (seed === undefined) {
      const reached = Object.fromEntries(['succeeded', 'failed', 'stuck', 'superseded', 'gated-succeeded', 'gate-failed', 'crashed-invocation', 'completed-after-stuck', 'rolled-back-after-failure', 'end-made-known-by-another'].map((o) => [o, (seen.get(o) ?? 0) > 0]));
      expect({ reached, seen: Object.fromEntries(seen) }).toEqual({ reached: Object.fromEntries(Object.keys(reached).map((o) => [o, true])), seen: expect.anything() });
    }
  }, 300_000);
});
