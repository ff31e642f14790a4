import type { SSMClient } from '@aws-sdk/client-ssm';
import type { EnvironmentParameterName, EnvironmentParameters } from '../shared/environment';
import { environmentNames, PARAMETER_KEYS, PARAMETER_ROOT, parameterName, parameterPath, readEnvironmentParameters } from '../shared/environment';
import { CliError, ExitCode } from './output';

/** No parameter at all under `/wicked/<env>/` (exit 1): the environment is not deployed here. */
export class EnvironmentNotFoundError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.Failure);
    this.name = 'EnvironmentNotFoundError';
  }
}

/** The names a command may need, the variable that overrides each, and the parameter it is read from. */
export const NAME_SOURCES = {
  bucket: { variable: 'WICKED_CONFIG_BUCKET', parameter: 'configBucket', flag: '--bucket' },
  table: { variable: 'WICKED_LEDGER_TABLE', parameter: 'ledgerTable', flag: '--table' },
  bus: { variable: 'WICKED_EVENT_BUS', parameter: 'eventBus', flag: '--bus' },
  cluster: { variable: 'WICKED_CLUSTER', parameter: 'cluster', flag: '--cluster' },
  vault: { variable: 'WICKED_BACKUP_VAULT', parameter: 'backupVault', flag: '--vault' },
} as const satisfies Record<string, { variable: string; parameter: EnvironmentParameterName; flag: string }>;

/** A name a command resolves from its flag, its variable or the environment's parameters. */
export type NameKind = keyof typeof NAME_SOURCES;

/** Where a run looks an environment up: a lazily built SSM client, and the account and region for messages. */
export interface ParameterSource {
  ssm(): Promise<SSMClient>;
}

/**
 * One CLI run's view of the environments' parameters: one recursive
 * GetParametersByPath per environment, cached for the run.
 *
 * @example
 * const lookup = new EnvironmentLookup(clients);
 * await lookup.name('table', options.table, 'dev'); // flag, then WICKED_LEDGER_TABLE, then /wicked/dev/ledger-table
 */
export class EnvironmentLookup {
  private readonly cache = new Map<string, Promise<Partial<EnvironmentParameters>>>();

