import { readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
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
  if (result.errors.length > 0) { process.exitCode = 1; return; }
  if (options.sourcemap && options.outfile) await sourcesFromWorkingDir(`${options.outfile}.map`, options.absWorkingDir ?? process.cwd());
}

/**
 * esbuild names a source map's sources relative to the bundle's directory, so the map (and the asset
 * hash CDK takes from the output) would change with the depth of the cloud assembly directory: a
 * `cdk deploy` from `cdk.out` after one from another directory would update every function for
 * nothing. Named from the directory the bundle was built in (the package root), they are the same
 * wherever the assembly is.
 */
async function sourcesFromWorkingDir(mapFile: string, workingDir: string): Promise<void> {
  const map = JSON.parse(await readFile(mapFile, 'utf8')) as { sources?: string[] };
  map.sources = (map.sources ?? []).map((source) => relative(workingDir, resolve(dirname(mapFile), source)).split(sep).join('/'));
  await writeFile(mapFile, JSON.stringify(map));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
