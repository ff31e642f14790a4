import { awsErrorName, isRetryableAwsError } from '../adapters/aws-error';

/** Stable codes of {@link LedgerError}; callers switch on these, never on messages. */
export type LedgerErrorCode =
  | 'LEASE_HELD'
  | 'LEASE_LOST'
  | 'NOT_QUEUED'
  | 'NOT_IN_FLIGHT'
  | 'CONTENTION'
  | 'CORRUPT_RECORD'
  | 'DYNAMODB_FAILED';

/** Context fields carried by every {@link LedgerError}: which environment and deployment. */
export type LedgerErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Base class of every error raised by the deployment ledger. `retryable` says
 * whether the same call may succeed later (contention, throttling) or never will
 * (another invocation holds the lease).
 */
export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  readonly retryable: boolean;
  readonly context: LedgerErrorContext;

  constructor(code: LedgerErrorCode, message: string, options: { retryable?: boolean; context?: LedgerErrorContext; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LedgerError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/** A lease operation was refused: another deployment or owner holds the environment. */
export class LeaseError extends LedgerError {
  constructor(code: 'LEASE_HELD' | 'LEASE_LOST' | 'NOT_QUEUED' | 'NOT_IN_FLIGHT', message: string, context: LedgerErrorContext) {
    super(code, message, { context });
    this.name = 'LeaseError';
  }
}

/** A stored item does not have the shape this code writes: never retried. */
export class CorruptRecordError extends LedgerError {
  constructor(message: string, context: LedgerErrorContext, cause?: unknown) {
    super('CORRUPT_RECORD', message, { context, cause });
    this.name = 'CorruptRecordError';
  }
}

/**
 * A failed DynamoDB call of the ledger as a {@link LedgerError}
 * (`DYNAMODB_FAILED`) naming what was being done, the table and the AWS
 * error; retryable by the shared rule. Ledger errors pass through unchanged.
 *
 * @example
 * throw dynamoDbError('reading environment dev', 'wicked-dev-ledger', error);
 */
export function dynamoDbError(doing: string, tableName: string, error: unknown): LedgerError {
  if (error instanceof LedgerError) return error;
  const name = awsErrorName(error);
  return new LedgerError('DYNAMODB_FAILED', `${doing} in table ${tableName}: ${name}: ${(error as Error).message}`, {
    retryable: isRetryableAwsError(error), cause: error, context: { table: tableName, awsError: name },
  });
}
