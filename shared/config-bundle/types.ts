import type { Readable } from 'node:stream';

/**
 * One regular file of a static configuration, as it will be in the image.
 *
 * Paths are POSIX, relative to the static root (`globals.json`, `env/default.json`),
 * never start with `/`, never contain `.` or `..` segments or empty segments,
 * and are Unicode NFC. Directories are implied by their files: the same files
 * give the same entries whether they came from a directory, a tar, a tar.gz or a zip.
 */
export interface BundleEntry {
  /** Normalised path relative to the static root. */
  readonly path: string;
  /** `0o755` when any execute bit was set at the source, otherwise `0o644`. */
  readonly mode: 0o644 | 0o755;
  /** Size in bytes of the uncompressed content. */
  readonly size: number;
  /** A fresh stream of the content; may be called more than once. */
  open(): Readable;
}

/** Why a file of the source was left out of the bundle (not an error). */
export interface BundleWarning {
  readonly code: 'ENVKEY_SKIPPED' | 'GIT_SKIPPED' | 'EMPTY_DIRECTORY_IGNORED';
  readonly path: string;
  readonly message: string;
}

/** Where the bundle came from: drives labels and error context. */
export type BundleFormat = 'directory' | 'tar' | 'tar.gz' | 'zip';

/**
 * The ordered, validated content of a configuration, ready for hashing,
 * validation and layering. Entries are sorted by path (byte order of UTF-8).
 */
export interface ConfigBundle {
  readonly format: BundleFormat;
  /** Human-readable origin, for messages: a path or `s3://bucket/key@version`. */
  readonly origin: string;
  readonly entries: readonly BundleEntry[];
  readonly warnings: readonly BundleWarning[];
  /** Releases temporary files held for archive content. Idempotent. */
  close(): Promise<void>;
}

/** Limits applied while reading; every one is configurable. */
export interface BundleLimits {
  /** @default 20000 */
  readonly maxEntries: number;
  /** @default 1 GiB */
  readonly maxTotalBytes: number;
  /** Uncompressed / compressed. @default 200 */
  readonly maxCompressionRatio: number;
  /** @default 255 */
  readonly maxSegmentBytes: number;
}

/** The defaults of {@link BundleLimits}. */
export const DEFAULT_LIMITS: BundleLimits = Object.freeze({
  maxEntries: 20_000,
  maxTotalBytes: 1024 ** 3,
  maxCompressionRatio: 200,
  maxSegmentBytes: 255,
});
