import type { Command } from 'commander';
import { addDeployRequestOptions } from '../deploy-request-options';
import { operatorImageBuilt } from '../../shared/events/operator';
import type { DeploymentRecord, EnvironmentRecord } from '../../shared/ledger';
import type { AwsOptions } from '../aws-clients';
import { checkEnvName, createAwsClients } from '../aws-clients';
import type { DeployRequestOptions } from '../deploy-request';
import { requestDeployment, resolveDeployRequest } from '../deploy-request';
import { EnvironmentLookup } from '../environment';
import type { CliIo } from '../output';
import { CliError, ExitCode } from '../output';

interface RollbackOptions extends AwsOptions, DeployRequestOptions {
  readonly env: string;
  readonly to?: string;
  readonly timeout: string;
  readonly json?: boolean;
}

/**
 * The deployment a rollback returns to, purely: with `to`, the newest
 * succeeded deployment of that config hash (or a unique prefix of it);
 * without, the newest succeeded deployment whose image differs from the last
 * good one (the release already points at the last good image after a
 * failure, so "back" means the one before it).
 *
 * @throws CliError (exit 1) when there is no such deployment, naming the candidates.
 * @example
 * chooseRollbackTarget(environment, records).digest // the image before the current one
 */
export function chooseRollbackTarget(environment: EnvironmentRecord | undefined, records: readonly DeploymentRecord[], to?: string): DeploymentRecord {
  // A restart re-ran a service on the image it had: never a place to roll back to.
  const good = records.filter((r) => r.state === 'succeeded' && r.kind !== 'restart').sort((a, b) => (b.finishedAt ?? b.updatedAt).localeCompare(a.finishedAt ?? a.updatedAt));
  const current = environment?.lastGood?.digest;
  const known = [...new Set(good.map((r) => r.configHash))];
  if (to !== undefined) {
    const hashes = known.filter((hash) => hash === to || hash.startsWith(to));
    if (hashes.length > 1) throw new CliError(`--to ${to}: matches ${hashes.length} configurations (${hashes.join(', ')}); give more characters`, ExitCode.InvalidInput);
    const match = good.find((r) => r.configHash === hashes[0]);
    if (!match) throw new CliError(`--to ${to}: no succeeded deployment of that configuration hash; expected one of ${known.join(', ') || '(none)'}`, ExitCode.Failure);
    return match;
  }
  const previous = good.find((r) => r.digest !== current);
  if (!previous) throw new CliError(`nothing to roll back to: ${good.length === 0 ? 'no deployment ever succeeded' : `every succeeded deployment ran ${current}`} in this environment`, ExitCode.Failure);
  return previous;
}

/** Registers `wickedctl rollback`. */
export function registerRollback(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addDeployRequestOptions(program
    .command('rollback')
    .description('Deploy an earlier image again (the one before the last good, or --to a config hash) through the same ledger and tracking as a build')
    .requiredOption('--env <name>', 'environment')
    .option('--to <configHash>', 'configuration hash (or a unique prefix) of the deployment to return to'))
    .addHelpText('after', '\nExit status: 0 requested (or deployed/unchanged with --follow), 2 invalid input, 1 nothing to roll back to or failed.')
    .action(async (options: RollbackOptions) => {
      setExit(await runRollback(options, io));
    });
}

/** Runs `rollback`; resolves the exit code. */
export async function runRollback(options: RollbackOptions, io: CliIo, clock: () => number = Date.now): Promise<number> {
  const env = checkEnvName('--env', options.env);
  const clients = createAwsClients(options);
  try {
    const request = await resolveDeployRequest(options, new EnvironmentLookup(clients), env);
    const { Ledger } = await import('../../shared/ledger/ledger');
    const ledger = new Ledger({ client: await clients.dynamo(), tableName: request.table });
    const [environment, records] = await Promise.all([ledger.getEnvironment(env), ledger.listDeployments(env)]);
    const target = chooseRollbackTarget(environment, records, options.to);
    const detail = operatorImageBuilt(env, target, environment?.sequencers[target.key], clock());
    return await requestDeployment({ ...request, env, detail, clients, io, clock }, `rollback of ${env} to ${target.digest} (config ${target.configHash}, deployment ${target.deploymentId})`);
  } finally {
    clients.destroy();
  }
}
