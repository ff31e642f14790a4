import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DockerHubPullThroughCache } from './constructs/image-repository';
import { InvalidContextError } from './errors';

/** The cdk.json context key of the shared pull-through cache: `{ "dockerHubCredentialsSecretArn": "arn:..." }`. */
export const REGISTRY_CACHE_CONTEXT_KEY = 'wicked-registry-cache';
/** Name of the stack that owns the account-wide `docker-hub` pull-through cache rule. */
export const REGISTRY_CACHE_STACK_NAME = 'wicked-registry-cache';

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[A-Za-z0-9/_+=.@-]+$/;

/**
 * The one owner of the account-wide ECR pull-through cache rule for Docker Hub
 * (one rule per prefix per account and region): dev and prod in one account both
 * depend on it instead of each creating the rule. Its Docker Hub credentials are a
 * prerequisite, taken by ARN from the `wicked-registry-cache` context.
 *
 * @example
 * new RegistryCacheStack(app, 'wicked-registry-cache', { dockerHubCredentialsSecretArn: arn });
 */
export class RegistryCacheStack extends Stack {
  /** The rule and its credentials. */
  public readonly cache: DockerHubPullThroughCache;

  /**
   * @param scope - the app
   * @param id - stack id
   * @param props - stack props plus the credentials' complete ARN
   * @throws InvalidContextError when the ARN is not a complete `ecr-pullthroughcache/` secret ARN
   */
  public constructor(scope: Construct, id: string, props: StackProps & { readonly dockerHubCredentialsSecretArn: unknown }) {
    const { dockerHubCredentialsSecretArn: arn, ...stackProps } = props;
    if (typeof arn !== 'string' || !SECRET_ARN.test(arn)) {
      throw new InvalidContextError(`${REGISTRY_CACHE_CONTEXT_KEY}.dockerHubCredentialsSecretArn`, arn,
        'the complete ARN of the Secrets Manager secret "ecr-pullthroughcache/..." with the Docker Hub credentials, created before the first deploy');
    }
    super(scope, id, { description: 'wicked.haufe.io: the account-wide Docker Hub pull-through cache rule', ...stackProps });
    this.cache = new DockerHubPullThroughCache(this, 'DockerHub', { credentialsSecretArn: arn });
  }
}
