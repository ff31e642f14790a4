/** Stable codes of {@link DatabaseUsersError}; callers switch on these, never on messages. */
export type DatabaseUsersErrorCode =
  | 'INVALID_NAME'
  | 'INVALID_REQUEST'
  | 'INVALID_SECRET'
  | 'SECRET_UNREADABLE'
  | 'SQL_FAILED'
  | 'TLS_FAILED';

/** Context fields of a {@link DatabaseUsersError}: role, database, secret ARN (never a password). */
export type DatabaseUsersErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Base class of every error of the database-users module. `retryable` says whether the
 * same request may succeed later (the instance still starting, a throttled Secrets Manager
 * call) or never will (a role name Postgres cannot take).
 */
export class DatabaseUsersError extends Error {
  readonly code: DatabaseUsersErrorCode;
  readonly retryable: boolean;
  readonly context: DatabaseUsersErrorContext;

  constructor(code: DatabaseUsersErrorCode, message: string, options: { retryable?: boolean; context?: DatabaseUsersErrorContext; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DatabaseUsersError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}
