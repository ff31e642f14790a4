/** The emulated services, in port order: a leaf module, so the CLI can name them without loading the emulator. */
export const SERVICES = ['s3', 'dynamodb', 'ecr', 'ecs', 'autoscaling', 'backup', 'eventbridge', 'sns', 'scheduler', 'ssm'] as const;

/** One emulated service. */
export type ServiceName = (typeof SERVICES)[number];

/** An endpoint of the local cloud: an emulated service, or CloudFormation, STS and CloudTrail (what the CDK CLI calls). */
export type CloudEndpoint = ServiceName | 'cloudformation' | 'sts' | 'cloudtrail';

/** Every endpoint of the local cloud (`cloud.ts`), in the order of their ports from a base port: the services, then CloudFormation, STS and CloudTrail. */
export const CLOUD_SERVICES: readonly CloudEndpoint[] = [...SERVICES, 'cloudformation', 'sts', 'cloudtrail'];
