/**
 * The SSM parameters every environment's stack writes under
 * `/wicked/<env>/` and `wickedctl` reads with one GetParametersByPath: the
 * contract between `infra/` (and the local emulator's provisioning) and `cli/`.
 */

/** The root all environments share: `/wicked/`. */
export const PARAMETER_ROOT = '/wicked';

/** The key (last path segment) of each parameter, by what it names. */
export const PARAMETER_KEYS = {
  configBucket: 'config-bucket',
  ledgerTable: 'ledger-table',
  eventBus: 'event-bus',
  cluster: 'cluster',
  /** StringList: the ECS service names of the environment (singletons, Redis when there is one, then gateways). */
  services: 'services',
  /** The portal-api repository URI (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`). */
  repository: 'repository',
  backupVault: 'backup-vault',
  notificationTopic: 'notification-topic',
  /** wicked's NODE_ENV in the environment's task definitions (the stack's `nodeEnv` prop). */
  nodeEnv: 'node-env',
  /**
   * StringList: the variable names the portal-api task definition sets (the
   * platform's, the Postgres ones with a database, `portalApiEnvironment` and
   * `portalApiSecrets`): the list build-image validates with.
   */
  platformVariables: 'platform-variables',
  /** `true` or `false`: whether validation warnings reject an upload (the stack's `strictValidation` prop). */
  strictValidation: 'strict-validation',
} as const;

/** What an environment's parameters name. */
export type EnvironmentParameterName = keyof typeof PARAMETER_KEYS;

/** The parameters written as StringList (comma-joined); the others are String. */
export const LIST_PARAMETERS = ['services', 'platformVariables'] as const satisfies readonly EnvironmentParameterName[];

type ListParameterName = (typeof LIST_PARAMETERS)[number];

/** The resolved parameters of one environment. */
export type EnvironmentParameters = { readonly [K in Exclude<EnvironmentParameterName, ListParameterName>]: string } & { readonly [K in ListParameterName]: readonly string[] };

function isList(key: EnvironmentParameterName): key is ListParameterName {
  return (LIST_PARAMETERS as readonly string[]).includes(key);
}

const ENV_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * The parameter path of one environment, with its trailing slash.
 *
 * @example
 * parameterPath('dev') // '/wicked/dev/'
 */
export function parameterPath(env: string): string {
  if (!ENV_NAME.test(env)) throw new RangeError(`environment name: received ${JSON.stringify(env)}, expected a lowercase name such as dev or prod`);
  return `${PARAMETER_ROOT}/${env}/`;
}

/**
 * The full name of one parameter.
 *
 * @example
 * parameterName('dev', 'configBucket') // '/wicked/dev/config-bucket'
 */
export function parameterName(env: string, name: EnvironmentParameterName): string {
  return `${parameterPath(env)}${PARAMETER_KEYS[name]}`;
}

/** What {@link readEnvironmentParameters} returns: the values found and the keys that are missing. */
export interface ReadParameters {
  readonly found: Partial<EnvironmentParameters>;
  readonly missing: readonly EnvironmentParameterName[];
}

/**
 * Maps the `{ Name, Value }` pairs of a GetParametersByPath answer to the
 * environment's parameters, purely; unknown names under the path are ignored
 * (a newer stack may write more than this CLI knows).
 *
 * @example
 * readEnvironmentParameters('dev', [{ Name: '/wicked/dev/cluster', Value: 'wicked-dev' }]).found.cluster // 'wicked-dev'
 */
export function readEnvironmentParameters(env: string, parameters: readonly { readonly Name?: string; readonly Value?: string }[]): ReadParameters {
  const byName = new Map(parameters.map((p) => [p.Name, p.Value]));
  const found: Record<string, string | readonly string[]> = {};
  const missing: EnvironmentParameterName[] = [];
  for (const key of Object.keys(PARAMETER_KEYS) as EnvironmentParameterName[]) {
    const value = byName.get(parameterName(env, key));
    if (value === undefined || value === '') missing.push(key);
    else found[key] = isList(key) ? value.split(',').filter(Boolean) : value;
  }
  return { found: found as Partial<EnvironmentParameters>, missing };
}

/**
 * The environment names found under {@link PARAMETER_ROOT} in a recursive
 * GetParametersByPath answer, sorted.
 *
 * @example
 * environmentNames([{ Name: '/wicked/dev/cluster' }, { Name: '/wicked/prod/cluster' }]) // ['dev', 'prod']
 */
export function environmentNames(parameters: readonly { readonly Name?: string }[]): string[] {
  const names = new Set<string>();
  for (const p of parameters) {
    const match = /^\/wicked\/([a-z][a-z0-9-]{0,31})\/[^/]+$/.exec(p.Name ?? '');
    if (match) names.add(match[1]!);
  }
  return [...names].sort();
}

/** The `{ name, value, type }` list a stack or the emulator writes for one environment. */
export function environmentParameterEntries(env: string, values: EnvironmentParameters): { readonly name: string; readonly value: string; readonly type: 'String' | 'StringList' }[] {
  return (Object.keys(PARAMETER_KEYS) as EnvironmentParameterName[]).map((key) => {
    const value = values[key];
    return typeof value === 'string' ? { name: parameterName(env, key), value, type: 'String' as const } : { name: parameterName(env, key), value: value.join(','), type: 'StringList' as const };
  });
}
