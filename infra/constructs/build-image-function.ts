import { Duration, Size, Stack, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { CONFIG_PREFIX, type ConfigBucket } from './config-bucket';
import { ControlPlaneFunction, FUNCTION_ESBUILD_OPTIONS, FUNCTION_RUNTIME, METRICS_NAMESPACE } from './control-plane-function';
import { PULL_THROUGH_PREFIX, type ImageRepository } from './image-repository';
import type { LedgerTable } from './ledger-table';

/** Powertools service name of the function. */
export const BUILD_IMAGE_SERVICE = 'build-image';
/** Lambda runtime of the function: the project's Node.js version ({@link FUNCTION_RUNTIME}). */
export const BUILD_IMAGE_RUNTIME = FUNCTION_RUNTIME;

/** Props of {@link BuildImageFunction}. */
export interface BuildImageFunctionProps {
  /** The handler file (exports `handler`). */
  readonly entry: string;
  /** Where config archives come from. */
  readonly config: ConfigBucket;
  /** Where images go, and where base images come from. */
  readonly images: ImageRepository;
  /** Docker Hub repository of the base image (without the cache prefix). */
  readonly baseImageRepository: string;
  /** Tag of the base image. */
  readonly wickedVersion: string;
  /**
   * Reserved concurrency; accounts on Lambda's default quota of 10 cannot reserve any.
   *
   * @default - none: the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  /** Queue that receives the invocations that still failed after Lambda's retries. */
  readonly failureQueue: sqs.IQueue;
  /** Applied to the log group. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * The deployment ledger, read when the base image changes to find the
   * deployed configuration. Without it, base image changes are refused.
   *
   * @default no ledger access
   */
  readonly ledger?: LedgerTable;
  /**
   * How uploads are validated for the environment (`WICKED_NODE_ENV`,
   * `WICKED_PLATFORM_VARIABLES`, `WICKED_STRICT_VALIDATION`; see infra `validation-props.ts`).
   *
   * @default the handler's defaults: NODE_ENV = the environment's name, platform variables NODE_ENV and PORTAL_CONFIG_KEY, not strict
   */
  readonly validationEnvironment?: Readonly<Record<string, string>>;
}

/** Parts of the base image URI; tokens are fine. */
export interface BaseImageUriParts {
  /** AWS account of the registry. */
  readonly account: string;
  /** AWS region of the registry. */
  readonly region: string;
  /** Partition's URL suffix (`amazonaws.com`, `amazonaws.com.cn`). */
  readonly urlSuffix: string;
  /** Docker Hub repository path, without the cache prefix. */
  readonly repository: string;
  /** Image tag. */
  readonly tag: string;
}

/**
 * The base image as pulled through the cache: `<account>.dkr.ecr.<region>.<suffix>/docker-hub/<repository>:<tag>`.
 *
 * @example
 * baseImageUri({ account: '123456789012', region: 'eu-west-1', urlSuffix: 'amazonaws.com', repository: 'haufelexware/wicked.api', tag: '1.0.0' })
 * // '123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/haufelexware/wicked.api:1.0.0'
 */
export function baseImageUri(parts: BaseImageUriParts): string {
  return `${parts.account}.dkr.ecr.${parts.region}.${parts.urlSuffix}/${PULL_THROUGH_PREFIX}/${parts.repository}:${parts.tag}`;
}

/**
 * The build-image Lambda: reads a config archive, appends it as a layer to the base
 * image and pushes the result over the OCI API. A {@link ControlPlaneFunction} (same
 * runtime, bundling, log group, retries and failure queue, construct ids unchanged) with
 * one full vCPU, 10 GB of `/tmp` and 15 minutes. Its role can read only `config/*`
 * of the config bucket, push only to the portal-api repository, pull only through
 * the `docker-hub/*` cache, and put events only on the default bus.
 *
 * @example
 * const build = new BuildImageFunction(this, 'BuildImage', { entry, config, images,
 *   baseImageRepository: 'haufelexware/wicked.api', wickedVersion: '1.0.0',
 *   failureQueue, removalPolicy: RemovalPolicy.RETAIN });
 */
export class BuildImageFunction extends ControlPlaneFunction {
  /** The base image it builds on (`BASE_IMAGE`): the pull-through cache reference of the wicked version. */
  public readonly baseImage: string;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - entry, resources it works on, sizing
   * @throws EntryNotFoundError when the entry file does not exist
   */
  public constructor(scope: Construct, id: string, props: BuildImageFunctionProps) {
    const environment = buildImageEnvironment(Stack.of(scope), props);
    super(scope, id, {
      entry: props.entry,
      service: BUILD_IMAGE_SERVICE,
      description: 'build-image: reads config archives, pushes portal-api images',
      environment,
      failureQueue: props.failureQueue,
      removalPolicy: props.removalPolicy,
      memorySize: 1769, // one full vCPU: gzip and sha256 of the layer are CPU-bound
      ephemeralStorageSize: Size.mebibytes(10240),
      timeout: Duration.minutes(15),
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
    });
    this.baseImage = environment.BASE_IMAGE!;
    this.grantAccess(props);
  }

  private grantAccess(props: BuildImageFunctionProps): void {
    props.config.grantReadConfig(this.role);
    props.images.grantPushPull(this.role);
    props.images.grantPullThroughCache(this.role);
    props.ledger?.grantLedgerRead(this.role);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    this.grantPutEventsToDefaultBus();
    this.acknowledgeWildcards(props);
  }

  /** Each wildcard finding by its exact id: the policy's other statements stay checked. */
  private acknowledgeWildcards(props: BuildImageFunctionProps): void {
    const bucketId = Stack.of(this).resolve((props.config.bucket.node.defaultChild as CfnElement).logicalId) as string;
    this.acknowledgeWildcard('*', 'ecr:GetAuthorizationToken has no resource-level permissions: AWS requires "*".');
    this.acknowledgeWildcard(`<${bucketId}.Arn>/${CONFIG_PREFIX}*`, 'Config archives have operator-chosen names under config/; the grant is limited to that prefix and to reads.');
    this.acknowledgeWildcard(
      `arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/${PULL_THROUGH_PREFIX}/*`,
      'The pull-through cache creates one repository per upstream image on first pull; the grant is limited to the docker-hub/ prefix.',
    );
  }
}

/**
 * esbuild settings of build-image: those of every function ({@link FUNCTION_ESBUILD_OPTIONS}): the S3,
 * ECR, EventBridge and DynamoDB clients it uses are bundled and tree-shaken, credentials from
 * the environment.
 */
export const BUILD_IMAGE_ESBUILD_OPTIONS: Readonly<BuildOptions> = FUNCTION_ESBUILD_OPTIONS;

/**
 * The function's environment: what the handler reads once at start-up.
 *
 * @param stack - the stack (account, region and URL suffix, as tokens when environment-agnostic)
 * @param props - the function's props
 */
export function buildImageEnvironment(stack: Stack, props: BuildImageFunctionProps): Record<string, string> {
  return {
    CONFIG_BUCKET: props.config.bucketName,
    TARGET_REPOSITORY_URI: props.images.repository.repositoryUri,
    BASE_IMAGE: baseImageUri({
      account: stack.account, region: stack.region, urlSuffix: stack.urlSuffix,
      repository: props.baseImageRepository, tag: props.wickedVersion,
    }),
    EVENT_BUS_NAME: 'default',
    ...(props.ledger ? { LEDGER_TABLE_NAME: props.ledger.table.tableName } : {}),
    ...props.validationEnvironment,
    POWERTOOLS_SERVICE_NAME: BUILD_IMAGE_SERVICE,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    NODE_OPTIONS: '--enable-source-maps',
  };
}
