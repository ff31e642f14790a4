import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { appendFile, cp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AwsEvent } from '../../local/kernel/events';
import { packTarGz } from '../../local/pack';
import { SDK_DEFAULTS, runningDigest, uploadConfig } from '../../local/story';
import { Ledger } from '../../shared/ledger';
import type { DeployedStack } from '../helpers/deployed';

/** What the e2e tests drive: a deployed stack. */
export type Platform = DeployedStack;

/** The repository root (tests run from anywhere). */
export const ROOT = resolve(__dirname, '..', '..');

/** The example config, or a copy with `variant` appended to a content page (a different config hash, still valid). */
export async function packExample(dir: string, name: string, variant?: string): Promise<string> {
  let source = join(ROOT, 'examples', 'static');
  if (variant !== undefined) {
    source = join(dir, `${name}-src`);
    await cp(join(ROOT, 'examples', 'static'), source, { recursive: true });
    await appendFile(join(source, 'content', 'contact.md'), `\n${variant}\n`);
  }
  const archive = join(dir, `${name}.tgz`);
  await packTarGz(source, archive);
  return archive;
}

/** Uploads an archive under `config/<env>/<name>`; returns the S3 version id. */
export const upload = uploadConfig;

/** A ledger reader on the emulator's table. */
export function ledgerOf(emulator: Pick<Platform, 'endpoints' | 'resources'>): { ledger: Ledger; destroy: () => void } {
  const client = new DynamoDBClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.dynamodb });
  const ledger = new Ledger({ client: DynamoDBDocumentClient.from(client), tableName: emulator.resources.ledgerTable });
  return { ledger, destroy: () => client.destroy() };
}

/** Matches a control-plane event by detail-type and detail fields. */
export function isEvent(detailType: string, fields: Record<string, unknown> = {}): (event: AwsEvent) => boolean {
  return (event) => event['detail-type'] === detailType && Object.entries(fields).every(([key, value]) => (event.detail as Record<string, unknown>)[key] === value);
}

/** Where the release tag of the environment points, in its portal-api repository. */
export function releaseDigest(emulator: Platform): string | undefined {
  const { repositoryName, releaseTag } = emulator.resources;
  return emulator.control.ecr.listImages(repositoryName).find((image) => image.imageTags?.includes(releaseTag))?.imageDigest;
}

/** The digest the newest PRIMARY deployment of portal-api pins. */
export const primaryDigest = runningDigest;

/**
 * Deliveries to the deploy functions that did not succeed, for a readable assertion, and their asynchronous
 * invocations that failed after Lambda's retries (a delivery only queues the event).
 */
export function failedDeployDeliveries(emulator: Platform): string[] {
  return emulator.failures(['deploy-services', 'track-deployment']);
}

/**
 * Waits until nothing is left to do: no delivery pending, portal-api settled,
 * and the ledger holds no deployment in flight or queued (a completion may
 * start the queued one, so this loops). Rejects after `timeoutMs`.
 */
export async function settle(emulator: Platform, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const { ledger, destroy } = ledgerOf(emulator);
  // Deployed functions handle an event after its delivery, in Lambda's asynchronous queue.
  const handled = async (): Promise<void> => {
    await emulator.bus.idle();
    await emulator.lambdaAsync.idle();
  };
  try {
    for (;;) {
      await handled();
      await emulator.control.ecs.waitForSteadyState(emulator.resources.cluster, 'portal-api', Math.max(1, deadline - Date.now()));
      await handled();
      const environment = await ledger.getEnvironment(emulator.resources.env);
      if (!environment?.inFlight && !environment?.queued) return;
      if (Date.now() > deadline) throw new Error(`deployments still pending after ${timeoutMs} ms: ${JSON.stringify({ inFlight: environment.inFlight?.request.deploymentId, queued: environment.queued?.deploymentId })}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    destroy();
  }
}
