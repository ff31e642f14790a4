import { DetailType } from '../shared/events';
import type { ImageBuiltDetail } from '../shared/events';
import { deploymentIdFor } from '../shared/ledger/request';
import type { AwsClients } from './aws-clients';
import { resourceName } from './aws-clients';
import type { CliIo } from './output';
import { ExitCode } from './output';
import type { OutcomeLine } from './commands/upload';
import { followDeployment, outcomeExitCode, parseSeconds, printOutcome } from './commands/upload';

/** The options every command that requests a deployment shares (see `addDeployRequestOptions`). */
export interface DeployRequestOptions {
  readonly table?: string;
  readonly bus?: string;
  readonly follow?: boolean;
  readonly timeout: string;
  readonly json?: boolean;
}

/** Where a requested deployment goes and how it is followed, resolved from the shared options. */
export interface ResolvedDeployRequest {
  readonly table: string;
  readonly bus: string;
  readonly timeoutMs: number;
  readonly follow?: boolean;
  readonly json?: boolean;
}

/**
 * Resolves the shared options once, before anything is read: the ledger
 * table and bus (flag or environment) and the follow timeout.
 *
 * @throws CliError (exit 2) for a missing table or a bad timeout.
 * @example
 * resolveDeployRequest({ table: 't', timeout: '900' }) // { table: 't', bus: 'default', timeoutMs: 900000, ... }
 */
export function resolveDeployRequest(options: DeployRequestOptions): ResolvedDeployRequest {
  return { table: resourceName('table', options.table), bus: resourceName('bus', options.bus), timeoutMs: parseSeconds('--timeout', options.timeout), follow: options.follow, json: options.json };
}

/** What {@link requestDeployment} needs. */
export interface DeploymentRequestContext extends ResolvedDeployRequest {
  readonly env: string;
  readonly detail: ImageBuiltDetail;
  readonly clients: AwsClients;
  readonly io: CliIo;
  readonly clock: () => number;
}

/**
 * Puts a `Portal Image Built` on the bus, as build-image would, and with
 * `follow` waits for the outcome in the ledger; prints the outcome line:
 * the tail rollback and promote share.
 *
 * @example
 * return requestDeployment({ ...resolveDeployRequest(options), env, detail, clients, io, clock }, `rollback of ${env}`);
 */
export async function requestDeployment(context: DeploymentRequestContext, what: string): Promise<number> {
  const { EventPublisher } = await import('../shared/adapters/event-publisher');
  const publisher = new EventPublisher({ busName: context.bus, client: await context.clients.events() });
  const eventId = await publisher.publish(DetailType.ImageBuilt, context.detail);
  const deploymentId = deploymentIdFor(context.detail);
  context.io.stderr.write(`[requested] ${what}: event ${eventId}, deployment ${deploymentId}\n`);
  const line: OutcomeLine = context.follow
    ? await followDeployment({ ...context }, (records) => records.find((r) => r.deploymentId === deploymentId), context.detail.configHash)
    : { outcome: 'pending', env: context.env, configHash: context.detail.configHash, digest: context.detail.digest, deploymentId, reason: `${what} requested; not followed (use --follow or wickedctl status)` };
  printOutcome(context.io, line, context.json);
  return context.follow ? outcomeExitCode(line.outcome) : ExitCode.Ok;
}
