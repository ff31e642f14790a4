import { AwsServiceError } from '../kernel/aws-json';

/** Stable codes of the Application Auto Scaling emulator's errors, mapped to AWS error types. */
export const AAS_ERROR_TYPES = {
  VALIDATION: 'ValidationException',
  OBJECT_NOT_FOUND: 'ObjectNotFoundException',
} as const;

/** A stable code of {@link AutoScalingEmulatorError}. */
export type AutoScalingErrorCode = keyof typeof AAS_ERROR_TYPES;

/** Base error of the Application Auto Scaling emulator: AWS-shaped, with a stable `code` and context. */
export class AutoScalingEmulatorError extends AwsServiceError {
  constructor(readonly code: AutoScalingErrorCode, message: string, readonly context: Readonly<Record<string, unknown>> = {}) {
    super(AAS_ERROR_TYPES[code], message, 400);
  }
}
