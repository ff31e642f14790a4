/**
 * Errors of the OCI distribution registry client. Every error is a
 * {@link RegistryError} with a stable `code`: the registry's own error code
 * when the registry sent one (`BLOB_UNKNOWN`, `MANIFEST_INVALID`, `DENIED`,
 * `UNAUTHORIZED`, ...), otherwise one of this module's codes.
 */

/** Codes raised by this client itself (the registry's codes pass through unchanged). */
export type ClientErrorCode =
  | 'INVALID_REFERENCE'
  | 'INVALID_DIGEST'
  | 'INVALID_OPTIONS'
  | 'INSECURE_NOT_ALLOWED'
  | 'NETWORK_ERROR'
  | 'HTTP_ERROR'
  | 'TOO_MANY_REDIRECTS'
  | 'UNSAFE_REDIRECT'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'UPLOAD_FAILED'
  | 'TAG_IMMUTABLE'
  | 'TOKEN_REQUEST_FAILED'
  | 'ECR_TOKEN_FAILED';

/** Context of a {@link RegistryError}. */
export interface RegistryErrorContext {
  /** Stable machine-readable code. */
  readonly code: string;
  /** What the client was doing, for example `pushBlob sha256:ab…`. */
  readonly operation?: string;
  /** Registry repository, for example `127.0.0.1:5000/portal-api`. */
  readonly repository?: string;
  /** HTTP status of the failing response, when there was one. */
  readonly status?: number;
  /** True when repeating the same request may succeed (429, 5xx, connection resets). */
  readonly retryable?: boolean;
  /** Delay the server asked for with `Retry-After`, in milliseconds. */
  readonly retryAfterMs?: number;
  /** Low-level network error code such as `ECONNRESET`. */
  readonly networkCode?: string;
  readonly cause?: unknown;
}

/** Base class of every error raised by the registry client. */
export class RegistryError extends Error {
  /** Stable code: the registry's `errors[0].code` or a {@link ClientErrorCode}. */
  readonly code: string;
  readonly operation: string | undefined;
  readonly repository: string | undefined;
  readonly status: number | undefined;
  /** Whether a retry of the same operation may succeed. */
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly networkCode: string | undefined;
  /** Attempts made before giving up; set by the retry loop. */
  attempts = 1;

  constructor(message: string, context: RegistryErrorContext) {
    super(prefix(context) + message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.code = context.code;
    this.operation = context.operation;
    this.repository = context.repository;
    this.status = context.status;
    this.retryable = context.retryable ?? false;
    this.retryAfterMs = context.retryAfterMs;
    this.networkCode = context.networkCode;
  }

  /** Notes how many attempts were made and why the retry loop stopped. */
  recordAttempts(attempts: number, reason: string): void {
    this.attempts = attempts;
    this.message = `${this.message} (${reason})`;
  }
}

function prefix(context: RegistryErrorContext): string {
  const where = [context.operation, context.repository && `in ${context.repository}`].filter(Boolean).join(' ');
  return where ? `${where}: ` : '';
}

/** An image reference that cannot be parsed. */
export class ImageReferenceError extends RegistryError {
  /** The text that was given. */
  readonly reference: string;
  constructor(reference: string, reason: string) {
    super(`invalid image reference ${JSON.stringify(reference)}: ${reason}`, { code: 'INVALID_REFERENCE' });
    this.reference = reference;
  }
}

/** Options that are missing, malformed or contradictory. */
export class RegistryOptionsError extends RegistryError {
  constructor(message: string) {
    super(message, { code: 'INVALID_OPTIONS' });
  }
}

/** Plain HTTP requested (or redirected to) for a host that is not loopback. */
export class InsecureRegistryError extends RegistryError {
  /** The host that would have been reached over plain HTTP. */
  readonly host: string;
  constructor(host: string, detail: string) {
    super(
      `refusing plain HTTP to ${host}: ${detail}; plain HTTP is only allowed with insecure: true ` +
        'and only for loopback hosts (127.0.0.0/8, localhost, [::1])',
      { code: 'INSECURE_NOT_ALLOWED' },
    );
    this.host = host;
  }
}

/** The registry answered with a digest other than the one computed from the bytes. */
export class DigestMismatchError extends RegistryError {
  readonly expected: string;
  readonly received: string;
  constructor(expected: string, received: string, context: { operation: string; repository: string }) {
    super(`registry reported digest ${received}, expected ${expected} (sha256 of the bytes sent or received)`, {
      code: 'DIGEST_MISMATCH',
      ...context,
    });
    this.expected = expected;
    this.received = received;
  }
}

/** An immutable tag already points at a different manifest. */
export class ImmutableTagError extends RegistryError {
  readonly tag: string;
  /** Digest of the manifest the caller tried to store. */
  readonly wanted: string;
  /** Digest the tag holds, when it could be read. */
  readonly existing: string | undefined;
  constructor(tag: string, wanted: string, existing: string | undefined, context: { operation: string; repository: string; cause?: unknown }) {
    super(
      `tag ${tag} is immutable and already holds ${existing ?? 'another manifest'}, expected it to be absent or to hold ${wanted}; ` +
        'use a new tag or a repository with mutable tags',
      { code: 'TAG_IMMUTABLE', status: 400, ...context },
    );
    this.tag = tag;
    this.wanted = wanted;
    this.existing = existing;
  }
}
