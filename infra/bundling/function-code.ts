import { spawnSync } from 'child_process';
import * as path from 'path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BuildOptions } from 'esbuild';
import { PACKAGE_ROOT } from '../props';

/** The script that runs esbuild with the project's plugins (see `bundle-function.ts`). */
export const BUNDLE_SCRIPT = path.join(PACKAGE_ROOT, 'infra', 'bundling', 'bundle-function.ts');

/** The file name of the bundle in the asset, and so the module of the Lambda handler (`index.handler`). */
export const BUNDLE_FILE = 'index.mjs';

/** Thrown when esbuild fails to bundle a function at synth. */
export class FunctionBundlingError extends Error {
  /** Stable code. */
  public readonly code = 'FUNCTION_BUNDLING_FAILED';

  /**
   * @param entry - the handler file
   * @param detail - esbuild's output, or why it did not run
   */
  public constructor(public readonly entry: string, detail: string) {
    super(`bundling ${entry}: ${detail}`);
    this.name = 'FunctionBundlingError';
  }
}

/**
 * The code of a Lambda function: its entry bundled by esbuild with the given options into
 * `index.mjs` (plus its source map), on this machine, at synth, with the plugins of
 * `bundle-function.ts`. Asset hash from the output, as NodejsFunction's: the same bundle,
 * the same asset, so a `cdk deploy` without changes updates no function. The options are
 * esbuild's own (`entryPoints` and `outfile` are set here); the build runs in a child
 * process (tsx), since CDK bundles synchronously.
 *
 * @example
 * new lambda.Function(this, 'Fn', { code: functionCode(entry, FUNCTION_ESBUILD_OPTIONS), handler: 'index.handler', runtime });
 * @throws FunctionBundlingError at synth when esbuild fails
 */
export function functionCode(entry: string, options: BuildOptions): lambda.Code {
  const buildOptions = { ...options, entryPoints: [entry] };
  return lambda.Code.fromAsset(PACKAGE_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled nor run: bundling is local (esbuild is a dependency of this package).
      image: DockerImage.fromRegistry('local-bundling-only'),
      // What runs, for the record; it also keys CDK's staging cache, which does not see `local`:
      // without it every function of an app would get the first one's bundle.
      command: ['tsx', BUNDLE_SCRIPT, JSON.stringify(buildOptions)],
      local: {
        tryBundle(outputDir: string): boolean {
          bundle(entry, { ...buildOptions, outfile: path.join(outputDir, BUNDLE_FILE) });
          return true;
        },
      },
    },
  });
}

function bundle(entry: string, options: BuildOptions): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', BUNDLE_SCRIPT, JSON.stringify(options)], {
    cwd: PACKAGE_ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (result.error) throw new FunctionBundlingError(entry, `could not run ${BUNDLE_SCRIPT}: ${result.error.message}`);
  if (result.status !== 0) throw new FunctionBundlingError(entry, `esbuild exited with ${result.status}: ${result.stderr.trim().slice(-2000)}`);
}