  constructor(private readonly source: ParameterSource, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** Every parameter of `envName` that is set (missing ones are absent); throws when there is none at all. */
  parameters(envName: string): Promise<Partial<EnvironmentParameters>> {
    let cached = this.cache.get(envName);
    if (!cached) {
      cached = this.load(envName);
      this.cache.set(envName, cached);
    }
    return cached;
  }

  /** A name from its flag, else its `WICKED_*` variable, else the environment's parameter; a clear error when none has it. */
  async name(kind: NameKind, flag: string | undefined, envName: string): Promise<string> {
    const source = NAME_SOURCES[kind];
    const override = flag ?? this.env[source.variable];
    if (override) return override;
    let values: Partial<EnvironmentParameters>;
    try {
      values = await this.parameters(envName);
    } catch (error) {
      // Every stack of the control plane uses the account's default bus: an environment without parameters keeps it.
      if (kind === 'bus' && error instanceof EnvironmentNotFoundError) return 'default';
      if (error instanceof EnvironmentNotFoundError) throw new EnvironmentNotFoundError(`${error.message}; or name it with ${source.flag} NAME or ${source.variable}`);
      throw error;
    }
    const value = values[source.parameter];
    if (typeof value === 'string' && value !== '') return value;
    throw await this.notFound(envName, `parameter ${parameterName(envName, source.parameter)} is missing (the stack writes it; redeploy it), or pass ${source.flag} NAME or ${source.variable}`);
  }

  /** The environment's whole parameter set, naming the first missing parameter when the stack wrote only part of it. */
  async all(envName: string): Promise<EnvironmentParameters> {
    const values = await this.parameters(envName);
    const absent = (Object.keys(PARAMETER_KEYS) as EnvironmentParameterName[]).filter((key) => values[key] === undefined);
    if (absent.length > 0) throw await this.notFound(envName, `parameters ${absent.map((key) => parameterName(envName, key)).join(', ')} are missing; redeploy the stack`);
    return values as EnvironmentParameters;
  }

  private async load(envName: string): Promise<Partial<EnvironmentParameters>> {
    const path = parameterPath(envName);
    const client = await this.source.ssm();
    let found: FoundParameter[];
    try {
      found = await readParameters(client, path);
    } catch (error) {
      throw new CliError(`reading environment ${envName} from SSM parameters ${path} in ${await where(client, this.env)}: ${(error as Error).message}; expected a reachable SSM endpoint and credentials that may call ssm:GetParametersByPath there`, ExitCode.Failure, { cause: error });
    }
    const read = readEnvironmentParameters(envName, found);
    if (Object.keys(read.found).length === 0) {
      // One more read on the error path: which environments this account and region do have (their ARNs also name the account).
      const others = await readParameters(client, PARAMETER_ROOT).catch(() => []);
      const names = environmentNames(others);
      const account = /^arn:[^:]+:ssm:[^:]*:(\d{12}):/.exec(others.find((p) => p.ARN)?.ARN ?? '')?.[1];
      const here = names.length > 0 ? `environments here: ${names.join(', ')}` : 'no environment under /wicked/ here at all';
      throw new EnvironmentNotFoundError(`environment ${envName} not found: no SSM parameters under ${path} in ${await where(client, this.env, account)} (${here}); deploy its stack first (npx cdk deploy wicked-${envName}), check AWS_REGION / AWS_PROFILE, or for the local emulator run \`wickedctl local up --env ${envName}\` and export the lines it prints`);
    }
    return read.found;
  }

  private async notFound(envName: string, what: string): Promise<CliError> {
    return new CliError(`environment ${envName} (${parameterPath(envName)} in ${await where(await this.source.ssm(), this.env)}): ${what}`, ExitCode.Failure);
  }
}

/** "account 123456789012, region eu-west-1" as far as the client knows it without another call. */
export async function where(client: SSMClient, env: NodeJS.ProcessEnv = process.env, knownAccount?: string): Promise<string> {
  let region = 'an unknown region';
  let account: string | undefined = knownAccount ?? env.AWS_ACCOUNT_ID;
  try {
    region = `region ${await client.config.region()}`;
  } catch {
    // No region configured: the SDK's own error says so when the call is made.
  }
  try {
    account = knownAccount ?? (await client.config.credentials()).accountId ?? account;
  } catch {
    // No credentials: the account stays unknown.
  }
  return `${account ? `account ${account}` : 'the account of the current credentials'}, ${region}`;
}

/**
 * The environments that have parameters under `/wicked/` in this account
 * and region, sorted (one recursive GetParametersByPath, paged).
 */
export async function listEnvironmentNames(source: ParameterSource, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const client = await source.ssm();
  try {
    return environmentNames(await readParameters(client, PARAMETER_ROOT));
  } catch (error) {
    throw new CliError(`listing environments under SSM path ${PARAMETER_ROOT}/ in ${await where(client, env)}: ${(error as Error).message}; expected a reachable SSM endpoint and credentials that may call ssm:GetParametersByPath there`, ExitCode.Failure, { cause: error });
  }
}

/** A parameter as GetParametersByPath answers it (the fields this CLI reads). */
interface FoundParameter { readonly Name?: string; readonly Value?: string; readonly ARN?: string }

/** Every parameter under `path`, recursively, following NextToken. */
async function readParameters(client: SSMClient, path: string): Promise<FoundParameter[]> {
  const { GetParametersByPathCommand } = await import('@aws-sdk/client-ssm');
  const found: FoundParameter[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetParametersByPathCommand({ Path: path, Recursive: true, ...(nextToken ? { NextToken: nextToken } : {}) }));
    found.push(...(page.Parameters ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return found;
}
