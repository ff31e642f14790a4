import * as fs from 'fs';
import * as path from 'path';
import { Duration, Validations, type RemovalPolicy, type Size } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import type { TargetFunctionId } from '../../shared/events/rules';
import { functionCode } from '../bundling/function-code';
import { EntryNotFoundError } from '../errors';
import { PACKAGE_ROOT } from '../props';

/** Lambda runtime of the functions: the project's Node.js version. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
/** The handler of every function: `handler`, exported by the bundle `index.mjs`. */
export const FUNCTION_HANDLER = 'index.handler';
/** Lets an ESM bundle `require()` the CommonJS modules esbuild leaves in it. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/** The module that stands in for the AWS SDK's default credential chain in bundles that carry the SDK. */
export const ENV_CREDENTIAL_PROVIDER = path.join(PACKAGE_ROOT, 'functions', 'credentials', 'env-provider.ts');
/** The package the SDK clients take their default credential chain from. */
export const DEFAULT_CREDENTIAL_PROVIDER_PACKAGE = '@aws-sdk/credential-provider-node';

/**
 * Node.js builtins the bundles reach through a CommonJS module of `functions/builtins/`
 * (aliased under the bare and the `node:` name) instead of an ESM import. An ESM import of a
 * builtin reads every export to build its namespace, getters included: `node:http`'s
 * `WebSocket`, `CloseEvent` and `MessageEvent` load the bundled undici, `node:process`'s stdin,
 * stdout and stderr open three streams, `node:fs`'s `ReadStream` loads its stream code. The
 * modules take the builtin with `process.getBuiltinModule`, so an export is read when the code
 * uses it. Two are loaded on first use: `node:stream/web`, which only @middy/core imports (for
 * streamed responses, which no function returns), and `node:zlib`, which the SDK's checksum
 * module imports for S3's CRC32 and only build-image uses. `fs/promises` has its own alias: an alias also
 * rewrites the subpaths of its name, and the exact one wins. The effect on each function's
 * cold import is measured in docs/benchmarks.md.
 */
export const BUILTIN_SHIMS: Readonly<Record<string, string>> = {
  http: path.join(PACKAGE_ROOT, 'functions', 'builtins', 'http.cjs'),
  process: path.join(PACKAGE_ROOT, 'functions', 'builtins', 'process.cjs'),
  fs: path.join(PACKAGE_ROOT, 'functions', 'builtins', 'fs.cjs'),
  'fs/promises': path.join(PACKAGE_ROOT, 'functions', 'builtins', 'fs-promises.cjs'),
  'stream/web': path.join(PACKAGE_ROOT, 'functions', 'builtins', 'stream-web.cjs'),
  zlib: path.join(PACKAGE_ROOT, 'functions', 'builtins', 'zlib.cjs'),
};

/** The esbuild `alias` of every function: the credential provider, then the builtins both ways. */
export const FUNCTION_ALIASES: Readonly<Record<string, string>> = {
  [DEFAULT_CREDENTIAL_PROVIDER_PACKAGE]: ENV_CREDENTIAL_PROVIDER,
  ...Object.fromEntries(Object.entries(BUILTIN_SHIMS).flatMap(([name, file]) => [[name, file], [`node:${name}`, file]])),
};

/**
 * esbuild settings every function shares: one minified, tree-shaken ESM file with a source
 * map (contents left out), for the Node.js 24 runtime, the bundled-license block left out.
 * `mainFields` puts the ESM builds of dependencies first, so their unused exports are dropped.
 * The AWS SDK is bundled (nothing is external): the clients a function uses, tree-shaken,
 * import several times faster than the runtime's CommonJS SDK. The SDK's default credential
 * chain (`@aws-sdk/credential-provider-node`) is aliased to {@link ENV_CREDENTIAL_PROVIDER},
 * which reads the environment only, as Lambda provides credentials: the SSO, INI, process,
 * web-identity and container providers and their nested clients stay out. The aliases are
 * absolute paths in this package, like the handler entries, so they resolve wherever the app
 * is synthesized from. {@link functionCode} runs esbuild with them and with the plugins of
 * infra `bundling/plugins.ts`, which let it drop the SDK schemas a function never uses and
 * keep `@smithy/core` out of lazy initialisers.
 */
export const FUNCTION_ESBUILD_OPTIONS: Readonly<BuildOptions> = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  alias: { ...FUNCTION_ALIASES },
  external: [],
};

/** CloudWatch namespace of the functions' Powertools metrics. */
export const METRICS_NAMESPACE = 'wicked-control-plane';

