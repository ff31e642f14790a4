import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { platformPropsFromContext, WICKED_CONTEXT_KEY } from './context';
import { REGISTRY_CACHE_CONTEXT_KEY, REGISTRY_CACHE_STACK_NAME, RegistryCacheStack } from './registry-cache-stack';
import { WickedStack } from './wicked-stack';

/** Name of the stack of one environment. */
export function stackName(envName: string): string {
  return `wicked-${envName}`;
}

/**
 * Defines one {@link WickedStack} per environment of the `wicked` context and adds
 * cdk-nag's AwsSolutions pack as a validation plugin, so any unacknowledged finding
 * fails synthesis. Stacks are environment-agnostic: the account and region come from
 * the credentials at deploy time, and synthesis needs no AWS lookups. With a
 * `wicked-registry-cache` context, the account-wide Docker Hub pull-through cache rule
 * gets its own stack, which every environment depends on and none creates again.
 *
 * @example
 * const stacks = createWickedApp(new App()); // wicked-dev, wicked-prod from cdk.json
 * @returns the stacks, in context order
 */
export function createWickedApp(app: App): WickedStack[] {
  const environments = platformPropsFromContext(app.node.tryGetContext(WICKED_CONTEXT_KEY));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const cacheContext = app.node.tryGetContext(REGISTRY_CACHE_CONTEXT_KEY) as Record<string, unknown> | undefined;
  const cache = cacheContext === undefined ? undefined
    : new RegistryCacheStack(app, REGISTRY_CACHE_STACK_NAME, { dockerHubCredentialsSecretArn: cacheContext.dockerHubCredentialsSecretArn });
  return environments.map((platform) => {
    const stack = new WickedStack(app, stackName(platform.envName), { platform: cache ? { createPullThroughCacheRule: false, ...platform } : platform });
    if (cache) stack.addStackDependency(cache, 'the docker-hub pull-through cache rule must exist before the first pull');
    return stack;
  });
}
