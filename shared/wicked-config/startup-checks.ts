import { posix } from 'node:path';
import { configKeyMatches } from './config-key';
import type { EnvVariables } from './env-files';
import { environmentNameOf, isPlainObject, kindOf } from './env-files';
import { OPAQUE, simulateProcessEnv } from './process-env';
import type { IssueDraft, JsonDocument } from './types';
import { IssueCode } from './types';
import { referencedVariables, REQUIRED_VARIABLES } from './variables';

/** Where portal-api reads its static configuration in the image (wicked `src/env/env-reader.js`, resolveStaticConfig). */
export const STATIC_CONFIG_PATH = '/var/portal-api/static';
/** Where the platform mounts portal-api's dynamic data (infra `dynamic-data.ts`). */
export const DEFAULT_DYNAMIC_DATA_PATH = '/var/portal-api/dynamic';

/** Input of {@link checkStartup}. */
export interface StartupCheckInput {
  readonly envFiles: ReadonlyMap<string, EnvVariables>;
  readonly environments: readonly string[];
  readonly platformVariables: readonly string[];
  readonly configKey?: string;
  readonly dynamicDataPath: string;
}

/**
 * What portal-api's start-up (wicked `src/api/bin/api`) tests of the
 * environment, per environment:
 * - the eight variables sanityCheckDir pre-fills and PORTAL_API_AESKEY must
 *   be defined (`bin/api` throws "PORTAL_API_AESKEY not set");
 * - PORTAL_API_AESKEY and PORTAL_API_DYNAMIC_CONFIG must not be empty (bin/api tests them for truthiness);
 * - PORTAL_API_STATIC_CONFIG must resolve to the folder portal-api resolved,
 *   `/var/portal-api/static` in the image (checkEnvironment throws
 *   "does not match the resolved configuration path", wicked `src/env/env-reader.js`);
 * - PORTAL_API_DYNAMIC_CONFIG must be on the platform's dynamic data mount
 *   (elsewhere, the dynamic data dies with the task);
 * - with the key at hand, every encrypted value must decrypt.
 * An empty value in `env/<env>.json` that portal-env replaces with
 * `env/default.json`'s is a warning: the file does not do what it says.
 */
export function checkStartup(input: StartupCheckInput): IssueDraft[] {
  return input.environments.flatMap((env) => checkEnvironment(env, input));
}

function checkEnvironment(env: string, input: StartupCheckInput): IssueDraft[] {
  const simulated = simulateProcessEnv({ envFiles: input.envFiles, env, platformVariables: input.platformVariables, ...(input.configKey === undefined ? {} : { configKey: input.configKey }) });
  const where = env === 'default' ? 'env/default.json' : `env/default.json or env/${env}.json`;
  const issues: IssueDraft[] = [];
  for (const name of REQUIRED_VARIABLES) {
    const value = simulated.get(name);
    if (value === undefined) {
      issues.push({ file: 'env/default.json', env, code: IssueCode.UnresolvedVariable, message: `portal-api requires variable ${name} in every environment, but it is not defined for "${env}": add it to ${where}` });
    } else if (value === '' && (name === 'PORTAL_API_AESKEY' || name === 'PORTAL_API_DYNAMIC_CONFIG')) {
      issues.push({ file: definingFile(input.envFiles, env, name), jsonPath: `$.${name}.value`, env, code: IssueCode.EmptyRequiredVariable, message: `${name} is empty for "${env}": portal-api refuses to start ("Environment variable ${name} not set"); give it a value in ${where}` });
    }
  }
  issues.push(...checkPaths(env, simulated.get, input));
  for (const { name, file } of simulated.undecryptable) {
    issues.push({ file, jsonPath: `$.${name}.value`, env, code: IssueCode.WrongConfigKey, message: `encrypted variable ${name} does not decrypt with the configuration key at hand (the plain text lacks the kickstarter's 40-digit random prefix): it was encrypted with another key` });
  }
  issues.push(...emptyFallbacks(env, input.envFiles));
  return issues;
}

