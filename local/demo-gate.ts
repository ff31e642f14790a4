import { SnapshotDetailType } from '../shared/snapshot';
import type { StoryAction } from './story';
import { STEP_TIMEOUT_MS, deployConfig, packConfig, runningDigest, short, withLedger } from './story';

/** Where the release tag and portal-api stood when an event was recorded. */
interface Moment {
  readonly index: number;
  readonly running?: string;
  readonly deployments: number;
}

/**
 * A gated deploy: the deployed functions of the demo environment get
 * `PRE_DEPLOY_SNAPSHOT=true` (the default of an environment named prod) for
 * this step, as an update of their configuration would set it on AWS. The upload is
 * snapshotted first, portal-api is untouched until the backup job COMPLETED,
 * and the deployment record links the recovery point.
 */
export const gatedDeploy: StoryAction = async (context) => {
  const { stack } = context;
  const cluster = stack.resources.cluster;
  const moments = new Map<string, Moment>();
  const watched = [SnapshotDetailType.Requested, SnapshotDetailType.Completed];
  const watch = stack.bus.waitFor((event) => {
    const type = event['detail-type'];
    if (watched.includes(type as (typeof watched)[number]) && !moments.has(type)) {
      moments.set(type, { index: stack.bus.timeline.length - 1, running: runningDigest(stack), deployments: stack.control.ecs.deployments(cluster, 'portal-api').length });
    }
    return moments.size === watched.length;
  }, STEP_TIMEOUT_MS, 'the pre-deploy snapshot events');
  const restore = await stack.setPreDeploySnapshot(true);
  try {
    const before = { running: runningDigest(stack), deployments: stack.control.ecs.deployments(cluster, 'portal-api').length };
    const built = await deployConfig(context, await packConfig(context, 'gated', { page: 'Snapshotted before this release.' }), 'config/dev/gated.tgz');
    await watch;
    for (const [type, moment] of moments) {
      if (moment.running !== before.running || moment.deployments !== before.deployments) throw new Error(`portal-api changed before ${type}: expected the gate to hold it`);
    }
    if (runningDigest(stack) !== built.digest) throw new Error(`portal-api runs ${short(runningDigest(stack))} after the gated deploy, expected ${short(built.digest)}`);
    const record = await withLedger(stack, async (ledger) => {
      const lastGood = (await ledger.getEnvironment(stack.resources.env))?.lastGood;
      return lastGood ? ledger.getDeployment(stack.resources.env, lastGood.deploymentId) : undefined;
    });
    const point = record?.recoveryPointArn;
    if (!point || !stack.control.backup.recoveryPoints.has(point)) throw new Error(`the deployment record links no recovery point of the vault (found ${point ?? 'none'})`);
    context.digests.good = built.digest;
    return `snapshot ${point.slice(point.lastIndexOf(':') + 1)} COMPLETED before portal-api moved; rolled to ${short(built.digest)}, recovery point on the deployment record`;
  } finally {
    await restore();
  }
};
