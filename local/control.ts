/** The control surfaces and endpoint variables of the emulated services: a leaf module shared by `cloud.ts` and the tests. */
import type { AutoScalingControl } from './autoscaling';
import type { BackupControl } from './backup';
import type { DynamoDbControl } from './dynamodb';
import type { EcrControl } from './ecr';
import type { EcsControl } from './ecs';
import type { S3Control } from './s3';
import type { SchedulerControl } from './scheduler';
import type { ServiceName } from './services';
import type { SnsControl } from './sns';
import type { SsmControl } from './ssm';

/** The SDK's `AWS_ENDPOINT_URL_<SERVICE>` variable of each service. */
export const ENDPOINT_VARIABLES: Readonly<Record<ServiceName, string>> = {
  s3: 'AWS_ENDPOINT_URL_S3',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  ecr: 'AWS_ENDPOINT_URL_ECR',
  ecs: 'AWS_ENDPOINT_URL_ECS',
  autoscaling: 'AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING',
  backup: 'AWS_ENDPOINT_URL_BACKUP',
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  sns: 'AWS_ENDPOINT_URL_SNS',
  scheduler: 'AWS_ENDPOINT_URL_SCHEDULER',
  ssm: 'AWS_ENDPOINT_URL_SSM',
};

/** The control surfaces of every service, for tests and the demo. */
export interface EmulatorControl {
  readonly s3: S3Control;
  readonly dynamodb: DynamoDbControl;
  readonly ecr: EcrControl;
  readonly ecs: EcsControl;
  readonly autoscaling: AutoScalingControl;
  readonly backup: BackupControl;
  /** The topics and every message published (the operators' notifications). */
  readonly sns: SnsControl;
  /** Schedules, their executions, and `fire` to run the daily snapshot schedule by hand. */
  readonly scheduler: SchedulerControl;
  /** Parameter Store: the parameters the stack writes and the CLI reads. */
  readonly ssm: SsmControl;
}

/** Wall-clock floor of the bus's first retry delay (see `LocalBusOptions.retryMinWallMs`). */
export const BUS_RETRY_MIN_WALL_MS = 100;