/** Props of {@link ControlPlaneFunction}. */
export interface ControlPlaneFunctionProps {
  /** The handler file (exports `handler`). */
  readonly entry: string;
  /** The function's id in the shared rule list; also its Powertools service name. */
  readonly service: TargetFunctionId;
  /** What the function does, for its role's description. */
  readonly description: string;
  /** Variables the handler reads at start-up (Powertools and source-map settings are added). */
  readonly environment: Readonly<Record<string, string>>;
  /** Queue that receives the invocations that still failed after Lambda's retries. */
  readonly failureQueue: sqs.IQueue;
  /** Applied to the log group. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Memory in MB.
   *
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Timeout.
   *
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * Size of `/tmp`.
   *
   * @default 512 MiB (Lambda's default)
   */
  readonly ephemeralStorageSize?: Size;
  /**
   * Reserved concurrency.
   *
   * @default - none: the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * One control-plane Lambda with the conventions of build-image: Node.js 24 on arm64,
 * the same ESM bundle settings, its own log group (3 months), its own role without
 * managed policies, 2 retries of async invocations and then the failure queue.
 * Permissions are added by the caller, each scoped to its resource.
 *
 * @example
 * const fn = new ControlPlaneFunction(this, 'TrackBackup', { entry, service: 'track-backup',
 *   description: 'track-backup: records backup jobs', environment: { LEDGER_TABLE_NAME: table.tableName },
 *   failureQueue, removalPolicy: RemovalPolicy.RETAIN });
 * ledger.grantLedgerAccess(fn.role);
 */
export class ControlPlaneFunction extends Construct {
  /** The function. */
  public readonly function: lambda.Function;
  /** Its execution role (no managed policies). */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /** Its id in the shared rule list and Powertools service name. */
  public readonly service: TargetFunctionId;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - entry, environment, failure queue
   * @throws EntryNotFoundError when the entry file does not exist
   */
  public constructor(scope: Construct, id: string, props: ControlPlaneFunctionProps) {
    super(scope, id);
    if (!fs.existsSync(props.entry)) throw new EntryNotFoundError(props.service, props.entry);
    this.service = props.service;
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: props.removalPolicy });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    this.function = new lambda.Function(this, 'Function', {
      code: functionCode(props.entry, FUNCTION_ESBUILD_OPTIONS),
      handler: FUNCTION_HANDLER,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(1),
      ...(props.ephemeralStorageSize ? { ephemeralStorageSize: props.ephemeralStorageSize } : {}),
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      role: this.role,
      logGroup: this.logGroup,
      retryAttempts: 2,
      onFailure: new SqsDestination(props.failureQueue),
      environment: controlPlaneEnvironment(props.service, props.environment),
    });
    this.logGroup.grantWrite(this.role);
  }

  /** `events:PutEvents` on the default bus, the only bus the control plane uses. */
  public grantPutEventsToDefaultBus(): void {
    events.EventBus.fromEventBusName(this, 'DefaultBus', 'default').grantPutEventsTo(this.role);
  }

  /**
   * `sns:Publish` on the topic, and the two key actions publishing to an encrypted topic needs.
   *
   * @param topic - the notification topic
   * @param key - its key, when it is encrypted
   */
  public grantPublish(topic: sns.ITopic, key?: kms.IKey): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    key?.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey');
  }

  /**
   * Acknowledges one exact `AwsSolutions-IAM5` finding on the role, so the policy's other statements stay checked.
   *
   * @param resource - the finding's resource, as cdk-nag prints it
   * @param reason - why the wildcard is needed
   */
  public acknowledgeWildcard(resource: string, reason: string): void {
    Validations.of(this.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  }
}

/**
 * The environment of a control-plane function: the handler's own variables plus
 * the Powertools service name and namespace and source maps.
 *
 * @example
 * controlPlaneEnvironment('track-backup', { LEDGER_TABLE_NAME: 'ledger' })
 * // { LEDGER_TABLE_NAME: 'ledger', POWERTOOLS_SERVICE_NAME: 'track-backup', POWERTOOLS_METRICS_NAMESPACE: 'wicked-control-plane', NODE_OPTIONS: '--enable-source-maps' }
 */
export function controlPlaneEnvironment(service: TargetFunctionId, environment: Readonly<Record<string, string>>): Record<string, string> {
  return {
    ...environment,
    POWERTOOLS_SERVICE_NAME: service,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    NODE_OPTIONS: '--enable-source-maps',
  };
}
