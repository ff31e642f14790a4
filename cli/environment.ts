import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
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
  /**
   * STS, asked (GetCallerIdentity) only when an environment is not found and
   * nothing else names the account; never built on the normal path.
   * @default none: the message then says "the account of the current credentials"
   */
  sts?(): Promise<STSClient>;
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
  private readonly cache = new Map<string, Promise<Loaded>>();

  constructor(private readonly source: ParameterSource, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** Every parameter of `envName` that is set (missing ones are absent); throws when there is none at all. */
  async parameters(envName: string): Promise<Partial<EnvironmentParameters>> {
    const loaded = await this.loaded(envName);
    if ('absent' in loaded) throw await this.environmentNotFound(loaded.absent);
    return loaded.found;
  }

  /** Like {@link parameters}, but `undefined` for an environment without parameters (no error built, no STS call). */
  async find(envName: string): Promise<Partial<EnvironmentParameters> | undefined> {
    const loaded = await this.loaded(envName);
    return 'absent' in loaded ? undefined : loaded.found;
  }

  /** A name from its flag, else its `WICKED_*` variable, else the environment's parameter; a clear error when none has it. */
  async name(kind: NameKind, flag: string | undefined, envName: string): Promise<string> {
    const source = NAME_SOURCES[kind];
    const override = flag ?? this.env[source.variable];
    if (override) return override;
    const loaded = await this.loaded(envName);
    if ('absent' in loaded) {
      // Every stack of the control plane uses the account's default bus: an environment without parameters keeps it
      // (decided before the error message is built, so this path never asks STS for the account).
      if (kind === 'bus') return 'default';
      const error = await this.environmentNotFound(loaded.absent);
      throw new EnvironmentNotFoundError(`${error.message}; or name it with ${source.flag} NAME or ${source.variable}`);
    }
    const value = loaded.found[source.parameter];
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

  private loaded(envName: string): Promise<Loaded> {
    let cached = this.cache.get(envName);
    if (!cached) {
      cached = this.load(envName);
      this.cache.set(envName, cached);
    }
    return cached;
  }

  private async load(envName: string): Promise<Loaded> {
    const path = parameterPath(envName);
    const client = await this.source.ssm();
    let found: FoundParameter[];
    try {
      found = await readParameters(client, path);
    } catch (error) {
      throw new CliError(`reading environment ${envName} from SSM parameters ${path} in ${await where(client, this.env)}: ${(error as Error).message}; expected a reachable SSM endpoint and credentials that may call ssm:GetParametersByPath there`, ExitCode.Failure, { cause: error });
    }
    const read = readEnvironmentParameters(envName, found);
    if (Object.keys(read.found).length > 0) return { found: read.found };
    // One more read on the error path: which environments this account and region do have (their ARNs also name the account).
    const others = await readParameters(client, PARAMETER_ROOT).catch(() => []);
    const account = /^arn:[^:]+:ssm:[^:]*:(\d{12}):/.exec(others.find((p) => p.ARN)?.ARN ?? '')?.[1];
    return { absent: { envName, names: environmentNames(others), ...(account ? { account } : {}) } };
  }

  /** The not-found error; asks STS for the account only when nothing else names it. */
  private async environmentNotFound(absent: Absent): Promise<EnvironmentNotFoundError> {
    const { envName, names, account } = absent;
    const path = parameterPath(envName);
    const here = names.length > 0 ? `environments here: ${names.join(', ')}` : 'no environment under /wicked/ here at all';
    const sts = this.source.sts?.bind(this.source);
    const location = await where(await this.source.ssm(), this.env, { ...(account ? { account } : {}), ...(sts ? { sts } : {}) });
    return new EnvironmentNotFoundError(`environment ${envName} not found: no SSM parameters under ${path} in ${location} (${here}); deploy its stack first (npx cdk deploy wicked-${envName}), check AWS_REGION / AWS_PROFILE, or for the local emulator run \`wickedctl local up --env ${envName}\` and export the lines it prints`);
  }

  private async notFound(envName: string, what: string): Promise<CliError> {
    return new CliError(`environment ${envName} (${parameterPath(envName)} in ${await where(await this.source.ssm(), this.env)}): ${what}`, ExitCode.Failure);
  }
}

/** What {@link where} may use to name the account besides the SSM client. */
export interface WhereHints {
  /** The account, when the caller already knows it (from a parameter's ARN). */
  readonly account?: string;
  /** Asked last, only when neither the hint, the credentials nor `AWS_ACCOUNT_ID` name the account. */
  readonly sts?: () => Promise<STSClient>;
}

/**
 * "account 123456789012, region eu-west-1": the account from the hint, the
 * credentials, `AWS_ACCOUNT_ID`, then (with `hints.sts`) one STS
 * GetCallerIdentity; a failing STS call leaves "the account of the current credentials".
 */
export async function where(client: SSMClient, env: NodeJS.ProcessEnv = process.env, hints: WhereHints = {}): Promise<string> {
  let region = 'an unknown region';
  let account: string | undefined = hints.account || undefined;
  try {
    region = `region ${await client.config.region()}`;
  } catch {
    // No region configured: the SDK's own error says so when the call is made.
  }
  try {
    account ||= (await client.config.credentials()).accountId;
  } catch {
    // No credentials: the account stays unknown (STS would refuse as well).
  }
  account ||= env.AWS_ACCOUNT_ID;
  if (!account && hints.sts) account = await callerAccount(hints.sts);
  return `${account ? `account ${account}` : 'the account of the current credentials'}, ${region}`;
}

/**
 * The account of the current credentials, from STS GetCallerIdentity
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html:
 * needs no permission). `undefined` when STS cannot answer (no credentials, no
 * network): it only decorates another error, which must not be replaced.
 *
 * @example
 * await callerAccount(clients.sts) // '123456789012'
 */
export async function callerAccount(sts: () => Promise<STSClient>): Promise<string | undefined> {
  try {
    const client = await sts();
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const { Account } = await client.send(new GetCallerIdentityCommand({}));
    return Account && /^\d{12}$/.test(Account) ? Account : undefined;
  } catch {
    return undefined;
  }
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

/** An environment's parameters, or what the not-found message needs when it has none. */
type Loaded = { readonly found: Partial<EnvironmentParameters> } | { readonly absent: Absent };

/** An environment without any parameter: the environments that do exist here, and the account their ARNs name. */
interface Absent { readonly envName: string; readonly names: readonly string[]; readonly account?: string }

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
