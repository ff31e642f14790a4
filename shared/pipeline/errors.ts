/** Stable codes of {@link PipelineError}. */
export type PipelineErrorCode = 'LAST_GOOD_RECORD_MISSING' | 'LEDGER_NOT_CONFIGURED' | 'BASE_NOT_FOUND' | 'IMAGE_NOT_FOUND' | 'ECR_TOKEN_SOURCE_MISSING';

/**
 * Base class of the errors the build pipeline raises itself (registry, S3
 * and ledger failures keep their own typed errors). Not retryable: the same
 * event fails the same way until the state is repaired.
 */
export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  readonly retryable = false;
  readonly context: Readonly<Record<string, string | undefined>>;

  constructor(code: PipelineErrorCode, message: string, context: Readonly<Record<string, string | undefined>> = {}) {
    super(message);
    this.name = 'PipelineError';
    this.code = code;
    this.context = context;
  }
}
