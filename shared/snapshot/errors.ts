import { awsErrorName, isRetryableAwsError } from '../adapters/aws-error';

/** Stable codes of {@link SnapshotError}; callers switch on these, never on messages. */
export type SnapshotErrorCode =
  | 'INVALID_SCHEDULE'
  | 'INVALID_LIFECYCLE'
  | 'INVALID_TAG'
  | 'UNSUPPORTED_RESOURCE'
  | 'RECOVERY_POINT_NOT_FOUND'
  | 'BACKUP_FAILED'
  | 'LEDGER_FAILED'
  | 'WRONG_ENVIRONMENT'
  | 'RUNNING_JOB_UNKNOWN'
  | 'OUTCOME_CLAIMED'
  | 'TIMEOUT';

/** Context fields of a {@link SnapshotError}: environment, resource, job or recovery point. */
export type SnapshotErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Base class of every error of the snapshot module. `retryable` says whether
 * the same call may succeed later (throttling, a 5xx from AWS Backup) or
 * never will (a malformed schedule expression).
 */
export class SnapshotError extends Error {
  readonly code: SnapshotErrorCode;
  readonly retryable: boolean;
  readonly context: SnapshotErrorContext;

  constructor(code: SnapshotErrorCode, message: string, options: { retryable?: boolean; context?: SnapshotErrorContext; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SnapshotError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/** Whether a value is a {@link SnapshotError}. */
export function isSnapshotError(error: unknown): error is SnapshotError {
  return error instanceof SnapshotError;
}

/**
 * Wraps an AWS SDK failure with what was being done: throttling, 5xx and
 * network errors are retryable (see `isRetryableAwsError`), everything else
 * is not, including an error that carries no HTTP status and no network code
 * (a bug, a value the SDK could not marshal).
 */
export function wrapAwsError(doing: string, error: unknown, code: SnapshotErrorCode, context: SnapshotErrorContext = {}): SnapshotError {
  if (error instanceof SnapshotError) return error;
  const name = awsErrorName(error);
  const retryable = isRetryableAwsError(error);
  return new SnapshotError(code, `${doing}: ${name}: ${(error as Error).message}`, { retryable, cause: error, context: { ...context, awsError: name } });
}
