import { build, type BuildOptions } from 'esbuild';
import { BUNDLE_PLUGINS } from './plugins';

/**
 * Bundles one Lambda function with esbuild's API, which takes plugins (its CLI, the one
 * NodejsFunction runs, does not): run by `functionCode`'s local bundling in a child process,
 * because CDK bundles synchronously and esbuild runs plugins only in its asynchronous `build`.
 * Argument: the build options as JSON (entry, outfile and all); {@link BUNDLE_PLUGINS} are added.
 *
 *   tsx infra/bundling/bundle-function.ts '{"entryPoints":["functions/x/handler.ts"],"outfile":"out/index.mjs",...}'
 */
async function main(): Promise<void> {
  const json = process.argv[2];
  if (json === undefined) throw new Error('bundle-function: expected the esbuild options as JSON in the first argument, received none');
  const options = JSON.parse(json) as BuildOptions;
  const result = await build({ ...options, plugins: [...BUNDLE_PLUGINS], logLevel: 'warning' });
  if (result.errors.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
