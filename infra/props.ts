import * as path from 'path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { InvalidPropError, UnknownPropError } from './errors';
import { resolveWorkloadProps, WORKLOAD_PROP_KEYS, type ResolvedWorkloadProps, type WorkloadProps } from './workload-props';
import { preDeploySnapshotOn } from '../shared/deploy/snapshot-gate';
import { resolveValidationProps, VALIDATION_PROP_KEYS, type ResolvedValidationProps, type ValidationProps } from './validation-props';

/** Where the control plane's Lambda handlers are; each entry is a `.ts` or `.js` file exporting `handler`. */
export interface FunctionEntries {
  /**
   * The build-image handler.
   *
   * @default - `functions/build-image/handler.ts` of this package
   */
  readonly buildImage?: string;
  /** The deploy-services handler. @default - `functions/deploy-services/handler.ts` of this package */
  readonly deployServices?: string;
  /** The track-deployment handler. @default - `functions/track-deployment/handler.ts` of this package */
  readonly trackDeployment?: string;
  /** The snapshot-data handler. @default - `functions/snapshot-data/handler.ts` of this package */
  readonly snapshotData?: string;
  /** The track-backup handler. @default - `functions/track-backup/handler.ts` of this package */
  readonly trackBackup?: string;
}

/**
 * Props of {@link WickedPlatform}: one environment of wicked and the control plane that runs it.
 *
 * Checked when the construct is created: a wrong value or an unknown key throws
 * an {@link InvalidPropError} or {@link UnknownPropError} naming the prop.
 */
export interface WickedPlatformProps extends WorkloadProps, ValidationProps {
  /**
   * Environment name: the config key prefix `config/<envName>/`, part of resource
   * names and, unless {@link ValidationProps.nodeEnv} says otherwise, wicked's
   * `NODE_ENV`. Lowercase, `^[a-z][a-z0-9-]{0,31}$`.
   */
  readonly envName: string;
  /**
   * wicked version: the tag of the base image and of the stock wicked images.
   *
   * @default '1.0.0'
   */
  readonly wickedVersion?: string;
  /**
   * Docker Hub repository of portal-api's base image, pulled through the ECR
   * pull-through cache (`<registry>/docker-hub/<baseImageRepository>:<wickedVersion>`).
   * wicked 0.x calls it `haufelexware/wicked.portal-api`; official images need `library/`.
   *
   * @default 'haufelexware/wicked.api'
   */
  readonly baseImageRepository?: string;
  /**
   * How many `cfg-` build images the portal-api repository keeps; older ones expire.
   * Images a release tag (`<env>-live`) points at are never `cfg-`-only, so they stay.
   *
   * @default 30
   */
  readonly buildImageRetentionCount?: number;
  /**
   * Days after which non-current versions of config archives expire.
   *
   * @default 90
   */
  readonly configNoncurrentVersionDays?: number;
  /**
   * E-mail address subscribed to the notification topic.
   *
   * @default - no subscription; subscribe to the topic yourself
   */
  readonly notificationEmail?: string;
  /**
   * ARN of an existing SNS topic to notify instead of creating one; its owner manages
   * subscriptions and its policy (it must let the stack's functions publish).
   *
   * @default - a new KMS-encrypted, TLS-only topic
   */
  readonly notificationTopicArn?: string;
  /**
   * ARN of the KMS key of {@link WickedPlatformProps.notificationTopicArn}, when it is encrypted with a customer-managed key.
   *
   * @default - the imported topic is unencrypted or uses the AWS-managed key
   */
  readonly notificationTopicKeyArn?: string;
  /**
   * What happens to stateful resources (buckets, table, keys, repository, secrets, vault)
   * when they leave the stack. Only `RETAIN` and `DESTROY` are allowed. `RETAIN` is applied
   * as `RETAIN_ON_UPDATE_OR_DELETE` (CloudFormation's `RetainExceptOnCreate`): kept when the
   * stack is deleted or a resource replaced, deleted when a failed first create rolls back,
   * so that the named resources do not block the retry.
   *
   * @default - `DESTROY` when envName is `dev`, `test` or starts with `dev-` or `test-`; otherwise `RETAIN`
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Complete ARN of an existing Secrets Manager secret with Docker Hub credentials
   * (`{"username": ..., "accessToken": ...}`) for the pull-through cache: a prerequisite,
   * created before the first deploy (Kong and the stock wicked images are pulled through
   * the cache during it). AWS requires its name to start with `ecr-pullthroughcache/`.
   * Required when {@link WickedPlatformProps.createPullThroughCacheRule} is true.
   *
   * @default - none; the stack never creates this secret
   */
  readonly dockerHubCredentialsSecretArn?: string;
  /**
   * Whether this stack creates the registry-wide pull-through cache rule for the
   * `docker-hub` prefix. Only one rule per prefix can exist in an account and region:
   * the app in this repository puts it in its own stack (`wicked-registry-cache`) that
   * every environment depends on, and passes `false` here.
   *
   * @default true
   */
  readonly createPullThroughCacheRule?: boolean;
  /**
   * Reserved concurrency of the build-image function. Accounts still on Lambda's default
   * concurrency quota (10) cannot reserve any (AWS keeps 10 unreserved), so the default
   * reserves none; set it once the account's quota allows.
   *
   * @default - no reservation (the account's unreserved pool)
   */
  readonly buildImageReservedConcurrency?: number;
  /**
   * Whether deploy-services takes a snapshot of the dynamic data before it rolls
   * portal-api, and rolls only when that snapshot COMPLETED (a failed snapshot
   * blocks the deployment and notifies).
   *
   * @default - `true` when envName is `prod`, otherwise `false`
   */
  readonly preDeploySnapshot?: boolean;
  /**
   * Lambda handler entries, to use your own build of a handler.
   *
   * @default - the handlers in this package's `functions/` folder
   */
  readonly functionEntries?: FunctionEntries;
}

