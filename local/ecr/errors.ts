/**
 * Errors of the ECR emulator. Every failure the store or a handler raises is
 * an {@link EcrEmulatorError} with a stable {@link EcrErrorCode}; the two
 * front ends translate that one code into the wire form each protocol uses
 * (see {@link ERROR_WIRE_FORMS}): an OCI distribution error body
 * `{"errors":[{"code":"BLOB_UNKNOWN",...}]}` with its HTTP status, or an
 * ECR JSON API exception such as `RepositoryNotFoundException`.
 */

/** Stable codes of the emulator's failures. */
export type EcrErrorCode =
  | 'REPOSITORY_NOT_FOUND'
  | 'REPOSITORY_ALREADY_EXISTS'
  | 'REPOSITORY_NOT_EMPTY'
  | 'INVALID_PARAMETER'
  | 'NAME_INVALID'
  | 'REFERENCE_INVALID'
  | 'IMAGE_NOT_FOUND'
  | 'IMAGE_ALREADY_EXISTS'
  | 'TAG_IMMUTABLE'
  | 'DIGEST_MISMATCH'
  | 'BLOB_UNKNOWN'
  | 'LAYERS_NOT_FOUND'
  | 'MANIFEST_INVALID'
  | 'UPLOAD_UNKNOWN'
  | 'RANGE_INVALID'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED';

/** How one code is spelled on each wire. */
export interface ErrorWireForm {
  /** HTTP status on the OCI distribution endpoint. */
  readonly status: number;
  /** `errors[].code` of the distribution error body. */
  readonly oci: string;
  /** `__type` of the ECR JSON API error (always HTTP 400 there). */
  readonly aws: string;
}

/**
 * The translation table. OCI codes and statuses follow the distribution
 * spec's error-code table; the immutable-tag refusal is ECR's own
 * (400 `TAG_INVALID`, see the ECR user guide page "Preventing image tags from
 * being overwritten"); JSON API names are ECR's exception names.
 */
export const ERROR_WIRE_FORMS: Readonly<Record<EcrErrorCode, ErrorWireForm>> = Object.freeze({
  REPOSITORY_NOT_FOUND: { status: 404, oci: 'NAME_UNKNOWN', aws: 'RepositoryNotFoundException' },
  REPOSITORY_ALREADY_EXISTS: { status: 409, oci: 'DENIED', aws: 'RepositoryAlreadyExistsException' },
  REPOSITORY_NOT_EMPTY: { status: 409, oci: 'DENIED', aws: 'RepositoryNotEmptyException' },
  INVALID_PARAMETER: { status: 400, oci: 'UNSUPPORTED', aws: 'InvalidParameterException' },
  NAME_INVALID: { status: 400, oci: 'NAME_INVALID', aws: 'InvalidParameterException' },
  REFERENCE_INVALID: { status: 400, oci: 'TAG_INVALID', aws: 'InvalidParameterException' },
  IMAGE_NOT_FOUND: { status: 404, oci: 'MANIFEST_UNKNOWN', aws: 'ImageNotFoundException' },
  IMAGE_ALREADY_EXISTS: { status: 400, oci: 'MANIFEST_INVALID', aws: 'ImageAlreadyExistsException' },
  TAG_IMMUTABLE: { status: 400, oci: 'TAG_INVALID', aws: 'ImageTagAlreadyExistsException' },
  DIGEST_MISMATCH: { status: 400, oci: 'DIGEST_INVALID', aws: 'ImageDigestDoesNotMatchException' },
  BLOB_UNKNOWN: { status: 404, oci: 'BLOB_UNKNOWN', aws: 'LayersNotFoundException' },
  LAYERS_NOT_FOUND: { status: 400, oci: 'MANIFEST_BLOB_UNKNOWN', aws: 'LayersNotFoundException' },
  MANIFEST_INVALID: { status: 400, oci: 'MANIFEST_INVALID', aws: 'InvalidParameterException' },
  UPLOAD_UNKNOWN: { status: 404, oci: 'BLOB_UPLOAD_UNKNOWN', aws: 'UploadNotFoundException' },
  RANGE_INVALID: { status: 416, oci: 'BLOB_UPLOAD_INVALID', aws: 'InvalidLayerPartException' },
  UNAUTHORIZED: { status: 401, oci: 'UNAUTHORIZED', aws: 'AccessDeniedException' },
  UNSUPPORTED: { status: 405, oci: 'UNSUPPORTED', aws: 'InvalidParameterException' },
});

/** Context of an {@link EcrEmulatorError}. */
export interface EcrErrorContext {
  readonly repository?: string;
  /** Tag or digest concerned. */
  readonly reference?: string;
  /** Machine-readable facts for the OCI error body's `detail`. */
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** Base class of every failure the ECR emulator reports. */
export class EcrEmulatorError extends Error {
  readonly repository: string | undefined;
  readonly reference: string | undefined;
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(readonly code: EcrErrorCode, message: string, context: EcrErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.repository = context.repository;
    this.reference = context.reference;
    this.detail = context.detail;
  }

  /** The wire forms of {@link code}. */
  get wire(): ErrorWireForm {
    return ERROR_WIRE_FORMS[this.code];
  }
}

/** True for errors raised by the emulator itself (as opposed to bugs and I/O failures). */
export function isEcrEmulatorError(error: unknown): error is EcrEmulatorError {
  return error instanceof EcrEmulatorError;
}

/** `RepositoryNotFoundException` with ECR's wording. */
export function repositoryNotFound(name: string, registryId: string): EcrEmulatorError {
  return new EcrEmulatorError('REPOSITORY_NOT_FOUND', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`, { repository: name });
}

/** ECR's refusal to move an immutable tag, worded as ECR words it over the OCI API. */
export function immutableTag(repository: string, tag: string, existing: string, incoming: string): EcrEmulatorError {
  return new EcrEmulatorError(
    'TAG_IMMUTABLE',
    `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`,
    { repository, reference: tag, detail: { Tag: tag, Existing: existing, Received: incoming } },
  );
}
