import { RegistryError, RegistryOptionsError } from './errors';

/** Bounds of the retry loop. */
export interface RetryPolicy {
  /** Attempts in total, the first one included. @default 5 */
  readonly maxAttempts: number;
  /** Cap of the first backoff window; doubles per attempt. @default 200 */
  readonly baseDelayMs: number;
  /** Largest backoff window (Retry-After may ask for more). @default 5000 */
  readonly maxDelayMs: number;
  /** No retry is started that would end later than this after the first attempt began. @default 60000 */
  readonly maxElapsedMs: number;
}

/** Defaults of {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5000, maxElapsedMs: 60_000 };

/** What is known about a failed attempt. */
export interface FailureFacts {
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Low-level network error code (`ECONNRESET`, `UND_ERR_SOCKET`, ...), when no response arrived. */
  readonly networkCode?: string;
  /** Delay asked for by `Retry-After`, in milliseconds. */
  readonly retryAfterMs?: number;
}

/** Outcome of {@link decideRetry}. */
export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false; readonly reason: string };

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

/**
 * Whether a failure is transient: 408, 429, 5xx other than 501/505, or a
 * connection-level error such as a reset or a refused connection.
 */
export function isRetryableFailure(facts: FailureFacts): boolean {
  if (facts.status !== undefined) {
    const { status } = facts;
    return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
  }
  return facts.networkCode !== undefined && RETRYABLE_NETWORK_CODES.has(facts.networkCode);
}

/**
 * Decides whether to try again after attempt number `attempt` (1-based)
 * failed, and how long to wait: exponential backoff with full jitter
 * (`random × min(maxDelay, base × 2^(attempt-1))`), at least the
 * `Retry-After` delay, and never past the attempt or time budget.
 *
 * @param random a number in [0, 1), injected so the decision is pure.
 * @example
 * decideRetry({ attempt: 1, elapsedMs: 0, failure: { status: 503 } }, DEFAULT_RETRY_POLICY, 0.5);
 * // { retry: true, delayMs: 100 }
 */
export function decideRetry(
  input: { readonly attempt: number; readonly elapsedMs: number; readonly failure: FailureFacts },
  policy: RetryPolicy,
  random: number,
): RetryDecision {
  if (!isRetryableFailure(input.failure)) return { retry: false, reason: 'not retryable' };
  if (input.attempt >= policy.maxAttempts) return { retry: false, reason: `gave up after ${input.attempt} attempts` };
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (input.attempt - 1));
  const jittered = Math.floor(Math.min(Math.max(random, 0), 1) * window);
  const delayMs = Math.max(jittered, input.failure.retryAfterMs ?? 0);
  if (input.elapsedMs + delayMs > policy.maxElapsedMs) {
    return { retry: false, reason: `gave up after ${input.attempt} attempts: waiting ${delayMs} ms would pass the ${policy.maxElapsedMs} ms budget` };
  }
  return { retry: true, delayMs };
}

/**
 * Parses a `Retry-After` value (delay-seconds or an HTTP date) into
 * milliseconds from `nowMs`; `undefined` when absent or unparsable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[A-Za-z]/.test(trimmed)) return undefined; // an HTTP date names its day and month; '-1' is no date
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Checks a partial policy and fills in the defaults. */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  for (const [key, value] of Object.entries(policy)) {
    if (!(key in DEFAULT_RETRY_POLICY)) throw new RegistryOptionsError(`unknown retry option ${JSON.stringify(key)}; expected one of ${Object.keys(DEFAULT_RETRY_POLICY).join(', ')}`);
    if (!Number.isFinite(value) || value < 0) throw new RegistryOptionsError(`retry.${key} must be a finite number >= 0, received ${String(value)}`);
  }
  if (policy.maxAttempts < 1) throw new RegistryOptionsError(`retry.maxAttempts must be at least 1, received ${policy.maxAttempts}`);
  return policy;
}

/** Clock, randomness and sleep of {@link withRetry}, injectable for tests. */
export interface RetryRuntime {
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** The real clock, `Math.random` and a timer. */
export const SYSTEM_RETRY_RUNTIME: RetryRuntime = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Runs `attempt` until it succeeds or {@link decideRetry} says stop. Only
 * {@link RegistryError}s are retried (their status / network code decide);
 * other errors propagate at once. The last error is rethrown with the
 * number of attempts recorded in `attempts` and in its message.
 */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, policy: RetryPolicy, runtime: RetryRuntime = SYSTEM_RETRY_RUNTIME): Promise<T> {
  const started = runtime.now();
  for (let number = 1; ; number++) {
    try {
      return await attempt(number);
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      const decision = decideRetry({ attempt: number, elapsedMs: runtime.now() - started, failure: error }, policy, runtime.random());
      if (!decision.retry) {
        if (number > 1) error.recordAttempts(number, decision.reason);
        throw error;
      }
      await runtime.sleep(decision.delayMs);
    }
  }
}
