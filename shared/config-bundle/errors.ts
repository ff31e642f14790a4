/**
 * Stable codes of {@link BundleError}. Callers branch on these, never on messages.
 *
 * - Source: `NOT_FOUND`, `UNSUPPORTED_FORMAT`, `SOURCE_READ_FAILED`, `INVALID_OPTIONS`, `BUNDLE_CLOSED`.
 * - Names: `ABSOLUTE_PATH`, `PATH_TRAVERSAL`, `PATH_COLLISION`, `INVALID_NAME`,
 *   `INVALID_NAME_ENCODING`, `NAME_TOO_LONG`.
 * - Types: `LINK_NOT_ALLOWED`, `SPECIAL_FILE`.
 * - Limits: `TOO_MANY_ENTRIES`, `TOO_LARGE`, `COMPRESSION_RATIO`.
 * - Integrity: `CORRUPT_ARCHIVE`, `TRUNCATED_ARCHIVE`, `ENCRYPTED_ENTRY`.
 * - Content: `ENVKEY_IN_ARCHIVE`, `EMPTY_BUNDLE`.
 */
export type BundleErrorCode =
  | 'NOT_FOUND'
  | 'UNSUPPORTED_FORMAT'
  | 'SOURCE_READ_FAILED'
  | 'INVALID_OPTIONS'
  | 'BUNDLE_CLOSED'
  | 'ABSOLUTE_PATH'
  | 'PATH_TRAVERSAL'
  | 'PATH_COLLISION'
  | 'INVALID_NAME'
  | 'INVALID_NAME_ENCODING'
  | 'NAME_TOO_LONG'
  | 'LINK_NOT_ALLOWED'
  | 'SPECIAL_FILE'
  | 'TOO_MANY_ENTRIES'
  | 'TOO_LARGE'
  | 'COMPRESSION_RATIO'
  | 'CORRUPT_ARCHIVE'
  | 'TRUNCATED_ARCHIVE'
  | 'ENCRYPTED_ENTRY'
  | 'ENVKEY_IN_ARCHIVE'
  | 'EMPTY_BUNDLE';

/**
 * What is wrong, without saying where the bundle came from: the value the pure
 * rules return, turned into a {@link BundleError} by the reader that knows the origin.
 */
export interface BundleProblem {
  readonly code: BundleErrorCode;
  /** The offending entry as received (before normalisation), when there is one. */
  readonly path?: string;
  /** What was received, phrased to follow `entry "<path>"`: `escapes the root`. */
  readonly problem: string;
  /** What was expected instead: `a relative path inside the configuration`. */
  readonly expected: string;
}

/** What kind of source was being read; selects the message prefix. */
export type SourceKind = 'archive' | 'directory' | 'source';

/** Everything a {@link BundleError} is built from. */
export interface BundleErrorDetails extends BundleProblem {
  /** A path, `s3://bucket/key@version` or a stream name. */
  readonly origin: string;
  /** @default 'source' */
  readonly sourceKind?: SourceKind;
  /** Transient failures (a source stream that broke) may succeed when retried. @default false */
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/**
 * The one error type of the config-bundle module: a source refused or unreadable.
 *
 * The message reads
 * `reading config archive conf.tgz: entry "../x" escapes the root (expected a relative path inside the configuration)`.
 *
 * @example
 * try { await readBundle({ path: 'conf.tgz' }); }
 * catch (error) { if (error instanceof BundleError && error.code === 'PATH_TRAVERSAL') console.error(error.path); }
 */
export class BundleError extends Error {
  readonly code: BundleErrorCode;
  readonly path?: string;
  readonly expected: string;
  readonly origin: string;
  readonly retryable: boolean;

  constructor(details: BundleErrorDetails) {
    super(formatBundleMessage(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BundleError';
    this.code = details.code;
    if (details.path !== undefined) this.path = details.path;
    this.expected = details.expected;
    this.origin = details.origin;
    this.retryable = details.retryable ?? false;
  }
}

/** Formats `reading config <kind> <origin>: [entry "<path>" ]<problem> (expected <expected>)`. */
export function formatBundleMessage(details: BundleErrorDetails): string {
  const kind = details.sourceKind ?? 'source';
  const entry = details.path === undefined ? '' : `entry ${JSON.stringify(details.path)} `;
  return `reading config ${kind} ${details.origin}: ${entry}${details.problem} (expected ${details.expected})`;
}

/** True when `value` is a {@link BundleError}, optionally with the given code. */
export function isBundleError(value: unknown, code?: BundleErrorCode): value is BundleError {
  return value instanceof BundleError && (code === undefined || value.code === code);
}
