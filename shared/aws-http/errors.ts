/**
 * Errors of the lean AWS client. They have the shape of the AWS SDK's service
 * exceptions (`name` is the AWS error code, `$metadata.httpStatusCode`,
 * `$fault`), so the adapters' error handling treats both alike.
 */

/** What AWS (or the network) said about a failed call. */
export interface AwsHttpErrorOptions {
  /** HTTP status, when an answer came. */
  readonly status?: number;
  readonly requestId?: string;
  /** `client` for 4xx and bad input, `server` for 5xx and network failures. */
  readonly fault: 'client' | 'server';
  /** Attempts made, retries included. */
  readonly attempts?: number;
  /** Low-level network code such as `ECONNRESET`. */
  readonly networkCode?: string;
  readonly cause?: unknown;
}

/**
 * A failed AWS call: `name` is AWS's error code (`NoSuchKey`,
 * `ThrottlingException`, ...) or this client's own (`MissingRegion`,
 * `NetworkError`, `InvalidResponse`).
 */
export class AwsHttpError extends Error {
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string; readonly attempts?: number };
  readonly $fault: 'client' | 'server';
  readonly networkCode?: string;

  constructor(name: string, message: string, options: AwsHttpErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.$fault = options.fault;
    this.$metadata = {
      ...(options.status === undefined ? {} : { httpStatusCode: options.status }),
      ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
      ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
    };
    if (options.networkCode !== undefined) this.networkCode = options.networkCode;
  }
}

/** AWS error codes that mean "slow down": retried with a longer back-off. */
const THROTTLING = /^(Throttling|ThrottlingException|ThrottledException|TooManyRequestsException|RequestLimitExceeded|RequestThrottled|RequestThrottledException|ProvisionedThroughputExceededException|SlowDown|BandwidthLimitExceeded|PriorRequestNotComplete)$/;

/** AWS error codes of transient server trouble. */
const TRANSIENT = /^(InternalError|InternalFailure|InternalServerError|InternalServerException|ServiceUnavailable|ServiceUnavailableException|RequestTimeout|RequestTimeoutException)$/;

/** Whether an error is AWS asking the caller to slow down. */
export function isThrottling(error: AwsHttpError): boolean {
  return error.$metadata.httpStatusCode === 429 || THROTTLING.test(error.name);
}

/** Whether the same call may succeed later: throttling, 5xx, transient server codes, or no answer at all. */
export function isTransient(error: AwsHttpError): boolean {
  const status = error.$metadata.httpStatusCode;
  return isThrottling(error) || (status !== undefined && status >= 500) || TRANSIENT.test(error.name) || error.name === 'NetworkError';
}
