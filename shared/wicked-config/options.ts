import { InvalidOptionsError } from './errors';
import { kindOf } from './env-files';
import { DEFAULT_DYNAMIC_DATA_PATH } from './startup-checks';
import { PLATFORM_VARIABLES } from './variables';

/** `ValidateConfigOptions` with defaults applied (`envs` and `configKey` stay optional: they depend on the caller). */
export interface ResolvedOptions {
  readonly envs?: readonly string[];
  readonly platformVariables: readonly string[];
  readonly strict: boolean;
  readonly configKey?: string;
  readonly dynamicDataPath: string;
  readonly nodeEnvSetting: string;
}

const KNOWN_OPTIONS = new Set(['envs', 'platformVariables', 'strict', 'configKey', 'dynamicDataPath', 'nodeEnvSetting']);
const ENV_NAME = /^[^/\\]+$/;
/** Named in the missing-environment error unless the caller names its own setting. */
const DEFAULT_NODE_ENV_SETTING = 'the wicked environment (NODE_ENV)';

/**
 * Checks the options object at the boundary: unknown keys and wrong types
 * throw {@link InvalidOptionsError}. Resolved options pass through unchanged.
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
  const strict = record.strict ?? false;
  if (typeof strict !== 'boolean') throw new InvalidOptionsError('strict', kindOf(strict), 'true or false');
  const configKey = optionalString(record, 'configKey', 'the configuration key (the content of deploy.envkey)');
  const dynamicDataPath = optionalString(record, 'dynamicDataPath', 'an absolute path') ?? DEFAULT_DYNAMIC_DATA_PATH;
  if (!dynamicDataPath.startsWith('/')) throw new InvalidOptionsError('dynamicDataPath', kindOf(dynamicDataPath), 'an absolute path');
  const nodeEnvSetting = optionalString(record, 'nodeEnvSetting', 'a setting name') ?? DEFAULT_NODE_ENV_SETTING;
  return {
    ...(envs === undefined ? {} : { envs: [...new Set(envs)] }),
    platformVariables: [...new Set(platformVariables)],
    strict,
    ...(configKey === undefined ? {} : { configKey }),
    dynamicDataPath,
    nodeEnvSetting,
  };
}

function optionalString(record: Record<string, unknown>, option: string, expected: string): string | undefined {
  const value = record[option];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new InvalidOptionsError(option, option === 'configKey' ? 'a value that is not a non-empty string' : kindOf(value), expected);
  return value;
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
