import { Stack, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** ECR repository prefix of the Docker Hub pull-through cache (`<registry>/docker-hub/<repo>`). */
export const PULL_THROUGH_PREFIX = 'docker-hub';
/** Docker Hub's registry endpoint, as the pull-through cache rule names it. */
export const DOCKER_HUB_REGISTRY_URL = 'registry-1.docker.io';
/** Tag prefix of the images build-image pushes (`cfg-<hash>`). */
export const BUILD_TAG_PREFIX = 'cfg-';
/** Pattern of the per-environment release tags (`<env>-live`), the only mutable tags. */
export const RELEASE_TAG_PATTERN = '*-live';

/** Actions that push to and pull from the portal-api repository over the OCI API. */
export const PUSH_PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:DescribeImages',
  'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage',
] as const;
/** Actions that pull through the cache: the first pull creates the repository and imports the image. */
export const PULL_THROUGH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer',
  'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository',
] as const;

/** Props of {@link ImageRepository}. */
export interface ImageRepositoryProps {
  /** Environment name, part of the repository and secret names. */
  readonly envName: string;
  /** How many `cfg-` build images to keep. */
  readonly buildImageRetentionCount: number;
  /** Applied to the repository (and, with DESTROY, its images). */
  readonly removalPolicy: RemovalPolicy;
  /** Whether to create the account-wide `docker-hub` pull-through cache rule. */
  readonly createPullThroughCacheRule: boolean;
  /** Complete ARN of the Docker Hub credentials (a prerequisite); required with `createPullThroughCacheRule`. */
  readonly dockerHubCredentialsSecretArn?: string;
}

/**
 * The private portal-api repository and the Docker Hub pull-through cache its base images come through.
 *
 * Tags are immutable except the release tags `<env>-live`, which a deploy moves.
 * The lifecycle policy keeps the newest `cfg-` build images; images a release tag points
 * at are protected by the `-live` tag (a higher-priority rule selects them, and ECR never
 * expires an image through a lower-priority rule once a higher one matched it).
 *
 * @example
 * const images = new ImageRepository(this, 'Images', { envName: 'dev', buildImageRetentionCount: 30,
 *   removalPolicy: RemovalPolicy.DESTROY, createPullThroughCacheRule: true });
 * images.grantPushPull(fn);
 */
export class ImageRepository extends Construct {
  /** The portal-api repository. */
  public readonly repository: ecr.Repository;
  /** Docker Hub credentials of the pull-through cache, when this stack owns the rule. */
  public readonly dockerHubCredentials?: secretsmanager.ISecret;
  /** The pull-through cache rule, when this stack owns it. */
  public readonly pullThroughCacheRule?: ecr.CfnPullThroughCacheRule;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - naming, retention and cache settings
   */
  public constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'PortalApi', {
      repositoryName: `wicked-${props.envName}/portal-api`,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard(RELEASE_TAG_PATTERN)],
      lifecycleRules: [
        { rulePriority: 1, description: 'Protect released images', tagPatternList: [RELEASE_TAG_PATTERN], maxImageCount: 9999 },
        { rulePriority: 2, description: 'Keep the newest build images', tagPrefixList: [BUILD_TAG_PREFIX], maxImageCount: props.buildImageRetentionCount },
      ],
      removalPolicy: props.removalPolicy,
      emptyOnDelete: props.removalPolicy === RemovalPolicy.DESTROY,
    });
    if (props.createPullThroughCacheRule) {
      // Construct ids as before, so an existing stack keeps its rule rather than replacing it.
      this.dockerHubCredentials = secretsmanager.Secret.fromSecretCompleteArn(this, 'DockerHubCredentials', requireCredentials(props.dockerHubCredentialsSecretArn));
      this.pullThroughCacheRule = dockerHubCacheRule(this, 'DockerHubCache', this.dockerHubCredentials);
    }
  }

  /**
   * ARN pattern of the repositories the pull-through cache creates (`docker-hub/*`).
   */
  public get pullThroughRepositoriesArn(): string {
    return Stack.of(this).formatArn({ service: 'ecr', resource: 'repository', resourceName: `${PULL_THROUGH_PREFIX}/*` });
  }

  /**
   * Lets `grantee` push to and pull from the portal-api repository (and nothing else).
   *
   * @param grantee - the principal that builds images
   */
  public grantPushPull(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [...PUSH_PULL_ACTIONS],
      resources: [this.repository.repositoryArn],
    }));
  }

  /**
   * Lets `grantee` pull base images through the cache, which creates `docker-hub/*`
   * repositories and imports upstream images on first pull.
   *
   * @param grantee - the principal that reads base images
   */
  public grantPullThroughCache(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [...PULL_THROUGH_ACTIONS],
      resources: [this.pullThroughRepositoriesArn],
    }));
  }
}

function requireCredentials(arn: string | undefined): string {
  if (arn === undefined) throw new Error('ImageRepository: createPullThroughCacheRule needs dockerHubCredentialsSecretArn (the Docker Hub credentials are a prerequisite)');
  return arn;
}

/** Props of {@link DockerHubPullThroughCache}. */
export interface DockerHubPullThroughCacheProps {
  /** Complete ARN of the secret `ecr-pullthroughcache/...` with `{"username","accessToken"}`, created before the first deploy. */
  readonly credentialsSecretArn: string;
}

/**
 * The account-wide ECR pull-through cache rule for Docker Hub under `docker-hub/`: one per
 * prefix in an account and region, so one stack owns it (this repository's app puts it in
 * `wicked-registry-cache`, which every environment depends on). Its credentials are a
 * prerequisite taken by ARN: Kong and the stock wicked images are pulled through the cache
 * during the first deploy, so a placeholder would fail it.
 *
 * @example
 * new DockerHubPullThroughCache(stack, 'DockerHub', { credentialsSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf' });
 */
export class DockerHubPullThroughCache extends Construct {
  /** The imported credentials. */
  public readonly credentials: secretsmanager.ISecret;
  /** The rule. */
  public readonly rule: ecr.CfnPullThroughCacheRule;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - the credentials' ARN
   */
  public constructor(scope: Construct, id: string, props: DockerHubPullThroughCacheProps) {
    super(scope, id);
    this.credentials = secretsmanager.Secret.fromSecretCompleteArn(this, 'Credentials', props.credentialsSecretArn);
    this.rule = dockerHubCacheRule(this, 'Rule', this.credentials);
  }
}

function dockerHubCacheRule(scope: Construct, id: string, credentials: secretsmanager.ISecret): ecr.CfnPullThroughCacheRule {
  return new ecr.CfnPullThroughCacheRule(scope, id, {
    ecrRepositoryPrefix: PULL_THROUGH_PREFIX,
    upstreamRegistry: 'docker-hub',
    upstreamRegistryUrl: DOCKER_HUB_REGISTRY_URL,
    credentialArn: credentials.secretArn,
  });
}
