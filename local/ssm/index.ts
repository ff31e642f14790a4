import { createServer } from 'node:http';
import type { Clock } from '../kernel/clock';
import { serveAwsJson } from '../kernel/aws-json';
import { listenLocal } from '../kernel/listen';
import { ssmOperations } from './api';
import { SsmParameters } from './parameters';

export * from './errors';
export * from './parameters';
export { ssmOperations } from './api';

/** The SSM emulator's control surface: the parameter store itself (put, latest, all) for provisioning and tests. */
export type SsmControl = SsmParameters;

/** Options of {@link startSsm}. */
export interface SsmOptions {
  /** LastModifiedDate is read from it. */
  readonly clock: Clock;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
}

const KNOWN_OPTIONS = new Set(['clock', 'port']);

/**
 * Starts the SSM Parameter Store emulator on 127.0.0.1: awsJson1_1
 * (`X-Amz-Target: AmazonSSM.<Operation>`), as `@aws-sdk/client-ssm` speaks it
 * (point it there with `AWS_ENDPOINT_URL_SSM`). Parameters live in memory.
 *
 * @example
 * const ssm = await startSsm({ clock });
 * ssm.control.put({ name: '/wicked/dev/config-bucket', value: 'wicked-dev-config', type: 'String' });
 * await new SSMClient({ endpoint: ssm.url }).send(new GetParametersByPathCommand({ Path: '/wicked/dev', Recursive: true }));
 */
export async function startSsm(options: SsmOptions): Promise<{ url: string; control: SsmControl; stop(): Promise<void> }> {
  const unknown = Object.keys(options).filter((key) => !KNOWN_OPTIONS.has(key));
  if (unknown.length) throw new TypeError(`startSsm: unknown option(s) ${unknown.join(', ')}; expected ${[...KNOWN_OPTIONS].join(', ')}`);
  const store = new SsmParameters(options.clock);
  const operations = ssmOperations(store);
  const server = createServer((req, res) => { void serveAwsJson(req, res, operations); });
  const listening = await listenLocal(server, options.port ?? 0);
  return { url: listening.url, control: store, stop: listening.stop };
}
