import type { ImageBuiltDetail } from '../../shared/events';
import { requestFromImageBuilt } from '../../shared/ledger';
import type { DeploymentOutcome, Ledger } from '../../shared/ledger';
import { ledgerOf } from '../e2e/deploy-helpers';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';

/** A deployed wicked-dev stack for operator-command tests, with a ledger client on its table. */
export interface OperatorFixture {
  readonly emulator: DeployedStack;
  /** A scratch directory, removed by `stop`. */
  readonly dir: string;
  readonly ledger: Ledger;
  /** `--table` and `--bucket` of the deployed environment. */
  readonly names: { readonly table: string; readonly bucket: string };
  stop(): Promise<void>;
}

/**
 * Deploys wicked-dev (and the other `envs`) into an empty local cloud (`cdk bootstrap` and `cdk deploy` of the app, as `wickedctl local up`
 * does), with the cloud's endpoints in `process.env`: `wickedctl` run in this process finds dev by `--env`.
 */
export async function startOperatorFixture(prefix: string, envs: readonly string[] = ['dev']): Promise<OperatorFixture> {
  const emulator = await deployedStack(prefix, { envs, cliEnvironment: true });
  const { ledger, destroy } = ledgerOf(emulator);
  return {
    emulator, dir: emulator.dir, ledger,
    names: { table: emulator.resources.ledgerTable, bucket: emulator.resources.configBucket },
    stop: async () => {
      destroy();
      await emulator.stop();
    },
  };
}

/** Records a deployment of `detail` in the ledger as deploy-services and track-deployment would: admitted, then finished. */
export async function recordDeployment(ledger: Ledger, detail: ImageBuiltDetail, outcome: DeploymentOutcome, owner = 'test'): Promise<string> {
  const request = requestFromImageBuilt(detail, Date.now());
  const admission = await ledger.admit(request, owner);
  if (admission.kind === 'apply-now') await ledger.complete(detail.env, request.deploymentId, outcome);
  return request.deploymentId;
}

/** A `Portal Image Built` detail of a made-up image for environment `env`. */
export function fakeImage(env: string, n: number, overrides: Partial<ImageBuiltDetail> = {}): ImageBuiltDetail {
  const hex = n.toString(16).padStart(2, '0');
  return {
    env, bucket: 'wicked-dev-config', key: `config/dev/2026010${n}T000000000Z.tgz`, versionId: `v${n}`, sequencer: `0A${hex}`,
    configHash: `${hex}`.repeat(20), imageUri: `127.0.0.1:1/portal-api@sha256:${hex.repeat(32)}`, digest: `sha256:${hex.repeat(32)}`, tag: `cfg-${hex}`,
    ...overrides,
  };
}