/** {@link WickedPlatformProps} with every default applied, as the constructs consume them. */
export interface ResolvedWickedPlatformProps extends ResolvedWorkloadProps, ResolvedValidationProps {
  /** See {@link WickedPlatformProps.envName}. */
  readonly envName: string;
  /** See {@link WickedPlatformProps.wickedVersion}. */
  readonly wickedVersion: string;
  /** See {@link WickedPlatformProps.baseImageRepository}. */
  readonly baseImageRepository: string;
  /** See {@link WickedPlatformProps.buildImageRetentionCount}. */
  readonly buildImageRetentionCount: number;
  /** See {@link WickedPlatformProps.configNoncurrentVersionDays}. */
  readonly configNoncurrentVersionDays: number;
  /** See {@link WickedPlatformProps.notificationEmail}. */
  readonly notificationEmail?: string;
  /** See {@link WickedPlatformProps.notificationTopicArn}. */
  readonly notificationTopicArn?: string;
  /** See {@link WickedPlatformProps.notificationTopicKeyArn}. */
  readonly notificationTopicKeyArn?: string;
  /** See {@link WickedPlatformProps.removalPolicy}. */
  readonly removalPolicy: RemovalPolicy;
  /** See {@link WickedPlatformProps.dockerHubCredentialsSecretArn}. */
  readonly dockerHubCredentialsSecretArn?: string;
  /** See {@link WickedPlatformProps.createPullThroughCacheRule}. */
  readonly createPullThroughCacheRule: boolean;
  /** See {@link WickedPlatformProps.buildImageReservedConcurrency}. */
  readonly buildImageReservedConcurrency?: number;
  /** See {@link WickedPlatformProps.preDeploySnapshot}. */
  readonly preDeploySnapshot: boolean;
  /** See {@link WickedPlatformProps.functionEntries}. */
  readonly functionEntries: Required<FunctionEntries>;
}

/** Allowed environment names; the same as the `config/<env>/` segment the events module accepts. */
export const ENV_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

const REPO_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY_PATTERN = new RegExp(`^${REPO_COMPONENT}(?:/${REPO_COMPONENT})+$`);
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SECRET_ARN_PATTERN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[A-Za-z0-9/_+=.@-]+$/;
const ENTRY_PATTERN = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** The package root: `infra/` sits directly under it. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

