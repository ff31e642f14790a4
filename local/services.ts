/** The emulated services, in port order: a leaf module, so the CLI can name them without loading the emulator. */
export const SERVICES = ['s3', 'dynamodb', 'ecr', 'ecs', 'autoscaling', 'backup', 'eventbridge', 'sns', 'scheduler', 'ssm'] as const;

/** One emulated service. */
export type ServiceName = (typeof SERVICES)[number];
