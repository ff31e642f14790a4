import * as path from 'path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { WickedPlatformProps } from '../../infra/props';
import { WickedStack } from '../../infra/wicked-stack';

/** Stand-in handler entry: bundling is skipped in tests, so only its existence matters. */
export const FIXTURE_ENTRY = path.join(__dirname, 'fixtures', 'build-image-handler.ts');

/** Context that skips esbuild bundling for every stack. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/** An app that never bundles, with extra context. */
export function testApp(context: Record<string, unknown> = {}): App {
  const app = new App({ context: { ...NO_BUNDLING, ...context } });
  return app;
}

/** The Docker Hub credentials a test stack's pull-through cache rule names (a prerequisite, taken by ARN). */
export const DOCKER_HUB_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf';

/**
 * A `wicked-<env>` stack whose build-image entry is the fixture, with the Docker Hub
 * credentials' ARN and, unless the props give a certificate, plain HTTP allowed.
 */
export function testStack(platform: WickedPlatformProps, app: App = testApp()): WickedStack {
  return new WickedStack(app, `wicked-${platform.envName}`, {
    platform: {
      functionEntries: { buildImage: FIXTURE_ENTRY }, dockerHubCredentialsSecretArn: DOCKER_HUB_SECRET_ARN,
      ...(platform.certificateArn === undefined ? { allowPlainHttp: true } : {}), ...platform,
    },
  });
}

/** One IAM policy statement as rendered in a template. */
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** The actions of a statement as a list. */
export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Logical ID of an L2 construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
}

/** `template.hasResourceProperties`, named so the linter sees an assertion. */
export function assertProps(template: Template, type: string, props: unknown): void {
  template.hasResourceProperties(type, props);
}

/** `template.hasResource`, named so the linter sees an assertion. */
export function assertResource(template: Template, type: string, props: unknown): void {
  template.hasResource(type, props);
}

/** `template.resourceCountIs`, named so the linter sees an assertion. */
export function assertCount(template: Template, type: string, count: number): void {
  template.resourceCountIs(type, count);
}
