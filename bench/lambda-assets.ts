/**
 * Measures the bundled Lambda assets of the CDK app: size and cold import time with `node`.
 * All five functions carry the AWS SDK clients they use, bundled and tree-shaken, with
 * credentials from the environment only. Beside each asset: a raw bundle of the same handler
 * (unminified, SDK bundled with its default credential chain) and the same minified (the ratio
 * raw / asset), and the same build as the asset without the bundling plugins
 * (infra/bundling/plugins.ts), imported in turn with the asset in the same rounds so that both
 * see the same load; every wall time of those two is printed. Target: a cold import under
 * 150 ms per asset. Size is reported, not targeted:
 * Lambda takes 50 MB zipped, and what an operator feels is the cold start.
 *
 * On a busy machine wall and CPU times move with the load; `BENCH_INSTRUCTIONS=1` adds, per
 * asset, the instructions a cold import executes (valgrind's callgrind, node --jitless, minus an
 * empty import), which do not: the figure to compare two builds by.
 *
 *   npm run bench:lambda-assets        (BENCH_RUNS=5 by default)
 *   BENCH_INSTRUCTIONS=1 npm run bench:lambda-assets
 *   BENCH_ASSETS=BuildImage BENCH_RUNS=21 npm run bench:lambda-assets   (one asset)
 */
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { DEFAULT_CREDENTIAL_PROVIDER_PACKAGE, ENV_CREDENTIAL_PROVIDER, ESM_REQUIRE_BANNER, FUNCTION_ESBUILD_OPTIONS } from '../infra/constructs/control-plane-function';
import { DEFAULT_FUNCTION_ENTRIES } from '../infra/props';
import { median, ratio, run } from './lib';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IMPORT_TARGET_MS = 150;
const INSTRUCTIONS = process.env.BENCH_INSTRUCTIONS === '1';
/** Only these assets, by construct id (`BENCH_ASSETS=BuildImage,DeployServices`); all when unset. */
const ONLY = process.env.BENCH_ASSETS?.split(',').map((name) => name.trim()).filter(Boolean);
// Under node_modules so that the bundles resolve the AWS SDK the runtime would provide.
const WORK = join(ROOT, 'node_modules', '.cache', 'lambda-assets-bench');

interface Asset { readonly name: string; readonly file: string; readonly environment: Record<string, string> }

/** Handler entry of an asset, by the construct id of its function (`BuildImage` → `buildImage`); undefined for functions CDK brings (custom resources). */
function entryOf(name: string): string | undefined {
  const key = `${name.charAt(0).toLowerCase()}${name.slice(1)}` as keyof typeof DEFAULT_FUNCTION_ENTRIES;
  return DEFAULT_FUNCTION_ENTRIES[key];
}

/** The external AWS SDK packages a bundle imports (the runtime provides them). */
async function sdkPackages(file: string): Promise<string[]> {
  const code = await readFile(file, 'utf8');
  return [...new Set([...code.matchAll(/from\s*"(@aws-sdk\/[a-z0-9-]+)"/g)].map((m) => m[1]!))].sort();
}

/** Median wall and CPU (user + system) time of importing the given packages together in a fresh node process. */
async function sdkImportMs(packages: readonly string[]): Promise<ImportTime> {
  return timeImport(`Promise.all(${JSON.stringify(packages)}.map((p)=>import(p)))`, { AWS_REGION: 'eu-west-1' });
}

/** Wall-clock and CPU milliseconds of an import; CPU time is the steadier figure on a busy machine. */
interface ImportTime { readonly wall: number; readonly cpu: number; readonly walls?: readonly number[] }

/** Medians over RUNS fresh node processes (started in the bench folder, so the runtime's SDK resolves). */
async function timeImport(expression: string, environment: Record<string, string>): Promise<ImportTime> {
  return (await timeImports([expression], environment))[0]!;
}

/**
 * Medians over RUNS rounds, each importing every expression once in a fresh node process, in
 * turn: two builds compared this way see the same load, which on a shared machine moves more
 * than the difference between them.
 */
