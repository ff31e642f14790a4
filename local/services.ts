/** The emulated services, in port order: a leaf module, so the CLI can name them without loading the emulator. */
export const SERVICES = ['s3', 'dynamodb', 'ecr', 'ecs', 'autoscaling', 'backup', 'eventbridge', 'sns', 'scheduler', 'ssm'] as const;

/** One emulated service. */
export type ServiceName = (typeof SERVICES)[number];

/** Every endpoint of the local cloud (`cloud.ts`), in the order of their ports from a base port: the services, then CloudFormation and STS. */
export const CLOUD_SERVICES: readonly (ServiceName | 'cloudformation' | 'sts')[] = [...SERVICES, 'cloudformation', 'sts'];