/** Default handler entries, resolved against this package so another app can reuse the construct. */
export const DEFAULT_FUNCTION_ENTRIES: Required<FunctionEntries> = {
  buildImage: path.join(PACKAGE_ROOT, 'functions', 'build-image', 'handler.ts'),
  deployServices: path.join(PACKAGE_ROOT, 'functions', 'deploy-services', 'handler.ts'),
  trackDeployment: path.join(PACKAGE_ROOT, 'functions', 'track-deployment', 'handler.ts'),
  snapshotData: path.join(PACKAGE_ROOT, 'functions', 'snapshot-data', 'handler.ts'),
  trackBackup: path.join(PACKAGE_ROOT, 'functions', 'track-backup', 'handler.ts'),
};

/** Defaults of the optional props (the ones that do not depend on other props). */
export const DEFAULTS = {
  wickedVersion: '1.0.0',
  baseImageRepository: 'haufelexware/wicked.api',
  buildImageRetentionCount: 30,
  configNoncurrentVersionDays: 90,
  createPullThroughCacheRule: true,
} as const;

/** The keys {@link WickedPlatformProps} accepts. */
export const KNOWN_PROPS: readonly (keyof WickedPlatformProps)[] = [
  'envName', 'wickedVersion', 'baseImageRepository', 'buildImageRetentionCount',
  'configNoncurrentVersionDays', 'notificationEmail', 'notificationTopicArn', 'notificationTopicKeyArn', 'removalPolicy',
  'dockerHubCredentialsSecretArn', 'createPullThroughCacheRule',
  'buildImageReservedConcurrency', 'preDeploySnapshot', 'functionEntries', ...WORKLOAD_PROP_KEYS, ...VALIDATION_PROP_KEYS,
];

/**
 * The removal policy an environment gets when none is given: only throw-away
 * environments (`dev`, `test`, `dev-*`, `test-*`) are destroyed with the stack.
 *
 * @example
 * defaultRemovalPolicy('prod') // RemovalPolicy.RETAIN
 */
