import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../local/emulator';
import { SDK_DEFAULTS, startEmulator } from '../../local/emulator';
import type { ImageBuiltDetail } from '../../shared/events';
import { Ledger, requestFromImageBuilt } from '../../shared/ledger';
import type { DeploymentOutcome } from '../../shared/ledger';
import { CONTROL_PLANE_RULES } from '../../shared/events/rules';

/** An emulator for operator-command tests, with a ledger client on its table. */
export interface OperatorFixture {
  readonly emulator: Emulator;
  readonly dir: string;
  readonly ledger: Ledger;
  /** `--table` and `--bucket` of the emulated deployment. */
  readonly names: { readonly table: string; readonly bucket: string };
  stop(): Promise<void>;
}

/** Starts the emulator (environment dev) in a temporary directory. */
export async function startOperatorFixture(prefix: string): Promise<OperatorFixture> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const emulator = await startEmulator({ stateDir: join(dir, 'state'), clockSpeed: 200, env: 'dev' });
  const raw = new DynamoDBClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.dynamodb });
  const ledger = new Ledger({ client: DynamoDBDocumentClient.from(raw), tableName: emulator.resources.ledgerTable });
  return {
    emulator, dir, ledger,
    names: { table: emulator.resources.ledgerTable, bucket: emulator.resources.configBucket },
    stop: async () => {
      raw.destroy();
      await emulator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** True once a deploy-services function consumes `Portal Image Built` on the bus (then tests must not drive the ledger themselves). */
export const deployServicesWired = CONTROL_PLANE_RULES.some((rule) => (rule.target as string) === 'deploy-services');

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
