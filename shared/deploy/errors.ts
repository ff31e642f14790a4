import { awsErrorName, isRetryableAwsError } from '../adapters/aws-error';

/** Stable codes of {@link DeployError}. */
export type DeployErrorCode =
  | 'UNKNOWN_ENVIRONMENT'
  | 'SERVICE_NOT_FOUND'
  | 'IMAGE_NOT_FOUND'
  | 'NO_PRIMARY_DEPLOYMENT'
  | 'ECS_FAILED'
  | 'ECR_FAILED';

/** Context fields of a {@link DeployError}: cluster, service, repository, digest... */
export type DeployErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Base class of every error raised while rolling services. `retryable` is set
 * for throttling and server errors of ECS and ECR.
 */
export class DeployError extends Error {
  readonly code: DeployErrorCode;
  readonly retryable: boolean;
  readonly context: DeployErrorContext;

  constructor(code: DeployErrorCode, message: string, options: { retryable?: boolean; context?: DeployErrorContext; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeployError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/**
 * Maps an AWS SDK error to a {@link DeployError} with what was being done;
 * throttling, 5xx answers and network failures are retryable (see
 * `isRetryableAwsError`). ECS's and ECR's `LimitExceededException` is a quota,
 * not a rate, so it is final.
 */
export function awsError(code: 'ECS_FAILED' | 'ECR_FAILED', doing: string, error: unknown, context: DeployErrorContext = {}): DeployError {
  if (error instanceof DeployError) return error;
  const name = awsErrorName(error);
  const retryable = isRetryableAwsError(error);
  return new DeployError(code, `${doing}: ${name}: ${(error as Error).message}`, { retryable, cause: error, context: { ...context, awsError: name } });
}
