import { InvalidOptionsError } from './errors';
import { kindOf } from './env-files';
import { PLATFORM_VARIABLES } from './variables';

/** `ValidateConfigOptions` with defaults applied (`envs` stays optional: it depends on the bundle). */
export interface ResolvedOptions {
  readonly envs?: readonly string[];
  readonly platformVariables: readonly string[];
}

const KNOWN_OPTIONS = new Set(['envs', 'platformVariables']);
const ENV_NAME = /^[^/\\]+$/;

/**
 * Checks the options object at the boundary: unknown keys and wrong types
 * throw {@link InvalidOptionsError}.
 */
export function resolveOptions(options: unknown = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError('(options)', kindOf(options), 'an object');
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN_OPTIONS.has(key)) throw new InvalidOptionsError(key, 'an unknown option', `one of ${[...KNOWN_OPTIONS].join(', ')}`);
  }
  const envs = record.envs === undefined ? undefined : names(record.envs, 'envs', ENV_NAME);
  const platformVariables = record.platformVariables === undefined ? PLATFORM_VARIABLES : names(record.platformVariables, 'platformVariables', /^.+$/);
  return envs === undefined ? { platformVariables } : { envs: [...new Set(envs)], platformVariables };
}

function names(value: unknown, option: string, pattern: RegExp): string[] {
  if (!Array.isArray(value)) throw new InvalidOptionsError(option, kindOf(value), 'an array of names');
  return value.map((item, index) => {
    if (typeof item !== 'string' || !pattern.test(item)) {
      throw new InvalidOptionsError(`${option}[${index}]`, kindOf(item), 'a non-empty name without "/"');
    }
    return item;
  });
}
