import type { Command } from 'commander';
import { addDeployRequestOptions } from '../deploy-request-options';
import type { Readable } from 'node:stream';
import { operatorImageBuilt } from '../../shared/events/operator';
import type { DeploymentRecord, EnvironmentRecord } from '../../shared/ledger';
import type { AwsClients, AwsOptions } from '../aws-clients';
import { checkEnvName, createAwsClients } from '../aws-clients';
import type { DeployRequestOptions } from '../deploy-request';
import { requestDeployment, resolveDeployRequest } from '../deploy-request';
import { EnvironmentLookup } from '../environment';
import type { CliIo } from '../output';
import { CliError, ExitCode, printJson } from '../output';
import { formatIssue } from '../report';
import { copyPromotedImage, promotedImage } from './promote-image';
import { checkedBundle, printWarnings } from './upload';
import type { ValidationFlags } from '../validation-options';
import { addValidationFlags } from '../validation-options';
import { environmentValidation, environmentValidationHelp } from '../environment-validation';
import type { ValidateConfigOptions } from '../../shared/wicked-config';

interface PromoteOptions extends AwsOptions, DeployRequestOptions, ValidationFlags {
  readonly from: string;
  readonly to: string;
  readonly nodeEnv?: string;
  /** The target environment's ledger table, when each stack has its own. @default the --table */
  readonly toTable?: string;
}

/**
 * The deployment a promotion copies, purely: the last good deployment of the
 * source environment (what runs there), with its S3 object.
 *
 * @throws CliError when the environments are the same, or the source has no
 *   good deployment or no record of it.
 * @example
 * promotionSource('dev', 'prod', devEnvironment, devRecords).digest
 */
export function promotionSource(from: string, to: string, environment: EnvironmentRecord | undefined, records: readonly DeploymentRecord[]): DeploymentRecord {
  if (from === to) throw new CliError(`--from and --to: received ${from} twice, expected two different environments`, ExitCode.InvalidInput);
  const good = environment?.lastGood;
  if (!good) throw new CliError(`nothing to promote: no deployment of ${from} ever succeeded`, ExitCode.Failure);
  const record = records.find((r) => r.deploymentId === good.deploymentId);
  if (!record) throw new CliError(`the ledger names ${good.deploymentId} as the last good deployment of ${from} but holds no record of it: cannot find its configuration archive`, ExitCode.Failure);
  return record;
}

/** Registers `wickedctl promote`. */
export function registerPromote(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addValidationFlags(addDeployRequestOptions(program
    .command('promote')
    .description("Deploy the exact image running in one environment to another, after checking that portal-api would start with its configuration there; no rebuild")
    .requiredOption('--from <env>', 'source environment (for example dev)')
    .requiredOption('--to <env>', 'target environment (for example prod)')
    .option('--node-env <name>', "wicked's NODE_ENV to validate for in --to; overrides /wicked/<to>/node-env, the target stack's nodeEnv prop (without the parameter: the --to name)")
    .option('--to-table <name>', "the target environment's ledger table when it is not --table (one stack per environment)")))
    .addHelpText('after', `\n${environmentValidationHelp('--to')}\n\nExit status: 0 requested (or deployed/unchanged with --follow), 2 invalid input or portal-api would refuse the configuration in --to, 1 other failure.`)
    .action(async (options: PromoteOptions) => {
      setExit(await runPromote(options, io));
    });
}

/** Runs `promote`; resolves the exit code. */
export async function runPromote(options: PromoteOptions, io: CliIo, clock: () => number = Date.now): Promise<number> {
  const from = checkEnvName('--from', options.from);
  const to = checkEnvName('--to', options.to);
  if (from === to) throw new CliError(`--from and --to: received ${from} twice, expected two different environments`, ExitCode.InvalidInput);
  const clients = createAwsClients(options);
  try {
    const lookup = new EnvironmentLookup(clients);
    const request = await resolveDeployRequest(options, lookup, from);
    const { Ledger } = await import('../../shared/ledger/ledger');
    const ledger = new Ledger({ client: await clients.dynamo(), tableName: request.table });
    // One stack per environment: the target's ledger is its own, unless --to-table or --table names it.
    const toTable = await lookup.name('table', options.toTable ?? options.table, to);
    const targetLedger = toTable === request.table ? ledger : new Ledger({ client: await clients.dynamo(), tableName: toTable });
    const [source, records, target] = await Promise.all([ledger.getEnvironment(from), ledger.listDeployments(from), targetLedger.getEnvironment(to)]);
    const record = promotionSource(from, to, source, records);
    const { nodeEnv, validation } = await environmentValidation(lookup, to, '--to', options, (line) => io.stderr.write(`${line}\n`));
    const problems = await checkResolves(record, nodeEnv, clients, io, validation);
    if (problems > 0) {
      if (options.json) printJson(io, { outcome: 'rejected', env: to, configHash: record.configHash, digest: record.digest, deploymentId: null, reason: `${problems} error(s) for ${to}` });
      throw new CliError(`${record.digest} (config ${record.configHash}) cannot run in ${to}: portal-api would refuse it (${problems} error(s)); nothing was deployed`, ExitCode.InvalidInput);
    }
    // The exact digest, in the target environment's own repository, before the target is touched.
    const image = promotedImage(record.imageUri, from, to);
    await copyPromotedImage(image, clients, io);
    const detail = { ...operatorImageBuilt(to, { ...record, imageUri: image.imageUri }, target?.sequencers[record.key], clock()), promotedFrom: from };
    return await requestDeployment({ ...request, table: toTable, env: to, detail, clients, io, clock }, `promotion of ${record.digest} (config ${record.configHash}) from ${from} to ${to}`);
  } finally {
    clients.destroy();
  }
}

/**
 * Re-reads the exact S3 object version the source deployment was built from
 * and validates it for the target environment; prints the issues, resolves
 * their count.
 */
async function checkResolves(record: DeploymentRecord, env: string, clients: AwsClients, io: CliIo, validation: Omit<ValidateConfigOptions, 'envs'>): Promise<number> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const where = `s3://${record.bucket}/${record.key}${record.versionId ? `@${record.versionId}` : ''}`;
  const object = await (await clients.s3()).send(new GetObjectCommand({ Bucket: record.bucket, Key: record.key, ...(record.versionId ? { VersionId: record.versionId } : {}) }))
    .catch((error: unknown) => { throw new CliError(`reading the configuration of ${record.deploymentId} from ${where}: ${(error as Error).message}`, ExitCode.Failure, { cause: error }); });
  const { bundle, report } = await checkedBundle({ stream: object.Body as Readable, name: record.key }, [env], io, validation);
  if (report.valid) {
    await bundle.close();
    printWarnings(io, report);
    if (report.configHash !== record.configHash) {
      throw new CliError(`${where} hashes to ${report.configHash}, but the ledger recorded ${record.configHash} for ${record.deploymentId}: refusing to promote`, ExitCode.Failure);
    }
    return 0;
  }
  io.stderr.write(`${report.issues.map(formatIssue).join('\n')}\n`);
  return Math.max(1, report.errorCount ?? report.issues.length);
}
