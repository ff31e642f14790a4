import type { AwsEvent } from '../../local/kernel/events';
import { DeploymentSucceededDetailSchema, ImageBuiltDetailSchema } from '../../shared/events';
import { failedDeployDeliveries, ledgerOf, packExample, primaryDigest, releaseDigest, settle, upload } from './deploy-helpers';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';

const CONFIGS = 10;
const EVENTS = 200;
const KEY = 'config/dev/portal.tgz';

/** A deterministic shuffle (mulberry32), so a failure replays the same order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed;
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe(`${EVENTS} Object Created events for ${CONFIGS} versions of one key, duplicated and shuffled`, () => {
  let dir: string;
  let emulator: DeployedStack;
  beforeAll(async () => {
    emulator = await deployedStack('e2e-shuffled-', { envs: ['dev'] });
    // A reduced account quota, as new accounts have: the 200 builds queue in Lambda's asynchronous queue and run
    // in a few warm execution environments instead of 200 cold ones (the order they run in stays the shuffle's).
    emulator.lambdaAsync.setAccountConcurrency(10);
    dir = emulator.dir;
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
  });

  it('deploys each config at most once, never an older one after a newer one, and ends on the newest', async () => {
    const budget = signalBudget();
    const archives = await Promise.all(Array.from({ length: CONFIGS }, (_, i) => packExample(dir, `v${i}`, `variant ${i}`)));
    const versions: string[] = [];
    for (const archive of archives) versions.push((await upload(emulator, archive, KEY))!);
    const uploads = emulator.bus.timeline.filter((entry) => entry.event.source === 'aws.s3').map((entry) => entry.event);
    expect(uploads).toHaveLength(CONFIGS);
    const replays = shuffled(Array.from({ length: EVENTS - CONFIGS }, (_, i) => uploads[i % CONFIGS]!), 5);
    // In waves, so that a couple of dozen builds run at once rather than 190 (a delivery only queues the event: the wave ends when Lambda has run them).
    for (let i = 0; i < replays.length; i += 19) {
      // Each a duplicate delivery of its upload's event: its time too (what build-image takes as the time it was requested).
      for (const event of replays.slice(i, i + 19)) emulator.bus.put({ source: event.source, 'detail-type': event['detail-type'], time: event.time, resources: event.resources, detail: event.detail });
      await emulator.bus.idle();
      await emulator.lambdaAsync.idle();
    }
    await settle(emulator, budget.left());

    const built = emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Image Built').map((entry) => ImageBuiltDetailSchema.parse(entry.event.detail));
    expect(built).toHaveLength(EVENTS);
    const digestOf = new Map(built.map((detail) => [detail.versionId!, detail.digest]));
    const newest = digestOf.get(versions[CONFIGS - 1]!)!;
    expect(new Set(digestOf.values()).size).toBe(CONFIGS);

    const succeeded = emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Deployment Succeeded').map((entry: { event: AwsEvent }) => DeploymentSucceededDetailSchema.parse(entry.event.detail));
    const order = succeeded.map((detail) => versions.indexOf(detail.versionId!));
    expect(new Set(order).size).toBe(order.length);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[order.length - 1]).toBe(CONFIGS - 1);
    expect(emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Deployment Failed')).toHaveLength(0);

    expect(releaseDigest(emulator)).toBe(newest);
    expect(primaryDigest(emulator)).toBe(newest);
    const { ledger, destroy } = ledgerOf(emulator);
    try {
      const environment = await ledger.getEnvironment('dev');
      expect(environment).toMatchObject({ lastGood: { digest: newest } });
      expect(environment?.inFlight).toBeUndefined();
      expect(environment?.queued).toBeUndefined();
    } finally {
      destroy();
    }
    expect(emulator.control.ecs.maxConcurrentTasks(emulator.resources.cluster, 'portal-api')).toBe(1);
    expect(failedDeployDeliveries(emulator)).toEqual([]);
    // 200 builds are CPU work: on a shared 2-core machine with a CPU-bound process beside it they take minutes. The
    // limit covers that and the 60 s settle it nests; no assertion depends on how long anything took.
  }, SIGNAL_TEST_LIMIT_MS);
});
