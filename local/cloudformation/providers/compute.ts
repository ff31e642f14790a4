import type { DeleteScalingPolicyCommandInput, DeregisterScalableTargetCommandInput, PutScalingPolicyCommandInput, RegisterScalableTargetCommandInput } from '@aws-sdk/client-application-auto-scaling';
import { ApplicationAutoScalingClient, DeleteScalingPolicyCommand, DeregisterScalableTargetCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { CreateClusterCommand, DeleteClusterCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { EmulatorLinks } from './links';
import { CLIENT_DEFAULTS, camelInput } from './links';
import type { ResourceProvider } from './provider';
import { generatedName, updateInPlaceUnless } from './provider';

type Props = Record<string, unknown>;

/** CloudFormation spells a few ECS fields differently from the API (`EFSVolumeConfiguration.FilesystemId` is `efsVolumeConfiguration.fileSystemId`). */
export function ecsInput(props: Props): Record<string, unknown> {
  const json = JSON.stringify(camelInput(props));
  return JSON.parse(json.replace(/"eFSVolumeConfiguration"/g, '"efsVolumeConfiguration"').replace(/"filesystemId"/g, '"fileSystemId"').replace(/"iAM"/g, '"iam"')) as Record<string, unknown>;
}

export async function withEcs<T>(links: EmulatorLinks, run: (ecs: ECSClient) => Promise<T>): Promise<T> {
  const ecs = new ECSClient({ ...CLIENT_DEFAULTS, endpoint: links.endpoints.ecs });
  try { return await run(ecs); } finally { ecs.destroy(); }
}


/** AWS::ECS::Cluster (Ref: the name). */
export function ecsClusterProvider(links: EmulatorLinks): ResourceProvider {
  return {
    emulated: true,
    create: async (props, context) => {
      const name = typeof props.ClusterName === 'string' ? props.ClusterName : generatedName(context, { maxLength: 255 });
      const { cluster } = await withEcs(links, (ecs) => ecs.send(new CreateClusterCommand({ clusterName: name })));
      return { physicalId: name, attributes: { Arn: cluster?.clusterArn ?? `arn:aws:ecs:${context.region}:${context.account}:cluster/${name}` } };
    },
    update: (props, previous, context) => updateInPlaceUnless(['ClusterName'], (p, c) => ecsClusterProvider(links).create(p, c))(props, previous, context),
    delete: async (resource) => { await withEcs(links, (ecs) => ecs.send(new DeleteClusterCommand({ cluster: resource.physicalId }))); },
  };
}

/** AWS::ECS::TaskDefinition (Ref: the ARN with its revision); every change registers a new revision, as on AWS. */
export function ecsTaskDefinitionProvider(links: EmulatorLinks): ResourceProvider {
  return {
    emulated: true,
    create: async (props, context) => {
      const input = { ...ecsInput(props), family: typeof props.Family === 'string' ? props.Family : `${context.stackName}${context.logicalId}`.replace(/[^A-Za-z0-9_-]/g, '') } as RegisterTaskDefinitionCommandInput;
      const { taskDefinition } = await withEcs(links, (ecs) => ecs.send(new RegisterTaskDefinitionCommand(input)));
      const arn = taskDefinition?.taskDefinitionArn;
      if (!arn) throw new Error(`RegisterTaskDefinition of ${input.family} answered no taskDefinitionArn`);
      return { physicalId: arn, attributes: { TaskDefinitionArn: arn } };
    },
    // Old revisions stay registered (AWS marks them INACTIVE; the emulator has no DeregisterTaskDefinition).
    delete: async () => undefined,
  };
}

async function withScaling<T>(links: EmulatorLinks, run: (client: ApplicationAutoScalingClient) => Promise<T>): Promise<T> {
  const client = new ApplicationAutoScalingClient({ ...CLIENT_DEFAULTS, endpoint: links.endpoints.autoscaling });
  try { return await run(client); } finally { client.destroy(); }
}

/** AWS::ApplicationAutoScaling::ScalableTarget (Ref: `resourceId|dimension|namespace`, as CloudFormation returns it). */
export function scalableTargetProvider(links: EmulatorLinks): ResourceProvider {
  const register = async (props: Props) => {
    await withScaling(links, (client) => client.send(new RegisterScalableTargetCommand({ ServiceNamespace: props.ServiceNamespace, ResourceId: props.ResourceId as string, ScalableDimension: props.ScalableDimension as RegisterScalableTargetCommandInput['ScalableDimension'], MinCapacity: props.MinCapacity as number, MaxCapacity: props.MaxCapacity as number, ...(props.RoleARN ? { RoleARN: props.RoleARN as string } : {}) } as RegisterScalableTargetCommandInput)));
    return { physicalId: `${String(props.ResourceId)}|${String(props.ScalableDimension)}|${String(props.ServiceNamespace)}` };
  };
  return { emulated: true, create: register, update: register, delete: async (resource) => {
    const p = resource.properties;
    await withScaling(links, (client) => client.send(new DeregisterScalableTargetCommand({ ServiceNamespace: p.ServiceNamespace, ResourceId: p.ResourceId, ScalableDimension: p.ScalableDimension } as DeregisterScalableTargetCommandInput)));
  } };
}

/** AWS::ApplicationAutoScaling::ScalingPolicy (Ref: the policy ARN); target tracking on the predefined metrics. */
export function scalingPolicyProvider(links: EmulatorLinks): ResourceProvider {
  const put = async (props: Props, context: { region: string; account: string; logicalId: string }) => {
    const [resourceId, dimension, namespace] = typeof props.ScalingTargetId === 'string' ? props.ScalingTargetId.split('|') : [props.ResourceId, props.ScalableDimension, props.ServiceNamespace];
    const tracking = props.TargetTrackingScalingPolicyConfiguration as Record<string, unknown> | undefined;
    const input = {
      PolicyName: typeof props.PolicyName === 'string' ? props.PolicyName : context.logicalId,
      ServiceNamespace: namespace, ResourceId: resourceId, ScalableDimension: dimension, PolicyType: props.PolicyType,
      ...(tracking ? { TargetTrackingScalingPolicyConfiguration: tracking } : {}),
    } as PutScalingPolicyCommandInput;
    const answer = await withScaling(links, (client) => client.send(new PutScalingPolicyCommand(input)));
    const arn = answer.PolicyARN ?? `arn:aws:autoscaling:${context.region}:${context.account}:scalingPolicy:${input.PolicyName}`;
    return { physicalId: arn, attributes: { Arn: arn } };
  };
  return { emulated: true, create: put, update: (props, _previous, context) => put(props, context), delete: async (resource) => {
    const p = resource.properties;
    const [resourceId, dimension, namespace] = typeof p.ScalingTargetId === 'string' ? p.ScalingTargetId.split('|') : [p.ResourceId, p.ScalableDimension, p.ServiceNamespace];
    await withScaling(links, (client) => client.send(new DeleteScalingPolicyCommand({ PolicyName: typeof p.PolicyName === 'string' ? p.PolicyName : '', ServiceNamespace: namespace, ResourceId: resourceId, ScalableDimension: dimension } as DeleteScalingPolicyCommandInput)));
  } };
}
