/**
 * How wicked finds and substitutes `$VAR` / `${VAR}` (portal-env `env-reader.js`
 * and portal-api `routes/utils.js`), reproduced as pure functions.
 *
 * - A string "has variables" when it starts with `$` or contains `${`.
 * - A string that starts with `$` but not `${` is ONE variable whose name is
 *   the whole rest of the string: `"$PORTAL_API_URL"` works, while
 *   `"$HOST/path"` names a variable called `HOST/path`.
 * - Anywhere else, `${NAME}` with NAME of `[A-Za-z0-9_]+` is replaced.
 * - Values come from `process.env`: the container's own variables win, then
 *   `env/<NODE_ENV>.json`, then `env/default.json`. Encrypted values are
 *   decrypted with `PORTAL_CONFIG_KEY` when loaded.
 * - Substitution repeats (a value may reference other variables) for at most
 *   10 rounds; each round replaces only the first reference, and only when the
 *   value is truthy, so an empty value is never substituted and the reference
 *   stays in the string.
 * - At start-up portal-api collects every reference of every `.json` file of
 *   the static folder (env files included, whatever `NODE_ENV` is) and refuses
 *   to start if one is not defined ("Environment variables are missing").
 */

/**
 * Variables the platform sets in the portal-api container at run time, so the
 * configuration need not define them: `NODE_ENV` selects `env/<NODE_ENV>.json`
 * and `PORTAL_CONFIG_KEY` (from the secret store) decrypts encrypted values;
 * both are set by the ECS task definitions.
 */
export const PLATFORM_VARIABLES: readonly string[] = Object.freeze(['NODE_ENV', 'PORTAL_CONFIG_KEY']);

/**
 * Variables the task definition adds when the platform runs wicked's Postgres
 * storage: the credentials and host from portal-api's own database user's secret,
 * the database the stack created for that user, and the TLS mode (infra
 * `singleton-services.ts`, `constructs/database.ts`).
 */
export const POSTGRES_PLATFORM_VARIABLES: readonly string[] = Object.freeze([
  'PORTAL_STORAGE_PGHOST',
  'PORTAL_STORAGE_PGUSER',
  'PORTAL_STORAGE_PGPASSWORD',
  'PORTAL_STORAGE_PGDATABASE',
  'PGSSLMODE',
]);

/**
 * Variables portal-env itself sets before it reads the env files, unless
 * `WICKED_IN_DOCKER` is set (no wicked image sets it): checkEnvironment
 * derives them from the host's first IPv4 address (wicked
 * `src/env/env-reader.js`). So they are always defined; a configuration that
 * uses them gets the task's own address.
 */
export const PORTAL_ENV_VARIABLES: readonly string[] = Object.freeze(['LOCAL_IP', 'LOCAL_API_HOST', 'LOCAL_PORTAL_HOST', 'LOCAL_PORTAL_URL', 'LOCAL_API_URL']);

/**
 * Variables portal-api needs in every environment even when no file
 * references them: portal-env's sanity check pre-fills the first eight as
 * "(implicit)", and `bin/api` refuses to start without `PORTAL_API_AESKEY`.
 */
export const REQUIRED_VARIABLES: readonly string[] = Object.freeze([
  'PORTAL_API_STATIC_CONFIG',
  'PORTAL_API_DYNAMIC_CONFIG',
  'PORTAL_API_URL',
  'PORTAL_PORTAL_URL',
  'PORTAL_KONG_ADAPTER_URL',
  'PORTAL_KONG_ADMIN_URL',
  'PORTAL_MAILER_URL',
  'PORTAL_CHATBOT_URL',
  'PORTAL_API_AESKEY',
]);

/** Maximum substitution rounds of portal-api before it gives up. */
export const MAX_SUBSTITUTION_ROUNDS = 10;

const INLINE_REFERENCE = /\$\{([A-Za-z_0-9]+)\}/g;

/** Whether wicked treats the string as containing variables. */
export function hasVariables(value: string): boolean {
  return value.startsWith('$') || value.includes('${');
}

/**
 * The variable names wicked's start-up check collects from one string.
 *
 * @example
 * referencedVariables('$PORTAL_API_URL')        // ['PORTAL_API_URL']
 * referencedVariables('https://${HOST}:${PORT}') // ['HOST', 'PORT']
 */
export function referencedVariables(value: string): string[] {
  if (value.startsWith('$') && !value.startsWith('${')) return [value.substring(1)];
  if (!value.includes('${')) return [];
  return Array.from(value.matchAll(INLINE_REFERENCE), (match) => match[1] as string);
}

/**
 * `${...}` fragments that are not `${NAME}` with NAME of `[A-Za-z0-9_]`:
 * wicked neither collects nor substitutes them.
 */
export function malformedReferences(value: string): string[] {
  if (value.startsWith('$') && !value.startsWith('${')) return [];
  const rest = value.replace(INLINE_REFERENCE, '');
  return Array.from(rest.matchAll(/\$\{[^}]{0,40}\}?/g), (match) => match[0]);
}

/** Why substitution stopped before every reference was replaced. */
export type StuckReason = 'missing' | 'empty' | 'malformed' | 'recursive';

/** Outcome of {@link substituteVariables}. */
export interface Substitution {
  /** The string after substitution (what portal-api would use). */
  readonly value: string;
  /** Present when references remain. */
  readonly stuck?: { readonly reason: StuckReason; readonly name?: string };
}

/**
 * Substitutes like portal-api's `replaceEnvVarsInString`, looking names up in
 * `lookup` (`undefined` = not defined).
 */
export function substituteVariables(input: string, lookup: (name: string) => string | undefined): Substitution {
  let current = input;
  for (let round = 1; hasVariables(current); round += 1) {
    if (round > MAX_SUBSTITUTION_ROUNDS) return { value: current, stuck: { reason: 'recursive' } };
    const step = substituteOnce(current, lookup);
    if ('stuck' in step) return { value: current, stuck: step.stuck };
    current = step.value;
  }
  return { value: current };
}

function substituteOnce(current: string, lookup: (name: string) => string | undefined): { value: string } | Required<Pick<Substitution, 'stuck'>> {
  if (current.startsWith('$') && !current.startsWith('${')) {
    const name = current.substring(1);
    const replacement = lookup(name);
    return replacement ? { value: replacement } : { stuck: { reason: replacement === undefined ? 'missing' : 'empty', name } };
  }
  const match = new RegExp(INLINE_REFERENCE.source).exec(current);
  if (!match) return { stuck: { reason: 'malformed' } };
  const name = match[1] as string;
  const replacement = lookup(name);
  if (!replacement) return { stuck: { reason: replacement === undefined ? 'missing' : 'empty', name } };
  // Same call as portal-api, including String.prototype.replace's `$&` patterns.
  return { value: current.replace(match[0], replacement) };
}
