import { AwsServiceError } from '../kernel/aws-json';

/** Stable codes of the ECS emulator's errors, each mapped to the AWS error type the SDK sees. */
export const ECS_ERROR_TYPES = {
  CLUSTER_NOT_FOUND: 'ClusterNotFoundException',
  SERVICE_NOT_FOUND: 'ServiceNotFoundException',
  INVALID_PARAMETER: 'InvalidParameterException',
  CLIENT: 'ClientException',
} as const;

/** A stable code of {@link EcsEmulatorError}. */
export type EcsErrorCode = keyof typeof ECS_ERROR_TYPES;

/**
 * Base error of the ECS emulator: an AWS-shaped error (the SDK receives its
 * `__type`) with a stable `code` and the context that caused it.
 */
export class EcsEmulatorError extends AwsServiceError {
  constructor(readonly code: EcsErrorCode, message: string, readonly context: Readonly<Record<string, unknown>> = {}) {
    super(ECS_ERROR_TYPES[code], message, 400);
  }
}
