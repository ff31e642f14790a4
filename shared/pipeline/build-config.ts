import type { BundleSource, ReadBundleOptions } from '../config-bundle';
import { isBundleError, readBundle } from '../config-bundle';
import type { BundleWarning } from '../config-bundle/types';
import type { BuildRequest, BuildResult } from '../oci';
import { buildAndPush, startBaseResolution } from '../oci';
import type { ValidateConfigOptions, ValidationReport } from '../wicked-config';
import { validateConfig } from '../wicked-config';

/** Input of {@link buildConfigImage}: where the config comes from and where the image goes. */
export interface BuildConfigRequest {
  readonly source: BundleSource;
  readonly read?: ReadBundleOptions;
  /** Environments whose variables must resolve. @default every env/<name>.json */
  readonly envs?: readonly string[];
  /** The rest of the validator's options (platform variables, strict, ...). */
  readonly validation?: Omit<ValidateConfigOptions, 'envs'>;
  readonly image: Omit<BuildRequest, 'entries' | 'configHash'>;
  readonly onWarning?: (warning: BundleWarning) => void;
}

/** What happened: refused before anything was uploaded, or built (and pushed, unless the tag existed). */
export type BuildConfigOutcome =
  | { readonly kind: 'rejected'; readonly reason: 'invalid-archive' | 'invalid-config'; readonly report: ValidationReport }
  | { readonly kind: 'built'; readonly report: ValidationReport; readonly result: BuildResult };

/**
 * Reads, validates and builds a configuration into the private portal-api
 * image. Nothing is uploaded unless the bundle is readable and the
 * configuration valid: an operator never gets a half-pushed image or a deploy
 * of a broken config. Registry failures propagate as typed errors.
 *
 * @example
 * const outcome = await buildConfigImage({ source: { path: 'static.tgz' }, image: { base, target } });
 * if (outcome.kind === 'rejected') console.log(outcome.report.issues);
 */
export async function buildConfigImage(request: BuildConfigRequest): Promise<BuildConfigOutcome> {
  // The base is read while the configuration is read and validated; it is awaited only for a valid one.
  const resolved = request.image.base.resolved ?? Promise.resolve().then(() => startBaseResolution(request.image));
  resolved.catch(() => undefined);
  let bundle;
  try {
    bundle = await readBundle(request.source, request.read);
  } catch (error) {
    if (!isBundleError(error)) throw error;
    return { kind: 'rejected', reason: 'invalid-archive', report: archiveReport(error.code, error.path, error.message) };
  }
  try {
    bundle.warnings.forEach((warning) => request.onWarning?.(warning));
    const report = await validateConfig(bundle, { ...request.validation, ...(request.envs ? { envs: [...request.envs] } : {}) });
    if (!report.valid) return { kind: 'rejected', reason: 'invalid-config', report };
    const result = await buildAndPush({ ...request.image, base: { ...request.image.base, resolved }, entries: bundle.entries, configHash: report.configHash });
    return { kind: 'built', report, result };
  } finally {
    await bundle.close();
  }
}

/** A refused archive as a one-issue report, so every rejection has one shape. */
export function archiveReport(code: string, path: string | undefined, message: string): ValidationReport {
  return { valid: false, configHash: '', environments: [], errorCount: 1, warningCount: 0, verdicts: [], issues: [{ file: path ?? '', severity: 'error', code, message }] };
}
