import type { EnvironmentParameters } from '../shared/environment';
import { parameterName, parameterPath } from '../shared/environment';
import type { ValidateConfigOptions } from '../shared/wicked-config';
import type { EnvironmentLookup } from './environment';
import { CliError, ExitCode } from './output';
import type { ValidationFlags } from './validation-options';
import { validationOptions } from './validation-options';

/** The flags of upload and promote that set what a configuration is validated with. */
export interface EnvironmentValidationFlags extends ValidationFlags {
  readonly nodeEnv?: string;
}

/** What {@link decideEnvironmentValidation} decides: the validator's settings, and what to tell the operator. */
export interface EnvironmentValidation {
  /** wicked's NODE_ENV to validate for. */
  readonly nodeEnv: string;
  /** Where NODE_ENV came from (parameter path or flag), named in the missing-env-file error. */
  readonly nodeEnvSetting: string;
  readonly platformVariables: readonly string[];
  readonly strict: boolean;
  /** One line naming the defaults used because the environment's parameters are absent; undefined when none was. */
  readonly defaults?: string;
  /** One line per flag that overrides a parameter with another value. */
  readonly notes: readonly string[];
}

/** What {@link decideEnvironmentValidation} reads. */
export interface EnvironmentValidationInput {
  /** The platform environment validated for (`--env` of upload, `--to` of promote). */
  readonly env: string;
  /** The flag that named it, for messages. */
  readonly envFlag: '--env' | '--to';
  readonly flags: EnvironmentValidationFlags;
  /** The variables the flags declare (the platform's, `--postgres`, `--var`, `--vars-file`). */
  readonly flagVariables: readonly string[];
  /** The environment's parameters; undefined when it has none at all. */
  readonly found: Partial<EnvironmentParameters> | undefined;
}

const FLAG_VARIABLES = '--postgres/--var/--vars-file';

/**
 * Decides, purely, what a configuration is validated with for a platform
 * environment: each setting from its flag when given, else from the
 * environment's parameter (what the stack gives its task definitions and
 * build-image), else today's default (NODE_ENV = the environment's name,
 * the platform's own variables, warnings not fatal), named in one line.
 *
 * @throws CliError (exit 1) when `strict-validation` is neither true nor false
 * @example
 * decideEnvironmentValidation({ env: 'prod', envFlag: '--env', flags: {}, flagVariables: ['NODE_ENV', 'PORTAL_CONFIG_KEY'],
 *   found: { nodeEnv: 'k8s', platformVariables: ['NODE_ENV', 'PORTAL_CONFIG_KEY'], strictValidation: 'false' } }).nodeEnv // 'k8s'
 */
export function decideEnvironmentValidation(input: EnvironmentValidationInput): EnvironmentValidation {
  const { env, envFlag, flags, found } = input;
  const name = (key: 'nodeEnv' | 'platformVariables' | 'strictValidation'): string => parameterName(env, key);
  const defaulted: string[] = [];
  const notes: string[] = [];

  let nodeEnv: string;
  let nodeEnvSetting: string;
  if (flags.nodeEnv !== undefined) {
    nodeEnv = flags.nodeEnv;
    nodeEnvSetting = '--node-env';
    if (found?.nodeEnv !== undefined && found.nodeEnv !== nodeEnv) notes.push(`note: --node-env ${nodeEnv} overrides parameter ${name('nodeEnv')} (${found.nodeEnv}), the NODE_ENV the task definitions set and build-image validates with`);
  } else if (found?.nodeEnv !== undefined) {
    nodeEnv = found.nodeEnv;
    nodeEnvSetting = `parameter ${name('nodeEnv')} (the nodeEnv prop of the ${env} stack)`;
  } else {
    nodeEnv = env;
    nodeEnvSetting = `--node-env (default: the ${envFlag} name; no parameter ${name('nodeEnv')})`;
    defaulted.push(`NODE_ENV=${env} (the ${envFlag} name)`);
  }

  let platformVariables: readonly string[];
  const variableFlags = flags.postgres === true || (flags.var?.length ?? 0) > 0 || (flags.varsFile?.length ?? 0) > 0;
  if (variableFlags) {
    platformVariables = input.flagVariables;
    const stack = found?.platformVariables;
    if (stack !== undefined && !sameNames(stack, platformVariables)) notes.push(`note: ${FLAG_VARIABLES} replace parameter ${name('platformVariables')} (${stack.join(',')}), the variables the task definition sets and build-image validates with`);
  } else if (found?.platformVariables !== undefined) {
    platformVariables = found.platformVariables;
  } else {
    platformVariables = input.flagVariables;
    defaulted.push(`platform variables ${platformVariables.join(',')}`);
  }

  let strict: boolean;
  if (flags.strict === true) strict = true;
  else if (found?.strictValidation !== undefined) strict = parseStrict(found.strictValidation, name('strictValidation'));
  else {
    strict = false;
    defaulted.push('warnings not fatal');
  }

  return { nodeEnv, nodeEnvSetting, platformVariables, strict, notes, ...(defaulted.length > 0 ? { defaults: defaultsLine(env, found, defaulted) } : {}) };
}

