import { TemplateError } from '../errors';
import type { EmulatorLinks } from './links';
import type { ResourceProvider } from './provider';
import { recordedProvider } from './recorded';
import { recordingSdkCalls } from './recorded-calls';
import { ecsClusterProvider, ecsTaskDefinitionProvider, scalableTargetProvider, scalingPolicyProvider } from './compute';
import { ecsServiceProvider } from './ecs-service';
import { backupPlanProvider, backupSelectionProvider, backupVaultProvider, efsFileSystemProvider, eventRuleProvider, rdsInstanceProvider, scheduleGroupProvider, scheduleProvider, snsTopicProvider } from './messaging';
import { dynamoTableProvider, ecrRepositoryProvider, pullThroughCacheRuleProvider, s3BucketProvider, ssmParameterProvider } from './storage';

export * from './links';
export * from './provider';
export { RECORDED_TYPES } from './recorded';
export { customResourceProvider, eventInvokeConfigProvider, lambdaFunctionProvider } from './lambda';
export type { LambdaLinks } from './lambda';

/** Extra providers by type, tried before the built-in ones (Lambda functions and custom resources need the function runtime). */
export type ProviderOverrides = Readonly<Record<string, ResourceProvider>>;

/**
 * The provider of each resource type: the emulated services for the types
 * they model, a recorder (realistic ids and attributes) for the rest of what
 * this app's templates hold, and for any other type a provider whose create
 * fails naming the logical id and the type.
 *
 * @example
 * const provider = providerRegistry(links);
 * await provider('AWS::S3::Bucket').create({ BucketName: 'b' }, context);
 */
export function providerRegistry(links: EmulatorLinks, overrides: ProviderOverrides = {}): (type: string) => ResourceProvider {
  const emulated: Record<string, ResourceProvider> = {
    'AWS::S3::Bucket': s3BucketProvider(links),
    'AWS::DynamoDB::Table': dynamoTableProvider(links),
    'AWS::ECR::Repository': ecrRepositoryProvider(links),
    'AWS::ECR::PullThroughCacheRule': pullThroughCacheRuleProvider(links),
    'AWS::SSM::Parameter': ssmParameterProvider(links),
    'AWS::ECS::Cluster': ecsClusterProvider(links),
    'AWS::ECS::TaskDefinition': ecsTaskDefinitionProvider(links),
    'AWS::ECS::Service': ecsServiceProvider(links),
    'AWS::ApplicationAutoScaling::ScalableTarget': scalableTargetProvider(links),
    'AWS::ApplicationAutoScaling::ScalingPolicy': scalingPolicyProvider(links),
    'AWS::SNS::Topic': snsTopicProvider(links),
    'AWS::Events::Rule': eventRuleProvider(links),
    'AWS::Scheduler::ScheduleGroup': scheduleGroupProvider(links),
    'AWS::Scheduler::Schedule': scheduleProvider(links),
    'AWS::Backup::BackupVault': backupVaultProvider(links),
    'AWS::Backup::BackupPlan': backupPlanProvider(links),
    'AWS::Backup::BackupSelection': backupSelectionProvider(links),
    'AWS::EFS::FileSystem': efsFileSystemProvider(links),
  };
  for (const [type, provider] of Object.entries(emulated)) emulated[type] = { ...provider, understood: new Set([...UNDERSTOOD[type] ?? [], 'Tags']) };
  // Overrides are read at each lookup: the function runtime registers them once the servers listen.
  const custom = (type: string): ResourceProvider | undefined => {
    const provider = type.startsWith('Custom::') ? overrides['AWS::CloudFormation::CustomResource'] : undefined;
    return provider ? recordingSdkCalls(provider) : undefined;
  };
  const checked = (type: string, provider: ResourceProvider | undefined): ResourceProvider | undefined => (provider && UNDERSTOOD[type] && !provider.understood ? { ...provider, understood: new Set([...UNDERSTOOD[type], 'Tags']) } : provider);
  // Recorded, with AWS Backup's view of it: no understood-property check (every property is a recorded fact).
  const backedUp: Record<string, ResourceProvider> = { 'AWS::RDS::DBInstance': rdsInstanceProvider(links) };
  return (type) => checked(type, overrides[type]) ?? emulated[type] ?? backedUp[type] ?? recordedProvider(type) ?? custom(type) ?? unsupported(type);
}

/**
 * The properties each emulated type applies (names, keys, versioning,
 * EventBridge notifications, task definitions, deployment configuration,
 * targets, schedules ...) or accepts without enforcing (encryption, access
 * policies, logging, lifecycle rules): everything the bootstrap template and
 * this app's templates use. Anything else fails the resource, naming it.
 */
