/**
 * The S3 object metadata (`x-amz-meta-git-commit`) that `wickedctl upload --git`
 * writes on a config archive: the commit whose tree it holds. build-image reads
 * it back onto `Portal Image Built` and the image label `org.opencontainers.image.revision`.
 */
export const GIT_COMMIT_METADATA = 'git-commit';

/**
 * The commit named by an upload's metadata when it is a full SHA-1 or SHA-256
 * hex id; anything else is not trusted as a revision (undefined).
 *
 * @example
 * gitRevision({ 'git-commit': 'A'.repeat(40) }) // 'a'.repeat(40)
 */
export function gitRevision(metadata: Readonly<Record<string, string>> | undefined): string | undefined {
  const value = metadata?.[GIT_COMMIT_METADATA]?.trim().toLowerCase();
  return value !== undefined && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(value) ? value : undefined;
}