function checkPaths(env: string, get: (name: string) => string | undefined, input: StartupCheckInput): IssueDraft[] {
  const issues: IssueDraft[] = [];
  const staticPath = get('PORTAL_API_STATIC_CONFIG');
  if (staticPath !== undefined && staticPath !== OPAQUE && staticPath !== STATIC_CONFIG_PATH) {
    issues.push({
      file: definingFile(input.envFiles, env, 'PORTAL_API_STATIC_CONFIG'),
      jsonPath: '$.PORTAL_API_STATIC_CONFIG.value',
      env,
      code: IssueCode.StaticConfigPath,
      message: `PORTAL_API_STATIC_CONFIG resolves to ${JSON.stringify(staticPath)} for "${env}"${origins(input.envFiles, env, 'PORTAL_API_STATIC_CONFIG')}, but the image holds the configuration at ${STATIC_CONFIG_PATH}: portal-env refuses to start ("does not match the resolved configuration path"); set it (or PORTAL_CONFIG_BASE) so that it resolves to ${STATIC_CONFIG_PATH}`,
    });
  }
  const dynamicPath = get('PORTAL_API_DYNAMIC_CONFIG');
  if (dynamicPath && dynamicPath !== OPAQUE && !isWithin(dynamicPath, input.dynamicDataPath)) {
    issues.push({
      file: definingFile(input.envFiles, env, 'PORTAL_API_DYNAMIC_CONFIG'),
      jsonPath: '$.PORTAL_API_DYNAMIC_CONFIG.value',
      env,
      code: IssueCode.DynamicConfigPath,
      message: `PORTAL_API_DYNAMIC_CONFIG resolves to ${JSON.stringify(dynamicPath)} for "${env}"${origins(input.envFiles, env, 'PORTAL_API_DYNAMIC_CONFIG')}, outside the platform's dynamic data mount ${input.dynamicDataPath}: the dynamic data would live in the task's own disk and be lost with it`,
    });
  }
  return issues;
}

function emptyFallbacks(env: string, envFiles: ReadonlyMap<string, EnvVariables>): IssueDraft[] {
  if (env === 'default') return [];
  const defaults = envFiles.get('default');
  const issues: IssueDraft[] = [];
  for (const [name, variable] of envFiles.get(env) ?? new Map()) {
    const fallback = defaults?.get(name);
    if (variable.value !== '' || !fallback || fallback.value === '') continue;
    issues.push({ file: `env/${env}.json`, jsonPath: `$.${name}.value`, env, code: IssueCode.EmptyVariable, message: `${name} is empty in env/${env}.json, so portal-env takes env/default.json's value instead (it only keeps non-empty values): remove the entry or give it a value` });
  }
  return issues;
}

/** Where the variables a path is made of come from: ` (via PORTAL_CONFIG_BASE of env/localhost.json)`. */
function origins(envFiles: ReadonlyMap<string, EnvVariables>, env: string, name: string): string {
  const file = definingFile(envFiles, env, name);
  const raw = envFiles.get(environmentNameOf(file) ?? 'default')?.get(name)?.value ?? '';
  const parts = referencedVariables(raw).map((used) => `${used} of ${definingFile(envFiles, env, used)}`);
  return parts.length > 0 ? ` (via ${parts.join(', ')})` : '';
}

function definingFile(envFiles: ReadonlyMap<string, EnvVariables>, env: string, name: string): string {
  return env !== 'default' && envFiles.get(env)?.get(name)?.value ? `env/${env}.json` : 'env/default.json';
}

function isWithin(path: string, root: string): boolean {
  const relative = posix.relative(root, path);
  return relative === '' || (!relative.startsWith('..') && !posix.isAbsolute(relative));
}

/**
 * Checks of the configuration's files that hold in every environment:
 * - `content/` must exist: portal-api lists it at start (content.setup,
 *   `fs.readdirSync`; wicked `src/api/routes/content.js`);
 * - every initial user needs an e-mail: addInitialUsers lower-cases it at
 *   start (wicked `src/api/routes/initializer.js`);
 * - with the key at hand, `configKeyCheck` must decrypt to the check string
 *   (wicked `src/env/src/config-updater.js`, verifyConfigKey).
 */
export function checkStaticFiles(files: ReadonlySet<string>, globals: JsonDocument | undefined, configKey: string | undefined): IssueDraft[] {
  const issues: IssueDraft[] = [];
  if (![...files].some((file) => file.startsWith('content/'))) {
    issues.push({ file: 'content/', code: IssueCode.MissingFile, message: 'the content/ folder is missing: portal-api lists it at start and crashes without it (add at least one page, such as content/index.md with content/index.json)' });
  }
  const root = globals && isPlainObject(globals.value) ? globals.value : undefined;
  if (Array.isArray(root?.initialUsers)) {
    root.initialUsers.forEach((user: unknown, index: number) => {
      if (isPlainObject(user) && typeof user.email === 'string') return;
      const received = isPlainObject(user) ? kindOf(user.email) : kindOf(user);
      issues.push({ file: 'globals.json', jsonPath: `$.initialUsers[${index}].email`, severity: 'error', code: IssueCode.InvalidShape, message: `initial user #${index}: expected an "email" string, received ${received}; portal-api lower-cases it when it creates the user at start and crashes` });
    });
  }
  if (configKey !== undefined && typeof root?.configKeyCheck === 'string' && !configKeyMatches(configKey, root.configKeyCheck)) {
    issues.push({ file: 'globals.json', jsonPath: '$.configKeyCheck', code: IssueCode.WrongConfigKey, message: 'configKeyCheck does not decrypt to the check string with the configuration key at hand: portal-api refuses to start ("is your PORTAL_CONFIG_KEY wrong?"); use the deploy.envkey this configuration was written with' });
  }
  return issues;
}