const UNDERSTOOD: Readonly<Record<string, readonly string[]>> = {
  'AWS::S3::Bucket': ['BucketName', 'VersioningConfiguration', 'NotificationConfiguration', 'AccessControl', 'BucketEncryption', 'PublicAccessBlockConfiguration', 'LifecycleConfiguration', 'OwnershipControls', 'LoggingConfiguration'],
  'AWS::DynamoDB::Table': ['TableName', 'AttributeDefinitions', 'KeySchema', 'BillingMode', 'ProvisionedThroughput', 'GlobalSecondaryIndexes', 'DeletionProtectionEnabled', 'PointInTimeRecoverySpecification', 'SSESpecification', 'TimeToLiveSpecification'],
  'AWS::ECR::Repository': ['RepositoryName', 'ImageTagMutability', 'ImageTagMutabilityExclusionFilters', 'EmptyOnDelete', 'LifecyclePolicy', 'RepositoryPolicyText', 'ImageScanningConfiguration'],
  'AWS::ECR::PullThroughCacheRule': ['EcrRepositoryPrefix', 'UpstreamRegistryUrl', 'UpstreamRegistry', 'CredentialArn', 'CustomRoleArn', 'UpstreamRepositoryPrefix'],
  'AWS::SSM::Parameter': ['Name', 'Type', 'Value', 'Description', 'Tier', 'DataType'],
  'AWS::ECS::Cluster': ['ClusterName', 'ClusterSettings'],
  'AWS::ECS::TaskDefinition': ['Family', 'ContainerDefinitions', 'Cpu', 'Memory', 'NetworkMode', 'RequiresCompatibilities', 'ExecutionRoleArn', 'TaskRoleArn', 'Volumes', 'RuntimePlatform'],
  'AWS::ECS::Service': ['ServiceName', 'Cluster', 'TaskDefinition', 'DesiredCount', 'LaunchType', 'DeploymentConfiguration', 'DeploymentController', 'NetworkConfiguration', 'EnableECSManagedTags', 'PropagateTags', 'ServiceRegistries', 'HealthCheckGracePeriodSeconds', 'LoadBalancers'],
  'AWS::ApplicationAutoScaling::ScalableTarget': ['ServiceNamespace', 'ResourceId', 'ScalableDimension', 'MinCapacity', 'MaxCapacity', 'RoleARN'],
  'AWS::ApplicationAutoScaling::ScalingPolicy': ['PolicyName', 'PolicyType', 'ScalingTargetId', 'ResourceId', 'ScalableDimension', 'ServiceNamespace', 'TargetTrackingScalingPolicyConfiguration'],
  'AWS::SNS::Topic': ['TopicName', 'KmsMasterKeyId'],
  'AWS::Events::Rule': ['Name', 'Description', 'EventPattern', 'State', 'Targets'],
  'AWS::Scheduler::ScheduleGroup': ['Name'],
  'AWS::Scheduler::Schedule': ['Name', 'GroupName', 'Description', 'FlexibleTimeWindow', 'ScheduleExpression', 'ScheduleExpressionTimezone', 'StartDate', 'EndDate', 'State', 'Target'],
  'AWS::Backup::BackupVault': ['BackupVaultName', 'EncryptionKeyArn'],
  'AWS::Backup::BackupPlan': ['BackupPlan', 'BackupPlanTags'],
  'AWS::Backup::BackupSelection': ['BackupPlanId', 'BackupSelection'],
  'AWS::EFS::FileSystem': ['BackupPolicy', 'Encrypted', 'FileSystemPolicy', 'FileSystemTags', 'KmsKeyId', 'LifecyclePolicies', 'PerformanceMode', 'ThroughputMode'],
  // VpcConfig is accepted without effect: the VPC is recorded, and a function runs on the host's network.
  'AWS::Lambda::Function': ['FunctionName', 'Code', 'Handler', 'Runtime', 'Timeout', 'MemorySize', 'Environment', 'Architectures', 'EphemeralStorage', 'LoggingConfig', 'ReservedConcurrentExecutions', 'Role', 'Description', 'VpcConfig', 'DeadLetterConfig'],
  'AWS::Lambda::EventInvokeConfig': ['FunctionName', 'Qualifier', 'MaximumRetryAttempts', 'MaximumEventAgeInSeconds', 'DestinationConfig'],
};

function unsupported(type: string): ResourceProvider {
  return {
    emulated: false,
    create: async (_props, context) => { throw new TemplateError(context.logicalId, 'Type', `resource type ${type} is neither emulated nor recorded by the local CloudFormation`); },
    delete: async () => undefined,
  };
}
