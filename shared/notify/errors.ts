import { awsErrorName, isRetryableAwsError } from '../adapters/aws-error';

/** Stable codes of {@link NotifyError}. */
export type NotifyErrorCode =
  | 'INVALID_ATTRIBUTE'
  | 'TOO_MANY_ATTRIBUTES'
  | 'INVALID_SCHEDULE_TIME'
  | 'SNS_FAILED'
  | 'SCHEDULER_FAILED';

/** Context fields of a {@link NotifyError}: topic, schedule name, attribute... */
export type NotifyErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Base class of every error raised while notifying operators or scheduling
 * stuck checks. `retryable` is set for throttling and server errors of SNS
 * and EventBridge Scheduler.
 */
export class NotifyError extends Error {
  readonly code: NotifyErrorCode;
  readonly retryable: boolean;
  readonly context: NotifyErrorContext;

  constructor(code: NotifyErrorCode, message: string, options: { retryable?: boolean; context?: NotifyErrorContext; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NotifyError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/**
 * Maps an AWS SDK error to a {@link NotifyError} that says what was being
 * done; throttling, 5xx answers and network failures are retryable (see
 * `isRetryableAwsError`).
 *
 * @example
 * throw awsNotifyError('SNS_FAILED', `publishing to ${topicArn}`, error, { topicArn });
 */
export function awsNotifyError(code: 'SNS_FAILED' | 'SCHEDULER_FAILED', doing: string, error: unknown, context: NotifyErrorContext = {}): NotifyError {
  if (error instanceof NotifyError) return error;
  const name = awsErrorName(error);
  const retryable = isRetryableAwsError(error);
  return new NotifyError(code, `${doing}: ${name}: ${(error as Error).message}`, { retryable, cause: error, context: { ...context, awsError: name } });
}
