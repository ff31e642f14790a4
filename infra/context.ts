import { InvalidContextError } from './errors';
import { ENV_NAME_PATTERN, type WickedPlatformProps } from './props';

/** The cdk.json context key that holds one props object per environment. */
export const WICKED_CONTEXT_KEY = 'wicked';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the `wicked` context (`{ "dev": { ...props }, "prod": { ...props } }`) into
 * one {@link WickedPlatformProps} per environment, the key being the envName.
 * Only the shape is checked here; prop values are checked by {@link WickedPlatform}.
 *
 * @example
 * platformPropsFromContext({ dev: { notificationEmail: 'ops@example.com' } })
 * // [{ envName: 'dev', notificationEmail: 'ops@example.com' }]
 */
export function platformPropsFromContext(context: unknown): WickedPlatformProps[] {
  if (!isPlainObject(context) || Object.keys(context).length === 0) {
    throw new InvalidContextError(WICKED_CONTEXT_KEY, context, 'an object with one props object per environment, e.g. { "dev": {}, "prod": {} }');
  }
  return Object.entries(context).map(([envName, value]) => {
    const where = `${WICKED_CONTEXT_KEY}.${envName}`;
    if (!ENV_NAME_PATTERN.test(envName)) {
      throw new InvalidContextError(where, envName, 'an environment name matching ^[a-z][a-z0-9-]{0,31}$ as the key');
    }
    if (!isPlainObject(value)) throw new InvalidContextError(where, value, 'an object of WickedPlatform props');
    if (value.envName !== undefined && value.envName !== envName) {
      throw new InvalidContextError(`${where}.envName`, value.envName, `"${envName}" (the key) or no envName at all`);
    }
    return { ...value, envName } as WickedPlatformProps;
  });
}
