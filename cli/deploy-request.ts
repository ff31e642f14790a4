import { DetailType } from '../shared/events';
import type { ImageBuiltDetail } from '../shared/events';
import { deploymentIdFor } from '../shared/ledger/request';
import type { AwsClients } from './aws-clients';
import type { EnvironmentLookup } from './environment';
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
 * table and bus (flag, `WICKED_*` variable, else `/wicked/<env>/`) and the follow timeout.
 *
 * @throws CliError (exit 2) for a bad timeout; (exit 1) when the environment cannot be found.
 * @example
 * await resolveDeployRequest({ table: 't', timeout: '900' }, lookup, 'dev') // { table: 't', bus: 'default', timeoutMs: 900000, ... }
 */
export async function resolveDeployRequest(options: DeployRequestOptions, lookup: EnvironmentLookup, env: string): Promise<ResolvedDeployRequest> {
  const timeoutMs = parseSeconds('--timeout', options.timeout);
  return { table: await lookup.name('table', options.table, env), bus: await lookup.name('bus', options.bus, env), timeoutMs, follow: options.follow, json: options.json };
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
