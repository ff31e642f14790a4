import type { CreateServiceCommandInput, UpdateServiceCommandInput } from '@aws-sdk/client-ecs';
import { CreateServiceCommand, DeleteServiceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { DeploymentSnapshot } from '../../ecs';
import { ecsInput, withEcs } from './compute';
import type { EmulatorLinks } from './links';
import type { ProviderContext, ResourceResult } from './provider';
import type { ResourceProvider } from './provider';
import { generatedName, ResourceNotStabilized, stringProperty } from './provider';

/**
 * How long CloudFormation waits for a service that neither stabilises nor
 * fails (no circuit breaker) before it fails the resource with "Resource
 * timed out waiting for completion": three hours, on the emulator's clock.
 * The user guide only says the wait depends on the resource's stabilisation
 * ("Why is my CloudFormation stack stuck in an IN_PROGRESS state?", AWS
 * re:Post knowledge center); three hours is what stacks with a service that
 * never becomes stable show.
 */
export const SERVICE_STABILIZATION_TIMEOUT_MS = 3 * 60 * 60 * 1000;

/**
 * AWS::ECS::Service (Ref: the ARN; GetAtt Name, ServiceArn): created, then
 * updated in place (task definition, desired count, deployment
 * configuration). As CloudFormation does, create and update wait until the
 * service's deployment is stable (rollout COMPLETED) and fail the resource
 * when it fails (the deployment circuit breaker tripped: tasks failed to
 * pull their image or failed health checks) or does not stabilise in time;
 * the failed service stays the stack's, so the rollback deletes or reverts it.
 */
export function ecsServiceProvider(links: EmulatorLinks): ResourceProvider {
  const attributes = (arn: string, name: string) => ({ Name: name, ServiceArn: arn });
  const provider: ResourceProvider = {
    emulated: true,
    create: async (props, context) => {
      checkDeploymentModel(props);
      const name = typeof props.ServiceName === 'string' ? props.ServiceName : generatedName(context, { maxLength: 255 });
      const cluster = stringProperty(props, 'Cluster', 'default');
      const input = { ...ecsInput(integers(props)), serviceName: name } as CreateServiceCommandInput;
      const { service } = await withEcs(links, (ecs) => ecs.send(new CreateServiceCommand(input)));
      const arn = service?.serviceArn ?? `arn:aws:ecs:${context.region}:${context.account}:service/${cluster}/${name}`;
      const result = { physicalId: arn, attributes: attributes(arn, name) };
      await stabilized(links, cluster, name, result, context);
      return result;
    },
    update: async (props, previous, context) => {
      const replaced = ['ServiceName', 'Cluster', 'LaunchType'].some((key) => JSON.stringify(props[key]) !== JSON.stringify(previous.properties[key]));
      if (replaced) return provider.create(props, context);
      checkDeploymentModel(props);
      const camel = ecsInput(integers(props));
      const cluster = stringProperty(props, 'Cluster', 'default');
      const input: UpdateServiceCommandInput = {
        cluster, service: String(previous.attributes.Name),
        taskDefinition: camel.taskDefinition as string, desiredCount: camel.desiredCount as number,
        deploymentConfiguration: camel.deploymentConfiguration as UpdateServiceCommandInput['deploymentConfiguration'],
      };
      await withEcs(links, (ecs) => ecs.send(new UpdateServiceCommand(input)));
      const result = { physicalId: previous.physicalId, attributes: previous.attributes };
      await stabilized(links, cluster, String(previous.attributes.Name), result, context);
      return result;
    },
    // CloudFormation scales the service to zero and deletes it (force, as the service may still run tasks).
    delete: async (resource) => { await withEcs(links, (ecs) => ecs.send(new DeleteServiceCommand({ cluster: stringProperty(resource.properties, 'Cluster', 'default'), service: String(resource.attributes.Name), force: true }))); },
  };
  return provider;
}

/** The deployment configuration members the emulated rollout applies. */
const DEPLOYMENT_CONFIGURATION_KEYS: ReadonlySet<string> = new Set(['MaximumPercent', 'MinimumHealthyPercent', 'DeploymentCircuitBreaker', 'Alarms', 'Strategy']);

/**
 * Refuses a deployment model the emulated ECS would otherwise run as a plain
 * rolling update: another deployment controller (CODE_DEPLOY, EXTERNAL),
 * another strategy (BLUE_GREEN, LINEAR, CANARY), CloudWatch alarm rollbacks
 * (alarms are recorded, never evaluated) or a member it does not know.
 */
function checkDeploymentModel(props: Record<string, unknown>): void {
  const controller = (props.DeploymentController as { Type?: unknown } | undefined)?.Type;
  if (controller !== undefined && controller !== 'ECS') throw new Error(`DeploymentController.Type ${JSON.stringify(controller)} is not emulated; the emulated ECS runs rolling updates (ECS) only`);
  const config = (props.DeploymentConfiguration ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(config).find((key) => !DEPLOYMENT_CONFIGURATION_KEYS.has(key));
  if (unknown) throw new Error(`DeploymentConfiguration.${unknown} is not understood by the emulated ECS; it applies ${[...DEPLOYMENT_CONFIGURATION_KEYS].join(', ')}`);
  if (config.Strategy !== undefined && config.Strategy !== 'ROLLING') throw new Error(`DeploymentConfiguration.Strategy ${JSON.stringify(config.Strategy)} is not emulated; the emulated ECS runs ROLLING deployments only`);
  if ((config.Alarms as { Enable?: unknown } | undefined)?.Enable === true) throw new Error('DeploymentConfiguration.Alarms.Enable true is not emulated: CloudWatch alarms are recorded, never evaluated, so no alarm would ever roll the deployment back');
}

/**
 * CloudFormation converts a string that holds a number into the Integer a
 * property's schema asks for (a `DesiredCount` taken from a custom
 * resource's `Fn::GetAtt`, which is always a string); the ECS API does not.
 */
function integers(props: Record<string, unknown>): Record<string, unknown> {
  const integer = (value: unknown): unknown => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);
  const config = props.DeploymentConfiguration as Record<string, unknown> | undefined;
  return {
    ...props,
    ...(props.DesiredCount !== undefined ? { DesiredCount: integer(props.DesiredCount) } : {}),
    ...(props.HealthCheckGracePeriodSeconds !== undefined ? { HealthCheckGracePeriodSeconds: integer(props.HealthCheckGracePeriodSeconds) } : {}),
    ...(config ? { DeploymentConfiguration: { ...config, ...(config.MaximumPercent !== undefined ? { MaximumPercent: integer(config.MaximumPercent) } : {}), ...(config.MinimumHealthyPercent !== undefined ? { MinimumHealthyPercent: integer(config.MinimumHealthyPercent) } : {}) } } : {}),
  };
}

/** Waits for the service's PRIMARY deployment to finish its rollout; throws {@link ResourceNotStabilized} when it failed or timed out. */
async function stabilized(links: EmulatorLinks, cluster: string, service: string, result: ResourceResult, context: ProviderContext): Promise<void> {
  const primary = links.ecs.deployments(cluster, service).find((deployment) => deployment.status === 'PRIMARY');
  if (!primary) throw new ResourceNotStabilized(`service ${service} has no PRIMARY deployment`, result);
  const outcome = await links.ecs.waitForRollout(cluster, service, primary.id, { clock: links.clock, timeoutMs: SERVICE_STABILIZATION_TIMEOUT_MS });
  if (outcome.rolloutState === 'COMPLETED') return;
  throw new ResourceNotStabilized(failureMessage(links, service, outcome, context), result);
}

/** CloudFormation's words for the two ways a service fails to stabilise, with the last stopped task's reason (what the ECS console shows). */
function failureMessage(links: EmulatorLinks, service: string, outcome: DeploymentSnapshot, context: ProviderContext): string {
  const stopped = links.ecs.taskHistory().filter((task) => task.serviceName === service && task.deploymentId === outcome.id && task.stoppedReason !== undefined);
  const cause = stopped.length ? ` Last stopped task: ${stopped[stopped.length - 1]!.stoppedReason}` : '';
  if (outcome.rolloutState === 'FAILED') {
    return `Resource handler returned message: "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'." (HandlerErrorCode: GeneralServiceException; deployment ${outcome.id} of ${context.logicalId}: ${outcome.rolloutStateReason}).${cause}`;
  }
  return `Resource timed out waiting for completion (service ${service}, deployment ${outcome.id} still ${outcome.rolloutState} after ${SERVICE_STABILIZATION_TIMEOUT_MS / 3_600_000} hours).${cause}`;
}
