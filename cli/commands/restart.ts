import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { OperatorDetailType, ServiceRestartRequestedDetailSchema } from '../../shared/events/operator';
import type { ServiceRestartRequestedDetail } from '../../shared/events/operator';
import type { EnvironmentRecord } from '../../shared/ledger';
import type { AwsOptions } from '../aws-clients';
import { checkEnvName, createAwsClients } from '../aws-clients';
import { EnvironmentLookup } from '../environment';
import type { CliIo } from '../output';
import { CliError, ExitCode, printJson, printLines } from '../output';

interface RestartOptions extends AwsOptions {
  readonly env: string;
  readonly service: string;
  readonly reason?: string;
  readonly table?: string;
  readonly bus?: string;
  readonly json?: boolean;
}

/**
 * Checks, purely, that a restart may be requested now: the environment is
 * managed (in the ledger) and no deployment is rolling, since a forced
 * deployment in the middle of a rollout would replace it.
 *
 * @throws CliError (exit 1) naming what blocks the restart.
 * @example
 * checkRestartAllowed('dev', environment, Date.now())
 */
export function checkRestartAllowed(env: string, environment: EnvironmentRecord | undefined, nowMs: number): void {
  if (!environment) throw new CliError(`environment ${env} is not in the ledger: the control plane has not deployed it yet, so it has nothing to restart`, ExitCode.Failure);
  const inFlight = environment.inFlight;
  if (inFlight && inFlight.lease.expiresAt > nowMs) {
    throw new CliError(`deployment ${inFlight.request.deploymentId} of ${env} is ${inFlight.phase} (lease until ${new Date(inFlight.lease.expiresAt).toISOString()}): restart after it ends`, ExitCode.Failure);
  }
}

/**
 * The detail of a restart request, checked against its schema (exit 2 on a
 * malformed service name).
 *
 * @example
 * restartDetail('dev', 'portal-kong-adapter', undefined, 'id-1', 0).service // 'portal-kong-adapter'
 */
export function restartDetail(env: string, service: string, reason: string | undefined, requestId: string, nowMs: number): ServiceRestartRequestedDetail {
  const parsed = ServiceRestartRequestedDetailSchema.safeParse({ env, service, requestId, requestedAt: new Date(nowMs).toISOString(), ...(reason ? { reason } : {}) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`--${String(issue.path[0])}: received ${JSON.stringify((issue.path[0] === 'service' ? service : reason) ?? '')}, expected ${issue.path[0] === 'service' ? 'an ECS service name (letters, digits, - and _)' : 'at most 1024 characters'}`, ExitCode.InvalidInput);
  }
  return parsed.data;
}

/** Registers `wickedctl restart`. */
export function registerRestart(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('restart')
    .description(`Request a forced new deployment of one service (for example portal-kong-adapter after Kong's database was recreated), recorded and tracked by the control plane`)
    .requiredOption('--env <name>', 'environment')
    .requiredOption('--service <name>', 'ECS service name, for example portal-kong-adapter')
    .option('--reason <text>', 'why, for the ledger and the notification')
    .option('--table <name>', 'ledger table (default: /wicked/<env>/ledger-table; or WICKED_LEDGER_TABLE)')
    .option('--bus <name>', 'event bus (default: /wicked/<env>/event-bus; or WICKED_EVENT_BUS)')
    .option('--json', 'print the request as one JSON object on the last line of stdout')
    .option('--endpoint <url>', 'one endpoint for every AWS service (default: AWS_ENDPOINT_URL_* or AWS)')
    .option('--region <region>', 'AWS region')
    .addHelpText('after', `\nPuts "${OperatorDetailType.ServiceRestartRequested}" on the bus.\nExit status: 0 requested, 2 invalid input, 1 not allowed now or failed.`)
    .action(async (options: RestartOptions) => {
      setExit(await runRestart(options, io));
    });
}

/** Runs `restart`; resolves the exit code. */
export async function runRestart(options: RestartOptions, io: CliIo, clock: () => number = Date.now): Promise<number> {
  const env = checkEnvName('--env', options.env);
  const detail = restartDetail(env, options.service, options.reason, randomUUID(), clock());
  const clients = createAwsClients(options);
  try {
    const lookup = new EnvironmentLookup(clients);
    const table = await lookup.name('table', options.table, env);
    const bus = await lookup.name('bus', options.bus, env);
    const { Ledger } = await import('../../shared/ledger/ledger');
    const ledger = new Ledger({ client: await clients.dynamo(), tableName: table });
    checkRestartAllowed(env, await ledger.getEnvironment(env), clock());
    const { EventPublisher } = await import('../../shared/adapters/event-publisher');
    const eventId = await new EventPublisher({ busName: bus, client: await clients.events() }).publish(OperatorDetailType.ServiceRestartRequested, detail);
    if (options.json) printJson(io, { requested: 'restart', env, service: detail.service, requestId: detail.requestId, eventId });
    else printLines(io, [`restart of ${detail.service} in ${env} requested: event ${eventId}, request ${detail.requestId}`]);
    return ExitCode.Ok;
  } finally {
    clients.destroy();
  }
}
