/**
 * The one place that decides whether an AWS SDK failure is transient. Every
 * adapter keeps its own error class and code and asks this module only two
 * things: what the SDK error is called (and its HTTP status), and whether the
 * same call may succeed if tried again later.
 *
 * @example
 * catch (error) {
 *   throw new LedgerError('DYNAMODB_FAILED', `reading ${key}: ${awsErrorName(error)}`, { retryable: isRetryableAwsError(error), cause: error });
 * }
 */

/**
 * Error names (with any `Exception` suffix removed first) that mean "try
 * again later" whatever the service: rate limits, a busy or failing server,
 * a request that timed out on the way.
 *
 * `LimitExceededException` is deliberately absent. AWS Backup, ECS and ECR use
 * it for quotas (items per request, resources per account), which no retry
 * fixes. Where a service means a rate by it and answers 429, the status makes
 * it retryable; a module whose service means a rate by it with another status
 * passes `extra`.
 */
const RETRYABLE_NAMES = new Set([
  'TooManyRequests',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'InternalServerError',
  'InternalFailure',
  // S3 answers a stalled upload with RequestTimeout and HTTP 400; the SDK's own handler times out with TimeoutError.
  'RequestTimeout',
  'TimeoutError',
]);

/** Throttling in any spelling (Throttling, ThrottledException, KMSThrottlingException...), and every `...ServerException`. */
const RETRYABLE_NAME_PATTERN = /Throttl|ServerException$/;

/**
 * Node network codes of a request that never got an HTTP answer and may get
 * one next time. `ENOTFOUND` is left out on purpose: the resolver answered
 * that the host does not exist (a wrong endpoint or region), so a retry only
 * delays the real error; a resolver that could not answer says `EAI_AGAIN`.
 */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
]);

/** How deep the network code search follows `cause` links. */
const MAX_CAUSE_DEPTH = 5;

/**
 * The SDK error's name (`ThrottlingException`, `NoSuchKey`...), or `'Unknown'`
 * when the value has none.
 *
 * @example
 * awsErrorName(new NotFoundException({ message: 'no topic', $metadata: {} })); // 'NotFoundException'
 */
export function awsErrorName(error: unknown): string {
  const name = field(error, 'name');
  return typeof name === 'string' && name !== '' ? name : 'Unknown';
}

/**
 * The HTTP status of the answer that carried the error
 * (`$metadata.httpStatusCode`), or `undefined` when no answer arrived.
 *
 * @example
 * awsErrorStatus({ $metadata: { httpStatusCode: 503 } }); // 503
 */
export function awsErrorStatus(error: unknown): number | undefined {
  const status = field(field(error, '$metadata'), 'httpStatusCode');
  return typeof status === 'number' ? status : undefined;
}

/**
 * Whether the same AWS call may succeed later. True for an HTTP status of 429
 * or 500 and above; for the throttling and server error names above; for
 * errors the SDK itself marks retryable (`$retryable`); and for a request
 * that never got an HTTP answer because of a network failure or a timeout.
 * Anything else, such as a `TypeError` from a bug, is final: a failure that
 * carries neither a status nor a network code is not a network failure.
 * `AbortError` is final too: someone cancelled the call on purpose.
 *
 * @param extra service-specific names that are retryable too, matched against the error name.
 * @example
 * isRetryableAwsError(error); // the common rules
 * isRetryableAwsError(error, /^LimitExceededException$/); // plus a name this service uses for a rate limit
 */
export function isRetryableAwsError(error: unknown, extra?: RegExp): boolean {
  const name = awsErrorName(error);
  if (name === 'AbortError') return false;
  const status = awsErrorStatus(error);
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  if (RETRYABLE_NAMES.has(name.replace(/Exception$/, '')) || RETRYABLE_NAME_PATTERN.test(name)) return true;
  if (extra?.test(name)) return true;
  const retryableTrait = field(error, '$retryable');
  if (typeof retryableTrait === 'object' && retryableTrait !== null) return true;
  return status === undefined && hasRetryableNetworkCode(error);
}

/**
 * Whether a retryable Node error code (`ECONNRESET`...) sits on the error, its
 * `cause` chain, or one of the attempts of an `AggregateError` (one per
 * address tried).
 */
function hasRetryableNetworkCode(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > MAX_CAUSE_DEPTH) return false;
  const code = field(error, 'code');
  if (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) return true;
  const attempts: unknown[] = error instanceof AggregateError ? error.errors : [];
  return attempts.some((attempt) => hasRetryableNetworkCode(attempt, depth + 1)) || hasRetryableNetworkCode(field(error, 'cause'), depth + 1);
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}
