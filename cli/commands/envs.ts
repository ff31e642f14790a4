import type { Command } from 'commander';
import type { EnvironmentRecord } from '../../shared/ledger';
import type { AwsOptions } from '../aws-clients';
import { createAwsClients } from '../aws-clients';
import { EnvironmentLookup, listEnvironmentNames } from '../environment';
import type { CliIo } from '../output';
import { ExitCode, printJson, printLines } from '../output';

interface EnvsOptions extends AwsOptions {
  readonly json?: boolean;
}

/** One row of `wickedctl envs`. */
export interface EnvironmentRow {
  readonly env: string;
  /** `never deployed`, `idle`, a rollout phase (`rolling`, `awaiting-snapshot`...), or `incomplete parameters` / `ledger unreadable`. */
  readonly state: string;
  /** Config hash and digest of what runs, or null. */
  readonly deployed: { readonly configHash: string; readonly digest: string; readonly at: string } | null;
  readonly cluster: string | null;
  readonly configBucket: string | null;
  /** Parameters the stack should have written and did not. */
  readonly missing: readonly string[];
}

/**
 * The row of one environment, purely, from its parameters and its ledger record.
 *
 * @example
 * environmentRow('dev', { cluster: 'wicked-dev' }, [], undefined).state // 'never deployed'
 */
export function environmentRow(env: string, values: { readonly cluster?: string; readonly configBucket?: string }, missing: readonly string[], record: EnvironmentRecord | undefined, ledgerError?: string): EnvironmentRow {
  const good = record?.lastGood;
  const state = ledgerError ? `ledger unreadable: ${ledgerError}` : record?.inFlight ? record.inFlight.phase : good ? 'idle' : 'never deployed';
  return {
    env, state: missing.length > 0 && !ledgerError ? `${state} (incomplete parameters)` : state,
    deployed: good ? { configHash: good.configHash, digest: good.digest, at: good.finishedAt } : null,
    cluster: values.cluster ?? null, configBucket: values.configBucket ?? null, missing,
  };
}

/** The table `envs` prints: one header and one line per environment, columns padded. */
export function environmentTable(rows: readonly EnvironmentRow[]): string[] {
  const cells = [['ENV', 'STATE', 'DEPLOYED', 'CLUSTER', 'CONFIG BUCKET'], ...rows.map((r) => [
    r.env, r.state, r.deployed ? `${r.deployed.configHash.slice(0, 12)} ${r.deployed.digest.slice(0, 19)}` : '-', r.cluster ?? '-', r.configBucket ?? '-',
  ])];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** Registers `wickedctl envs`. */
export function registerEnvs(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('envs')
    .description('List the environments found under the SSM path /wicked/ in this account and region, with their state from each ledger')
    .option('--json', 'print {"environments": [...]} as one JSON object on the last line of stdout')
    .option('--endpoint <url>', 'one endpoint for every AWS service (default: AWS_ENDPOINT_URL_* or AWS)')
    .option('--region <region>', 'AWS region')
    .addHelpText('after', '\nExit status: 0 listed (also when there is none), 1 the parameters cannot be read.')
    .action(async (options: EnvsOptions) => { setExit(await runEnvs(options, io)); });
}

/** Runs `envs`; resolves the exit code. */
export async function runEnvs(options: EnvsOptions, io: CliIo): Promise<number> {
  const clients = createAwsClients(options);
  try {
    const lookup = new EnvironmentLookup(clients);
    const { Ledger } = await import('../../shared/ledger/ledger');
    const { PARAMETER_KEYS, parameterName } = await import('../../shared/environment');
    const rows: EnvironmentRow[] = [];
    for (const env of await listEnvironmentNames(clients)) {
      const values = await lookup.parameters(env);
      const missing = (Object.keys(PARAMETER_KEYS) as (keyof typeof PARAMETER_KEYS)[]).filter((key) => values[key] === undefined).map((key) => parameterName(env, key));
      let record: EnvironmentRecord | undefined;
      let ledgerError: string | undefined;
      if (values.ledgerTable) {
        try {
          record = await new Ledger({ client: await clients.dynamo(), tableName: values.ledgerTable }).getEnvironment(env);
        } catch (error) {
          ledgerError = (error as Error).message;
        }
      }
      rows.push(environmentRow(env, values, missing, record, ledgerError));
    }
    if (options.json) printJson(io, { environments: rows });
    else printLines(io, rows.length > 0 ? environmentTable(rows) : ['no environment under /wicked/ here: deploy a stack (npx cdk deploy wicked-<env>) or run wickedctl local up']);
    return ExitCode.Ok;
  } finally {
    clients.destroy();
  }
}
