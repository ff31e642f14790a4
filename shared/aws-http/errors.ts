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

/** AWS error codes that mean "slow down": the client backs off longer after them, as the SDK does. */
const THROTTLING = /Throttl|^(TooManyRequestsException|RequestLimitExceeded|ProvisionedThroughputExceededException|SlowDown|BandwidthLimitExceeded|PriorRequestNotComplete)$/;

/** Whether an error is AWS asking the caller to slow down (whether to retry at all is `isRetryableAwsError`'s call). */
export function isThrottling(error: AwsHttpError): boolean {
  return error.$metadata.httpStatusCode === 429 || THROTTLING.test(error.name);
}
