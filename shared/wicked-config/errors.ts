/**
 * Failures of the wicked-config module itself. Problems *of a configuration*
 * are not errors: they are {@link ValidationIssue}s in the report.
 */
export class WickedConfigError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** Whether retrying the same call may succeed. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** The options object of a public function is not what it documents. */
export class InvalidOptionsError extends WickedConfigError {
  /** The offending option key. */
  readonly option: string;

  constructor(option: string, received: string, expected: string) {
    super('INVALID_OPTIONS', `option "${option}": received ${received}, expected ${expected}`);
    this.option = option;
  }
}

/** Reading the content of a bundle entry failed (the stream errored). */
export class ConfigReadError extends WickedConfigError {
  /** The entry path relative to the static root. */
  readonly path: string;
  /** Where the bundle came from (`s3://b/k@v`, a directory). */
  readonly origin: string;

  constructor(origin: string, path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('CONFIG_READ_FAILED', `reading ${path} of ${origin}: ${reason}`, { cause, retryable: true });
    this.path = path;
    this.origin = origin;
  }
}
