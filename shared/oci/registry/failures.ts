import { RegistryError } from './errors';
import { parseErrorBody } from './error-body';
import type { RegistryErrorEntry } from './error-body';
import { isRetryableFailure, parseRetryAfter } from './retry';
import type { HttpResponse } from './transport';

/** What an operation was doing, for error messages. */
export interface OperationContext {
  /** e.g. `pushBlob sha256:ab12…`. */
  readonly operation: string;
  /** e.g. `127.0.0.1:5000/portal-api`. */
  readonly repository: string;
}

/** A non-success response, read completely. */
export interface ResponseFailure {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly entries: readonly RegistryErrorEntry[];
  readonly retryAfterMs: number | undefined;
  /** The start of the body, for messages when it held no error JSON. */
  readonly excerpt: string;
}

const MAX_ERROR_BODY = 64 * 1024;

/** Reads a failed response's body (at most 64 KiB kept) and its Retry-After. */
export async function readFailure(method: string, url: URL | string, response: HttpResponse, now: number = Date.now()): Promise<ResponseFailure> {
  let text = '';
  try {
    text = (await response.text()).slice(0, MAX_ERROR_BODY);
  } catch {
    // the body broke off: the status alone has to do
  }
  return {
    method,
    url: String(url),
    status: response.status,
    entries: parseErrorBody(text),
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now),
    excerpt: text.replace(/\s+/g, ' ').trim().slice(0, 200),
  };
}

/**
 * Turns a failed response into a {@link RegistryError} whose code is the
 * registry's `errors[0].code` (or `HTTP_ERROR`), saying what was received and
 * what was expected.
 */
export function failureError(failure: ResponseFailure, context: OperationContext, expected: string): RegistryError {
  const first = failure.entries[0];
  const code = first?.code ?? (failure.status === 401 ? 'UNAUTHORIZED' : failure.status === 403 ? 'DENIED' : 'HTTP_ERROR');
  const detail = first ? `${first.code}${first.message ? ` ${first.message}` : ''}` : failure.excerpt || 'no error body';
  return new RegistryError(`${failure.method} ${pathOf(failure.url)} answered ${failure.status} (${detail}), expected ${expected}`, {
    code,
    ...context,
    status: failure.status,
    retryable: isRetryableFailure({ status: failure.status }),
    retryAfterMs: failure.retryAfterMs,
  });
}

/** Reads a failed response and returns the matching {@link RegistryError}. */
export async function responseError(method: string, url: URL | string, response: HttpResponse, context: OperationContext, expected: string): Promise<RegistryError> {
  return failureError(await readFailure(method, url, response), context, expected);
}

/**
 * Wraps an error thrown by `fetch` (no response arrived). The low-level code
 * (`ECONNRESET`, `UND_ERR_SOCKET`, ...) is found in the `cause` chain and
 * decides whether the error is retryable.
 */
export function networkError(error: unknown, context: OperationContext, method: string, url: URL): RegistryError {
  if (error instanceof RegistryError) return error;
  const networkCode = findCode(error);
  const reason = deepestMessage(error);
  return new RegistryError(`${method} ${url.origin}${url.pathname} failed before a response arrived: ${reason}`, {
    code: 'NETWORK_ERROR',
    ...context,
    networkCode,
    retryable: isRetryableFailure({ networkCode }),
    cause: error,
  });
}

function findCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function deepestMessage(error: unknown): string {
  let message = String(error);
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof Error) message = current.message;
  }
  return message;
}

/** Path and query of a URL, without host (presigned query strings are cut). */
function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + (parsed.search.length > 80 ? '?…' : parsed.search);
  } catch {
    return url;
  }
}
