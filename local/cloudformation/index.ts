import type { Stack } from './model';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { LocalListener } from '../kernel/listen';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../kernel/events';
import type { ParameterStore } from './parameters';
import type { EmulatorLinks, ProviderOverrides } from './providers';
import { CLIENT_DEFAULTS, providerRegistry } from './providers';
import { startCloudFormationServer } from './server';
import { CloudFormationService } from './service';

export * from './errors';
export * from './model';
export { CloudFormationService } from './service';
export { INVENTORY_FILE, inventory, inventoryLines } from './inventory';
export type { InventoryRow } from './inventory';
export { RECORDED_TYPES } from './providers';

/** Options of {@link startCloudFormation}. */
export interface CloudFormationOptions {
  readonly links: EmulatorLinks;
  readonly parameters: ParameterStore;
  /** Providers that need more than the links (Lambda functions, custom resources). */
  readonly overrides?: ProviderOverrides;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Called after every stack status change. @default none */
  readonly onStatus?: (stack: Stack) => void;
}

/**
 * Starts the local CloudFormation: the API over awsQuery on 127.0.0.1 and the
 * engine that creates the template's resources in the emulated services.
 *
 * @example
 * const cfn = await startCloudFormation({ links, parameters: ssm.control });
 * // AWS_ENDPOINT_URL_CLOUDFORMATION=cfn.url npx cdk deploy
 */
export async function startCloudFormation(options: CloudFormationOptions): Promise<LocalListener & { service: CloudFormationService }> {
  const service = new CloudFormationService({
    environment: { account: LOCAL_ACCOUNT, region: LOCAL_REGION },
    provider: providerRegistry(options.links, options.overrides),
    parameters: options.parameters,
    readTemplateUrl: (url) => readS3Url(options.links.endpoints.s3, url),
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
  const listener = await startCloudFormationServer(service, options.port ?? 0);
  return { ...listener, service, stop: async () => { await service.settled(); await listener.stop(); } };
}

/**
 * Reads an object named by an S3 URL in either style CloudFormation accepts
 * (`https://s3.<region>.amazonaws.com/<bucket>/<key>`, `https://<bucket>.s3.<region>.amazonaws.com/<key>`,
 * or the emulator's own `http://127.0.0.1:PORT/<bucket>/<key>`) from the emulated S3.
 */
export async function readS3Url(s3Endpoint: string, url: string): Promise<string> {
  const parsed = new URL(url);
  const virtual = /^(.+)\.s3[.-]/.exec(parsed.hostname);
  const path = decodeURIComponent(parsed.pathname.slice(1));
  const [bucket, key] = virtual ? [virtual[1]!, path] : [path.slice(0, path.indexOf('/')), path.slice(path.indexOf('/') + 1)];
  if (!bucket || !key) throw new Error(`${url} names no bucket and key`);
  const s3 = new S3Client({ ...CLIENT_DEFAULTS, endpoint: s3Endpoint, forcePathStyle: true });
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToString('utf8');
  } finally {
    s3.destroy();
  }
}
