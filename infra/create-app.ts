import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { platformPropsFromContext, WICKED_CONTEXT_KEY } from './context';
import { WickedStack } from './wicked-stack';

/** Name of the stack of one environment. */
export function stackName(envName: string): string {
  return `wicked-${envName}`;
}

/**
 * Defines one {@link WickedStack} per environment of the `wicked` context and adds
 * cdk-nag's AwsSolutions pack as a validation plugin, so any unacknowledged finding
 * fails synthesis. Stacks are environment-agnostic: the account and region come from
 * the credentials at deploy time, and synthesis needs no AWS lookups.
 *
 * @example
 * const stacks = createWickedApp(new App()); // wicked-dev, wicked-prod from cdk.json
 * @returns the stacks, in context order
 */
export function createWickedApp(app: App): WickedStack[] {
  const environments = platformPropsFromContext(app.node.tryGetContext(WICKED_CONTEXT_KEY));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return environments.map((platform) => new WickedStack(app, stackName(platform.envName), { platform }));
}
