/** One entry of the distribution API's error body `{"errors":[{code,message,detail}]}`. */
export interface RegistryErrorEntry {
  readonly code: string;
  readonly message: string;
}

/**
 * Reads the error entries of a response body. Tolerant: a body that is not
 * the distribution error JSON (an HTML page, S3's XML) gives no entries.
 */
export function parseErrorBody(text: string): RegistryErrorEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    .map((entry) => ({
      code: typeof entry.code === 'string' ? entry.code : 'UNKNOWN',
      message: typeof entry.message === 'string' ? entry.message : '',
    }));
}

/**
 * True when a manifest PUT was refused because the tag is immutable and
 * already exists. ECR answers 400 with code `TAG_INVALID` and the message
 * "The image tag '<tag>' already exists in the '<repo>' repository and cannot
 * be overwritten because the tag is immutable." (older wording: "...because
 * the repository is immutable"); its JSON API names the condition
 * `ImageTagAlreadyExistsException`, which is recognised too.
 */
export function isImmutableTagRejection(status: number, entries: readonly RegistryErrorEntry[]): boolean {
  if (status !== 400 && status !== 409) return false;
  return entries.some(
    (entry) =>
      entry.code === 'ImageTagAlreadyExistsException' ||
      entry.message.includes('ImageTagAlreadyExistsException') ||
      (entry.code === 'TAG_INVALID' && /already exists.*cannot be overwritten/is.test(entry.message)),
  );
}
