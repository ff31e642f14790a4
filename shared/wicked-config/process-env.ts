import { posix } from 'node:path';
import { decryptValue } from './config-key';
import type { EnvVariables } from './env-files';
import { PORTAL_ENV_VARIABLES, substituteVariables } from './variables';

/** Stand-in for values unknown before run time (platform variables, encrypted values without the key). */
export const OPAQUE = '<set at run time>';

/** portal-api's working directory in the wicked image: where `path.resolve` anchors relative paths. */
export const PORTAL_API_WORKDIR = '/usr/src/app';

/** The two variables portal-env substitutes and resolves as paths right after loading each env file. */
const PATH_VARIABLES = ['PORTAL_API_DYNAMIC_CONFIG', 'PORTAL_API_STATIC_CONFIG'] as const;

/** Input of {@link simulateProcessEnv}. */
export interface ProcessEnvInput {
  /** Environment name → its variables (`default` included). */
  readonly envFiles: ReadonlyMap<string, EnvVariables>;
  /** The wicked environment (`NODE_ENV`). */
  readonly env: string;
  /** Variables the container gets from the platform (values unknown here). */
  readonly platformVariables: readonly string[];
  /** `PORTAL_CONFIG_KEY`, when at hand. */
  readonly configKey?: string;
}

/** `process.env` of portal-api after portal-env's checkEnvironment, as far as it can be known. */
export interface SimulatedEnv {
  /** The value of a variable; {@link OPAQUE} when only known at run time, `undefined` when not defined. */
  get(name: string): string | undefined;
  /** Variables whose encrypted value does not decrypt with the key at hand (empty without a key). */
  readonly undecryptable: ReadonlyArray<{ readonly name: string; readonly file: string }>;
}

/**
 * Replays portal-env's checkEnvironment (wicked `src/env/env-reader.js`):
 * the container's variables first (platform, then LOCAL_IP and friends,
 * which portal-env sets unless WICKED_IN_DOCKER), then `env/<NODE_ENV>.json`,
 * then `env/default.json`; a file only sets a variable that is not already
 * set to a non-empty value, so an empty value in `env/<NODE_ENV>.json` falls
 * back to `env/default.json`. After each file, PORTAL_API_DYNAMIC_CONFIG and
 * PORTAL_API_STATIC_CONFIG are substituted and made absolute (`path.resolve`
 * in portal-api's working directory). Encrypted values are decrypted when
 * the key is at hand, opaque otherwise.
 *
 * @example
 * simulateProcessEnv({ envFiles, env: 'docker', platformVariables: ['NODE_ENV'] }).get('PORTAL_API_STATIC_CONFIG') // '/var/portal-api/static'
 */
export function simulateProcessEnv(input: ProcessEnvInput): SimulatedEnv {
  const values = new Map<string, string>();
  for (const name of [...input.platformVariables, ...PORTAL_ENV_VARIABLES]) values.set(name, OPAQUE);
  const undecryptable: Array<{ name: string; file: string }> = [];
  const files = input.env === 'default' ? ['default'] : [input.env, 'default'];
  for (const env of files) {
    for (const [name, variable] of input.envFiles.get(env) ?? new Map()) {
      if (values.get(name)) continue;
      values.set(name, plainValue(name, variable.value, variable.encrypted, input.configKey, () => undecryptable.push({ name, file: `env/${env}.json` })));
    }
    for (const name of PATH_VARIABLES) {
      const current = values.get(name);
      if (current) values.set(name, resolvePath(current, (other) => values.get(other)));
    }
  }
  return { get: (name) => values.get(name), undecryptable };
}

function plainValue(name: string, value: string, encrypted: boolean, configKey: string | undefined, onFailure: () => void): string {
  if (!encrypted) return value;
  if (configKey === undefined) return OPAQUE;
  const decrypted = decryptValue(configKey, value);
  if (decrypted.ok) return decrypted.value;
  onFailure();
  return `<${name} does not decrypt>`;
}

/** Substitution then `path.resolve`, or {@link OPAQUE} when a run-time value takes part. */
function resolvePath(value: string, lookup: (name: string) => string | undefined): string {
  if (value.includes(OPAQUE)) return OPAQUE;
  const substituted = substituteVariables(value, lookup).value;
  if (substituted.includes(OPAQUE)) return OPAQUE;
  return posix.resolve(PORTAL_API_WORKDIR, substituted);
}
