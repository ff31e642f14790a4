import { ImageBuiltDetailSchema } from '../../shared/events';
import { failedDeployDeliveries, isEvent, ledgerOf, packExample, primaryDigest, releaseDigest, settle, upload } from './deploy-helpers';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';

const KEY = 'config/dev/portal.tgz';
const UPLOADS = 3;

/**
 * Uploads in a row end `deployed` whatever the emulated clock's speed: at
 * 2000x ECS finishes a rollout within milliseconds, often before
 * deploy-services has recorded it (the race that left deployments rolling
 * forever); at 20x every step is slower than the handlers. The outcome comes from what ECS shows,
 * so neither changes it.
 */
/** The suite for one clock speed, on a deployed wicked-dev stack whose clock runs at it. */
export function uploadsInARow(clockSpeed: number): void {
  describe(`uploads in a row with the emulated clock at ${clockSpeed}x`, () => {
  let dir: string;
  let emulator: DeployedStack;
  beforeAll(async () => {
    emulator = await deployedStack(`e2e-clock-${clockSpeed}-`, { envs: ['dev'], clockSpeed });
    dir = emulator.dir;
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
  });

  it(`each of ${UPLOADS} uploads ends succeeded, and the release tag and the last good digest are what ECS runs`, async () => {
    const budget = signalBudget();
    const { ledger, destroy } = ledgerOf(emulator);
    try {
      for (let i = 0; i < UPLOADS; i += 1) {
        const versionId = await upload(emulator, await packExample(dir, `v${i}`, `clock ${clockSpeed} upload ${i}`), KEY);
        const built = ImageBuiltDetailSchema.parse((await emulator.bus.waitFor(isEvent('Portal Image Built', { versionId }), budget.left(), `Portal Image Built of upload ${i}`)).detail);
        await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: built.digest }), budget.left(), `Portal Deployment Succeeded of upload ${i}`);
        await settle(emulator, budget.left());
        const records = (await ledger.listDeployments('dev')).filter((record) => record.digest === built.digest);
        expect(records.map((record) => record.state)).toEqual(['succeeded']);
        expect(primaryDigest(emulator)).toBe(built.digest);
        expect(releaseDigest(emulator)).toBe(built.digest);
        expect((await ledger.getEnvironment('dev'))?.lastGood?.digest).toBe(built.digest);
      }
      expect(emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Deployment Failed')).toEqual([]);
      expect(failedDeployDeliveries(emulator)).toEqual([]);
    } finally {
      destroy();
    }
  }, SIGNAL_TEST_LIMIT_MS);
  });
}