export function defaultRemovalPolicy(envName: string): RemovalPolicy {
  return /^(dev|test)(-|$)/.test(envName) ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

type Check = (value: unknown) => boolean;

const matches = (pattern: RegExp): Check => (v) => typeof v === 'string' && pattern.test(v);
const intBetween = (min: number, max: number): Check => (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/** One rule per optional-or-required scalar prop: how to check it and how to describe what is allowed. */
const RULES: Readonly<Record<Exclude<keyof WickedPlatformProps, 'functionEntries' | keyof WorkloadProps | keyof ValidationProps>, { check: Check; expected: string }>> = {
  envName: { check: matches(ENV_NAME_PATTERN), expected: 'a lowercase name matching ^[a-z][a-z0-9-]{0,31}$' },
  wickedVersion: { check: matches(TAG_PATTERN), expected: 'an image tag such as "1.0.0" ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})' },
  baseImageRepository: {
    check: matches(REPOSITORY_PATTERN),
    expected: 'a Docker Hub repository path such as "haufelexware/wicked.api" (official images need "library/")',
  },
  buildImageRetentionCount: { check: intBetween(1, 1000), expected: 'an integer from 1 to 1000' },
  configNoncurrentVersionDays: { check: intBetween(1, 3650), expected: 'an integer from 1 to 3650 (days)' },
  notificationEmail: { check: matches(EMAIL_PATTERN), expected: 'an e-mail address such as "ops@example.com"' },
  notificationTopicArn: { check: matches(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/), expected: 'an SNS topic ARN such as "arn:aws:sns:eu-west-1:123456789012:ops"' },
  notificationTopicKeyArn: { check: matches(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/), expected: 'a KMS key ARN such as "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-..."' },
  removalPolicy: { check: (v) => v === RemovalPolicy.RETAIN || v === RemovalPolicy.DESTROY, expected: '"retain" or "destroy" (RemovalPolicy.RETAIN or RemovalPolicy.DESTROY)' },
  dockerHubCredentialsSecretArn: {
    check: matches(SECRET_ARN_PATTERN),
    expected: 'the complete ARN of a Secrets Manager secret named "ecr-pullthroughcache/..."',
  },
  createPullThroughCacheRule: { check: (v) => typeof v === 'boolean', expected: 'true or false' },
  buildImageReservedConcurrency: { check: intBetween(1, 1000), expected: 'an integer from 1 to 1000 (Lambda keeps 100 of the account quota unreserved)' },
  preDeploySnapshot: { check: (v) => typeof v === 'boolean', expected: 'true or false' },
};

function checkFunctionEntries(value: unknown): Required<FunctionEntries> {
  if (value === undefined) return DEFAULT_FUNCTION_ENTRIES;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidPropError('functionEntries', value, 'an object such as { buildImage: "path/to/handler.ts" }');
  }
  const known = Object.keys(DEFAULT_FUNCTION_ENTRIES);
  const entries: Record<string, unknown> = { ...value };
  for (const key of Object.keys(entries)) {
    if (!known.includes(key)) throw new UnknownPropError(`functionEntries.${key}`, known);
    if (!matches(ENTRY_PATTERN)(entries[key])) {
      throw new InvalidPropError(`functionEntries.${key}`, entries[key], 'a path to a .ts or .js file');
    }
  }
  return { ...DEFAULT_FUNCTION_ENTRIES, ...(entries as FunctionEntries) };
}

/**
 * Checks the props and applies the defaults. Throws on the first problem, naming the prop.
 *
 * @example
 * resolveWickedPlatformProps({ envName: 'dev' }).wickedVersion // '1.0.0'
 */
export function resolveWickedPlatformProps(props: WickedPlatformProps): ResolvedWickedPlatformProps {
  if (typeof props !== 'object' || props === null) {
    throw new InvalidPropError('props', props, 'an object with at least envName');
  }
  const given: Record<string, unknown> = { ...props };
  for (const key of Object.keys(given)) {
    if (!(KNOWN_PROPS as readonly string[]).includes(key)) throw new UnknownPropError(key, KNOWN_PROPS);
  }
  for (const [key, rule] of Object.entries(RULES)) {
    const value = given[key];
    if ((value !== undefined || key === 'envName') && !rule.check(value)) throw new InvalidPropError(key, value, rule.expected);
  }
  checkNotificationTopic(props);
  const functionEntries = checkFunctionEntries(props.functionEntries);
  const retained = (props.removalPolicy ?? defaultRemovalPolicy(props.envName)) === RemovalPolicy.RETAIN;
  const workload = resolveWorkloadProps(props, retained, props.wickedVersion ?? DEFAULTS.wickedVersion);
  const validation = resolveValidationProps(props, props.envName);
  checkPullThroughCache(props);
  return {
    ...DEFAULTS,
    ...withoutUndefined(props),
    ...workload,
    ...validation,
    // Retained, except when a failed first create rolls back: the retry then finds no leftover named resource.
    removalPolicy: retained ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY,
    envName: props.envName,
    preDeploySnapshot: preDeploySnapshotOn(props.envName, props.preDeploySnapshot),
    functionEntries,
  };
}

/** The owner of the pull-through cache rule needs the Docker Hub credentials: they are a prerequisite, never created here. */
function checkPullThroughCache(props: WickedPlatformProps): void {
  if ((props.createPullThroughCacheRule ?? DEFAULTS.createPullThroughCacheRule) && props.dockerHubCredentialsSecretArn === undefined) {
    throw new InvalidPropError('dockerHubCredentialsSecretArn', undefined,
      'the ARN of a secret "ecr-pullthroughcache/..." holding Docker Hub credentials, created before the first deploy (or createPullThroughCacheRule: false when another stack owns the docker-hub rule)');
  }
}

/** An imported topic is subscribed to where it is managed; its key only makes sense with it. */
function checkNotificationTopic(props: WickedPlatformProps): void {
  if (props.notificationTopicArn !== undefined && props.notificationEmail !== undefined) {
    throw new InvalidPropError('notificationEmail', props.notificationEmail, 'no e-mail with notificationTopicArn (subscribe to an imported topic where it is managed)');
  }
  if (props.notificationTopicKeyArn !== undefined && props.notificationTopicArn === undefined) {
    throw new InvalidPropError('notificationTopicKeyArn', props.notificationTopicKeyArn, 'a key only together with notificationTopicArn');
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
