/** Stable codes of {@link OciError}; callers switch on these, never on messages. */
export type OciErrorCode =
  | 'INVALID_OPTIONS'
  | 'LAYER_INVALID_PATH'
  | 'LAYER_PATH_CONFLICT'
  | 'LAYER_SIZE_MISMATCH'
  | 'LAYER_WRITE_FAILED'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNSUPPORTED'
  | 'CONFIG_INVALID'
  | 'BASE_NOT_FOUND'
  | 'PLATFORM_NOT_FOUND'
  | 'DIGEST_MISMATCH'
  | 'BLOB_NOT_FOUND'
  | 'BLOB_NOT_CONFIRMED'
  | 'TAG_CONFLICT'
  | 'LAYOUT_INVALID'
  | 'IMAGE_INVALID';

/** Context fields carried by every {@link OciError}: what was being done, to what. */
export type OciErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Base class of every error raised by image building. `code` is stable,
 * `retryable` tells a caller whether the same call may succeed later
 * (a registry that did not yet confirm a blob) or never will (a bad manifest).
 */
export class OciError extends Error {
  readonly code: OciErrorCode;
  readonly retryable: boolean;
  readonly context: OciErrorContext;

  constructor(code: OciErrorCode, message: string, options: { retryable?: boolean; context?: OciErrorContext; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OciError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/** A layer could not be built from the bundle entries (bad path, conflict, size, disk). */
export class LayerBuildError extends OciError {
  constructor(code: OciErrorCode, message: string, context: OciErrorContext, cause?: unknown) {
    super(code, message, { context, cause, retryable: code === 'LAYER_WRITE_FAILED' });
    this.name = 'LayerBuildError';
  }
}

/** A manifest, index or image config is malformed or of a kind this builder does not handle. */
export class ManifestError extends OciError {
  constructor(code: 'MANIFEST_INVALID' | 'MANIFEST_UNSUPPORTED' | 'CONFIG_INVALID', message: string, context: OciErrorContext = {}, cause?: unknown) {
    super(code, message, { context, cause });
    this.name = 'ManifestError';
  }
}

/** The base image, a platform of it or one of its blobs is missing. */
export class OciNotFoundError extends OciError {
  constructor(code: 'BASE_NOT_FOUND' | 'PLATFORM_NOT_FOUND' | 'BLOB_NOT_FOUND', message: string, context: OciErrorContext = {}) {
    super(code, message, { context });
    this.name = 'OciNotFoundError';
  }
}

/** Bytes did not hash to the digest (or size) that named them. */
export class OciDigestMismatchError extends OciError {
  constructor(message: string, context: OciErrorContext) {
    super('DIGEST_MISMATCH', message, { context, retryable: true });
    this.name = 'OciDigestMismatchError';
  }
}

/** A pushed blob is not (yet) visible with the expected size: the manifest is withheld. Retryable. */
export class BlobNotConfirmedError extends OciError {
  constructor(message: string, context: OciErrorContext) {
    super('BLOB_NOT_CONFIRMED', message, { context, retryable: true });
    this.name = 'BlobNotConfirmedError';
  }
}

/** The derived tag already names an image with different content. */
export class TagConflictError extends OciError {
  constructor(message: string, context: OciErrorContext) {
    super('TAG_CONFLICT', message, { context });
    this.name = 'TagConflictError';
  }
}

/** One finding of {@link OciError} `IMAGE_INVALID`, also returned by `validateImage`. */
export interface ValidationProblem {
  readonly code: string;
  readonly message: string;
  readonly digest?: string;
}

/** An image failed validation; `problems` lists every finding. */
export class ImageInvalidError extends OciError {
  readonly problems: readonly ValidationProblem[];
  constructor(reference: string, problems: readonly ValidationProblem[]) {
    const summary = problems.map((p) => p.message).join('; ');
    super('IMAGE_INVALID', `image ${reference} is invalid (${problems.length} problem(s)): ${summary}`, {
      context: { reference, problems: problems.length },
    });
    this.name = 'ImageInvalidError';
    this.problems = problems;
  }
}

/** Options failed their schema at the boundary. */
export class InvalidOptionsError extends OciError {
  constructor(what: string, detail: string) {
    super('INVALID_OPTIONS', `invalid ${what}: ${detail}`, { context: { what } });
    this.name = 'InvalidOptionsError';
  }
}
