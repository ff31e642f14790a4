/**
 * The config bundle reader: one validated, ordered list of files from a directory, tar,
 * tar.gz or zip. See README.md.
 *
 * @example
 * import { readBundle } from '../shared/config-bundle';
 * const bundle = await readBundle({ path: 'static.tgz' });
 */
export { readBundle, type BundleSource, type ReadBundleOptions } from './read-bundle';
export { BundleError, isBundleError, type BundleErrorCode, type BundleErrorDetails, type BundleProblem, type SourceKind } from './errors';
export { DEFAULT_LIMITS, type BundleEntry, type BundleFormat, type BundleLimits, type BundleWarning, type ConfigBundle } from './types';
export { RATIO_FLOOR_BYTES } from './limits';
