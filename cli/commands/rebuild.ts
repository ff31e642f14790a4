import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { BASE_IMAGE_CHANGED, BaseImageChangedDetailSchema } from '../../shared/events/base-image';
import type { BaseImageChangedDetail } from '../../shared/events/base-image';
import type { DeploymentRecord, EnvironmentRecord } from '../../shared/ledger';
import type { AwsOptions } from '../aws-clients';
import { checkEnvName, createAwsClients } from '../aws-clients';
import type { DeployRequestOptions } from '../deploy-request';
import { resolveDeployRequest } from '../deploy-request';
import { EnvironmentLookup } from '../environment';
import { addDeployRequestOptions } from '../deploy-request-options';
import type { CliIo } from '../output';
import { CliError, ExitCode, printJson } from '../output';
import { followDeployment, outcomeExitCode, printOutcome } from './upload';

/** How far this machine's clock may be ahead of the functions' when picking the rebuild to follow. */
const CLOCK_SKEW_MS = 5 * 60_000;

interface RebuildOptions extends AwsOptions, DeployRequestOptions {
  readonly env: string;
  readonly base?: string;
}

/**
 * What a rebuild rebuilds, purely: the environment's last good deployment.
 *
 * @throws CliError (exit 1) when nothing was deployed yet (the next upload
 *   builds on the configured base anyway) or a deployment holds the environment.
 * @example
 * rebuildSource('dev', environment, Date.now()) // 'd-3f2a…'
 */
export function rebuildSource(env: string, environment: EnvironmentRecord | undefined, nowMs: number): string {
  const good = environment?.lastGood;
  if (!good) throw new CliError(`nothing to rebuild: no deployment of ${env} ever succeeded; the next upload builds on the configured base`, ExitCode.Failure);
  const inFlight = environment.inFlight;
  if (inFlight && inFlight.lease.expiresAt > nowMs) {
    throw new CliError(`deployment ${inFlight.request.deploymentId} of ${env} is ${inFlight.phase} (lease until ${new Date(inFlight.lease.expiresAt).toISOString()}): rebuild after it ends`, ExitCode.Failure);
  }
  return good.deploymentId;
}

/**
 * The detail of a rebuild request, checked against its schema (exit 2 on a
 * malformed `--base`).
 *
 * @example
 * rebuildDetail('dev', undefined, 'r-1') // { env: 'dev', requestedBy: 'operator', requestId: 'r-1' }
 */
export function rebuildDetail(env: string, base: string | undefined, requestId: string): BaseImageChangedDetail {
  const parsed = BaseImageChangedDetailSchema.safeParse({ env, requestedBy: 'operator', requestId, ...(base === undefined ? {} : { baseImage: base }) });
  if (!parsed.success) throw new CliError(`--base: received ${JSON.stringify(base)}, expected HOST/REPOSITORY:TAG or HOST/REPOSITORY@DIGEST`, ExitCode.InvalidInput);
  return parsed.data;
}

/**
 * The rebuild deployment of `of` that appeared (or, asked again on the same
 * base, was recorded again: its id and `receivedAt` stay) after `sinceIso`,
 * newest first.
 */
export function pickRebuild(records: readonly DeploymentRecord[], of: string, sinceIso: string): DeploymentRecord | undefined {
  return records.filter((r) => r.rebuildOf === of && (r.receivedAt >= sinceIso || r.updatedAt >= sinceIso)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
}

/** Registers `wickedctl rebuild`. */
export function registerRebuild(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addDeployRequestOptions(program
    .command('rebuild')
    .description('Rebuild the configuration an environment runs on its base image (or --base) and roll it, without uploading anything')
    .requiredOption('--env <name>', 'environment')
    .option('--base <ref>', 'base image HOST/REPOSITORY:TAG or @DIGEST (default: the base build-image is configured with)'))
    .addHelpText('after', `\nPuts "${BASE_IMAGE_CHANGED}" on the bus, as cdk deploy does when the wicked version changes.\nExit status: 0 requested (or deployed with --follow), 2 invalid input, 1 nothing to rebuild, not allowed now or failed.`)
    .action(async (options: RebuildOptions) => {
      setExit(await runRebuild(options, io));
    });
}

/** Runs `rebuild`; resolves the exit code. */
export async function runRebuild(options: RebuildOptions, io: CliIo, clock: () => number = Date.now): Promise<number> {
  const env = checkEnvName('--env', options.env);
  const detail = rebuildDetail(env, options.base, randomUUID());
  const clients = createAwsClients(options);
  try {
    const { table, bus, timeoutMs } = await resolveDeployRequest(options, new EnvironmentLookup(clients), env);
    const { Ledger } = await import('../../shared/ledger/ledger');
    const ledger = new Ledger({ client: await clients.dynamo(), tableName: table });
    const of = rebuildSource(env, await ledger.getEnvironment(env), clock());
    // The ledger stamps receivedAt with the function's clock: allow for skew with this machine's.
    const since = new Date(clock() - CLOCK_SKEW_MS).toISOString();
    const { EventPublisher } = await import('../../shared/adapters/event-publisher');
    const eventId = await new EventPublisher({ busName: bus, client: await clients.events() }).publish(BASE_IMAGE_CHANGED, detail);
    const what = `rebuild of ${of} in ${env} on ${detail.baseImage ?? 'the configured base'}`;
    io.stderr.write(`[requested] ${what}: event ${eventId}, request ${detail.requestId}\n`);
    if (!options.follow) {
      if (options.json) printJson(io, { requested: 'rebuild', env, rebuildOf: of, baseImage: detail.baseImage ?? null, requestId: detail.requestId, eventId });
      return ExitCode.Ok;
    }
    // A base that is already running builds the same digest: the ledger records that rebuild as unchanged.
    const line = await followDeployment({ env, table, clients, timeoutMs, io, clock }, (records) => pickRebuild(records, of, since), null);
    printOutcome(io, line, options.json);
    return outcomeExitCode(line.outcome);
  } finally {
    clients.destroy();
  }
}