async function timeImports(expressions: readonly string[], environment: Record<string, string>): Promise<ImportTime[]> {
  const samples = expressions.map(() => ({ walls: [] as number[], cpus: [] as number[] }));
  for (let i = 0; i < RUNS; i++) {
    for (const [index, expression] of expressions.entries()) {
      const script = `const c=process.cpuUsage();const t=process.hrtime.bigint();await ${expression};const u=process.cpuUsage(c);console.log(Number(process.hrtime.bigint()-t)/1e6,(u.user+u.system)/1e3)`;
      const result = await run(`cd ${JSON.stringify(WORK)} && node --input-type=module -e '${script}'`, { env: { ...environment, NODE_OPTIONS: '' } });
      const [wall, cpu] = result.stdout.trim().split(' ').map(Number);
      samples[index]!.walls.push(wall!);
      samples[index]!.cpus.push(cpu!);
    }
  }
  return samples.map(({ walls, cpus }) => ({ wall: median(walls), cpu: median(cpus), walls }));
}

/** Every NodejsFunction of the synthesized stack: its bundle and its environment (tokens replaced by placeholders). */
async function synthesizedAssets(outdir: string): Promise<Asset[]> {
  const template = JSON.parse(await readFile(join(outdir, 'wicked-dev.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Metadata?: Record<string, string>; Properties: { Environment?: { Variables?: Record<string, unknown> } } }> };
  const assets: Asset[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || assetPath === undefined) continue;
    const files = await readdir(join(outdir, assetPath));
    const main = files.find((f) => /^index\.(mjs|js)$/.test(f));
    if (main === undefined) continue;
    const environment = Object.fromEntries(Object.entries(resource.Properties.Environment?.Variables ?? {})
      .map(([k, v]) => [k, typeof v === 'string' ? v : placeholder(k)]));
    assets.push({ name: resource.Metadata?.['aws:cdk:path']?.split('/').slice(-3, -2)[0] ?? id, file: join(outdir, assetPath, main), environment });
  }
  return assets;
}

function placeholder(key: string): string {
  if (key.endsWith('_URI') || key === 'BASE_IMAGE') return '123456789012.dkr.ecr.eu-west-1.amazonaws.com/wicked-dev/portal-api:cfg-0';
  return 'bench-placeholder';
}

/** Median wall and CPU time of `import()` of the file in a fresh node process. */
async function importMs(file: string, environment: Record<string, string>): Promise<ImportTime> {
  return timeImport(`import(${JSON.stringify(pathToFileURL(file).href)})`, { AWS_REGION: 'eu-west-1', ...environment });
}

/**
 * Instructions (millions) a fresh `node --jitless` executes importing the file, under callgrind,
 * minus those of importing an empty module: independent of the machine's load.
 */
async function importInstructions(file: string, environment: Record<string, string>): Promise<number> {
  const count = async (target: string): Promise<number> => {
    const script = `await import(${JSON.stringify(pathToFileURL(target).href)})`;
    const result = await run(`cd ${JSON.stringify(WORK)} && valgrind --tool=callgrind --callgrind-out-file=/dev/null --smc-check=all-non-file node --jitless --input-type=module -e '${script}'`, { env: { AWS_REGION: 'eu-west-1', ...environment, NODE_OPTIONS: '' } });
    const collected = /Collected : (\d+)/.exec(result.stderr);
    if (!collected) throw new Error(`callgrind printed no instruction count for ${target}: expected "Collected : <n>", received ${result.stderr.slice(-500)}`);
    return Number(collected[1]);
  };
  const empty = join(WORK, 'empty.mjs');
  await writeFile(empty, 'export {};\n');
  return Math.round(((await count(file)) - (await count(empty))) / 1e6);
}

/** The same handler bundled with the AWS SDK inside: minified or not, with the SDK's default credential chain or with environment credentials only. */
async function sdkBundle(entry: string, outfile: string, options: { minify: boolean; envCredentials: boolean }): Promise<void> {
  await build({
    entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node24',
    minify: options.minify, sourcemap: false, legalComments: 'none', mainFields: ['module', 'main'], banner: { js: ESM_REQUIRE_BANNER }, logLevel: 'silent',
    ...(options.envCredentials ? { alias: { [DEFAULT_CREDENTIAL_PROVIDER_PACKAGE]: ENV_CREDENTIAL_PROVIDER } } : {}),
  });
}

/** The asset's own esbuild options without the bundling plugins (infra/bundling/plugins.ts): the asset as it was before them. */
async function withoutPlugins(entry: string, outfile: string): Promise<void> {
  await build({ ...FUNCTION_ESBUILD_OPTIONS, ...(entry.includes('database-users') ? { external: ['pg-native'] } : {}), entryPoints: [entry], outfile, sourcemap: false, logLevel: 'silent' });
}

/** Bundles a variant of the handler into WORK and measures it. */
async function variant(asset: Asset, entry: string, suffix: string, options: { minify: boolean; envCredentials: boolean }): Promise<{ size: number; time: ImportTime }> {
  const file = join(WORK, `${asset.name}.${suffix}.mjs`);
  await sdkBundle(entry, file, options);
  return { size: (await stat(file)).size, time: await importMs(file, asset.environment) };
}

/** One line of the table. */
function row(name: string, what: string, size: number | string, time: ImportTime, note = ''): void {
  console.log(`${name.padEnd(16)} ${what.padEnd(38)} ${(typeof size === 'number' ? kb(size) : size).padStart(8)}  ${times(time)}  ${note}`);
}

const spread = (t: ImportTime): string => [...(t.walls ?? [])].sort((a, b) => a - b).map((w) => w.toFixed(0)).join(' ');
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
const times = (t: ImportTime): string => `${t.wall.toFixed(0).padStart(6)} / ${t.cpu.toFixed(0).padStart(4)} ms`.padEnd(18);

async function main(): Promise<void> {
  const outdir = await mkdtemp(join(tmpdir(), 'lambda-assets-'));
  const synth = await run(`cd ${JSON.stringify(ROOT)} && npx cdk synth --quiet -o ${JSON.stringify(outdir)} wicked-dev`);
  console.log(`cdk synth (bundling, both stacks' app): ${(synth.ms / 1000).toFixed(1)} s`);
  await mkdir(WORK, { recursive: true });
  console.log(`${'asset'.padEnd(16)} ${'variant'.padEnd(38)} ${'size'.padStart(8)}  import, median wall / CPU  target`);
  for (const asset of await synthesizedAssets(outdir)) {
    const entry = entryOf(asset.name);
    if (entry === undefined) continue; // the custom-resource provider that announces base image changes is CDK's code
    if (ONLY && !ONLY.includes(asset.name)) continue;
    const bundled = join(WORK, `${asset.name}.mjs`);
    await copyFile(asset.file, bundled);
    const size = (await stat(bundled)).size;
    const plainFile = join(WORK, `${asset.name}.no-plugins.mjs`);
    await withoutPlugins(entry, plainFile);
    const [time, plainTime] = await timeImports([bundled, plainFile].map((f) => `import(${JSON.stringify(pathToFileURL(f).href)})`), { AWS_REGION: 'eu-west-1', ...asset.environment }) as [ImportTime, ImportTime];
    const packages = await sdkPackages(bundled);
    const runtimeSdk = packages.length > 0;
    const ok = `import < ${IMPORT_TARGET_MS} ms ${time.wall < IMPORT_TARGET_MS ? 'met' : 'MISSED'}`;
    const what = runtimeSdk ? 'asset: minified, SDK from runtime' : 'asset: minified, SDK bundled, env creds';
    row(asset.name, what, size, time, INSTRUCTIONS ? `${ok}, ${await importInstructions(bundled, asset.environment)} M instructions` : ok);
    row('', 'same, without the bundling plugins', (await stat(plainFile)).size, plainTime, INSTRUCTIONS ? `${await importInstructions(plainFile, asset.environment)} M instructions` : '');
    console.log(`${''.padEnd(16)} ${'walls, asset | without plugins (ms)'.padEnd(38)} ${spread(time)} | ${spread(plainTime)}`);
    const raw = await variant(asset, entry, 'raw', { minify: false, envCredentials: false });
    row('', 'raw, SDK bundled, default chain', raw.size, raw.time);
    const chain = await variant(asset, entry, 'min-chain', { minify: true, envCredentials: false });
    row('', 'minified, SDK bundled, default chain', chain.size, chain.time);
    if (runtimeSdk) {
      const env = await variant(asset, entry, 'min-env', { minify: true, envCredentials: true });
      row('', 'minified, SDK bundled, env creds', env.size, env.time);
    }
    console.log(`${''.padEnd(16)} ${'ratio (raw / asset)'.padEnd(38)} ${ratio(raw.size, size).padStart(8)}  ${ratio(raw.time.wall, time.wall).padStart(9)}`);
    if (runtimeSdk) row('', 'runtime SDK alone', '', await sdkImportMs(packages), packages.map((p) => p.replace('@aws-sdk/', '')).join(', '));
    else console.log(`${''.padEnd(16)} ${'runtime SDK alone'.padEnd(38)} ${'-'.padStart(8)}  (imports no runtime SDK package)`);
  }
  await rm(outdir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
