import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { InvalidPropError } from './errors';
import { PLATFORM_VARIABLES, POSTGRES_PLATFORM_VARIABLES } from '../shared/wicked-config/variables';

/**
 * Props that decide how portal-api runs in the environment and, from the same
 * values, how uploads are validated for it: the task definition and the
 * validator never disagree on NODE_ENV or on the variables the container has.
 */
export interface ValidationProps {
  /**
   * wicked's `NODE_ENV` in this environment: portal-api reads
   * `env/<nodeEnv>.json` over `env/default.json`. Set it when the
   * configuration names its environments differently from the platform
   * (`k8s` in the config, `prod` here). Uploads are validated for it, and a
   * missing env file is refused naming this prop.
   *
   * @default - the envName
   */
  readonly nodeEnv?: string;
  /**
   * Extra plain environment variables of the portal-api container (not
   * secrets). The configuration may reference them; validation counts them
   * as defined.
   *
   * @default - none
   */
  readonly portalApiEnvironment?: Readonly<Record<string, string>>;
  /**
   * Extra secrets of the portal-api container, by variable name (ECS
   * secrets from Secrets Manager or SSM). The configuration may reference
   * them; validation counts them as defined.
   *
   * @default - none
   */
  readonly portalApiSecrets?: Readonly<Record<string, ecs.Secret>>;
  /**
   * Reject an upload on validation warnings too, not only on what portal-api
   * refuses at start.
   *
   * @default false
   */
  readonly strictValidation?: boolean;
}

/** {@link ValidationProps} with defaults applied. */
export interface ResolvedValidationProps {
  readonly nodeEnv: string;
  readonly portalApiEnvironment: Readonly<Record<string, string>>;
  readonly portalApiSecrets: Readonly<Record<string, ecs.Secret>>;
  readonly strictValidation: boolean;
}

/** The keys of {@link ValidationProps}. */
export const VALIDATION_PROP_KEYS: readonly (keyof ValidationProps)[] = ['nodeEnv', 'portalApiEnvironment', 'portalApiSecrets', 'strictValidation'];

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A file name under env/: what portal-env joins into `env/<NODE_ENV>.json`. */
const NODE_ENV_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** Variables the platform sets itself; a prop cannot override them. */
const RESERVED = new Set([...PLATFORM_VARIABLES, ...POSTGRES_PLATFORM_VARIABLES]);

/**
 * Checks the validation props and applies their defaults. Throws an
 * {@link InvalidPropError} naming the prop.
 *
 * @example
 * resolveValidationProps({ nodeEnv: 'k8s' }, 'prod').nodeEnv // 'k8s'
 */
export function resolveValidationProps(props: ValidationProps, envName: string): ResolvedValidationProps {
  if (props.nodeEnv !== undefined && (typeof props.nodeEnv !== 'string' || !NODE_ENV_PATTERN.test(props.nodeEnv))) {
    throw new InvalidPropError('nodeEnv', props.nodeEnv, 'the name of an env/<name>.json of the configuration, such as "k8s" (letters, digits, ".", "_", "-")');
  }
  if (props.strictValidation !== undefined && typeof props.strictValidation !== 'boolean') {
    throw new InvalidPropError('strictValidation', props.strictValidation, 'true or false');
  }
  const portalApiEnvironment = variables('portalApiEnvironment', props.portalApiEnvironment, (value) => typeof value === 'string', 'a string value');
  const portalApiSecrets = variables('portalApiSecrets', props.portalApiSecrets, (value) => typeof value === 'object' && value !== null && 'arn' in value, 'an ecs.Secret');
  for (const name of Object.keys(portalApiSecrets)) {
    if (name in portalApiEnvironment) throw new InvalidPropError(`portalApiSecrets.${name}`, name, 'a name not also in portalApiEnvironment');
  }
  return { nodeEnv: props.nodeEnv ?? envName, portalApiEnvironment, portalApiSecrets, strictValidation: props.strictValidation ?? false };
}

function variables<T>(prop: string, value: Readonly<Record<string, T>> | undefined, check: (value: unknown) => boolean, expected: string): Readonly<Record<string, T>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidPropError(prop, value, 'an object mapping variable names to values');
  for (const [name, item] of Object.entries(value)) {
    if (!VARIABLE_NAME.test(name)) throw new InvalidPropError(`${prop}.${name}`, name, 'a variable name of letters, digits and "_"');
    if (RESERVED.has(name)) throw new InvalidPropError(`${prop}.${name}`, name, `a name the platform does not set itself (it sets ${[...RESERVED].join(', ')})`);
    if (!check(item)) throw new InvalidPropError(`${prop}.${name}`, item, expected);
  }
  return value;
}

/**
 * The names the portal-api task definition sets: the platform's own, the
 * Postgres ones when the stack has a database, and the operator's extras.
 *
 * @example
 * platformVariableNames(resolveValidationProps({ portalApiEnvironment: { SMTP_HOST: 'smtp' } }, 'dev'), false)
 * // ['NODE_ENV', 'PORTAL_CONFIG_KEY', 'SMTP_HOST']
 */
export function platformVariableNames(props: ResolvedValidationProps, postgres: boolean): string[] {
  return [...PLATFORM_VARIABLES, ...(postgres ? POSTGRES_PLATFORM_VARIABLES : []), ...Object.keys(props.portalApiEnvironment), ...Object.keys(props.portalApiSecrets)];
}

/** The build-image function's environment for validation (read by `shared/pipeline/lambda-env.ts`). */
export function validationLambdaEnvironment(props: ResolvedValidationProps, postgres: boolean): Record<string, string> {
  return {
    WICKED_NODE_ENV: props.nodeEnv,
    WICKED_PLATFORM_VARIABLES: platformVariableNames(props, postgres).join(','),
    WICKED_STRICT_VALIDATION: String(props.strictValidation),
  };
}