function defaultsLine(env: string, found: Partial<EnvironmentParameters> | undefined, defaulted: readonly string[]): string {
  const missing = (['nodeEnv', 'platformVariables', 'strictValidation'] as const).filter((key) => found?.[key] === undefined).map((key) => parameterName(env, key));
  const why = found === undefined ? `no parameters under ${parameterPath(env)}` : `no ${missing.join(', ')} (a stack older than this wickedctl)`;
  return `wickedctl: ${why}: validating with the defaults ${defaulted.join(', ')}; --node-env, ${FLAG_VARIABLES} and --strict set them`;
}

function parseStrict(value: string, parameter: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new CliError(`parameter ${parameter}: received ${JSON.stringify(value)}, expected true or false; redeploy the stack`, ExitCode.Failure);
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/**
 * The validator's options and NODE_ENV for upload or promote: reads the
 * environment's parameters (cached by `lookup`) unless every setting has its
 * flag, decides with {@link decideEnvironmentValidation}, and prints its
 * defaults line and notes with `print`. An environment without parameters
 * keeps the defaults; any other failure to read them is thrown.
 */
export async function environmentValidation(
  lookup: EnvironmentLookup, env: string, envFlag: '--env' | '--to', flags: EnvironmentValidationFlags, print: (line: string) => void,
): Promise<{ nodeEnv: string; validation: Omit<ValidateConfigOptions, 'envs'> }> {
  const base = await validationOptions(flags);
  const allFlagged = flags.nodeEnv !== undefined && flags.strict === true && (flags.postgres === true || (flags.var?.length ?? 0) > 0 || (flags.varsFile?.length ?? 0) > 0);
  const found: Partial<EnvironmentParameters> | undefined = allFlagged ? undefined : await lookup.find(env);
  const decided = decideEnvironmentValidation({ env, envFlag, flags, flagVariables: base.platformVariables ?? [], found });
  for (const line of decided.notes) print(line);
  if (decided.defaults) print(decided.defaults);
  return {
    nodeEnv: decided.nodeEnv,
    validation: { ...base, platformVariables: [...decided.platformVariables], strict: decided.strict, nodeEnvSetting: decided.nodeEnvSetting },
  };
}

/**
 * The `--help` paragraph of upload and promote on where validation settings come from.
 *
 * @example
 * environmentValidationHelp('--to') // 'Validated as the --to environment runs it, from its parameters ...'
 */
export function environmentValidationHelp(envFlag: '--env' | '--to'): string {
  const path = `/wicked/<${envFlag.slice(2)}>/`;
  return [
    `Validated as the ${envFlag} environment runs it, from its parameters (what the stack`,
    'gives its task definitions and build-image):',
    `  NODE_ENV               ${path}node-env (the nodeEnv prop)`,
    `  container variables    ${path}platform-variables (NODE_ENV, PORTAL_CONFIG_KEY,`,
    '                         Postgres storage, portalApiEnvironment, portalApiSecrets)',
    `  warnings fatal         ${path}strict-validation (the strictValidation prop)`,
    `Explicit flags override them: --node-env sets NODE_ENV, ${FLAG_VARIABLES}`,
    'replace the variable list, --strict makes warnings fatal. Without the parameters',
    `(an older stack) the defaults are NODE_ENV = the ${envFlag} name, NODE_ENV and`,
    'PORTAL_CONFIG_KEY, warnings not fatal; one line on stderr names those used.',
  ].join('\n');
}
