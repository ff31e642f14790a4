/**
 * Measures the bundled Lambda assets of the CDK app: size and cold import time with
 * `node`, side by side with a raw bundle of the same handler (unminified, AWS SDK
 * bundled) and the ratio, and the import time of the AWS SDK packages the asset leaves
 * to the runtime, alone. Targets: under 500 KB and under 150 ms per asset.
 *
 *   npm run bench:lambda-assets        (BENCH_RUNS=5 by default)
 */
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUILD_IMAGE_BUNDLING } from '../infra/constructs/build-image-function';
import { DEFAULT_FUNCTION_ENTRIES } from '../infra/props';
import { median, ratio, run } from './lib';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZE_TARGET = 500 * 1024;
const IMPORT_TARGET_MS = 150;
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
interface ImportTime { readonly wall: number; readonly cpu: number }

/** Medians over RUNS fresh node processes (started in the bench folder, so the runtime's SDK resolves). */
async function timeImport(expression: string, environment: Record<string, string>): Promise<ImportTime> {
  const script = `const c=process.cpuUsage();const t=process.hrtime.bigint();await ${expression};const u=process.cpuUsage(c);console.log(Number(process.hrtime.bigint()-t)/1e6,(u.user+u.system)/1e3)`;
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const result = await run(`cd ${JSON.stringify(WORK)} && node --input-type=module -e '${script}'`, { env: { ...environment, NODE_OPTIONS: '' } });
    const [wall, cpu] = result.stdout.trim().split(' ').map(Number);
    walls.push(wall!);
    cpus.push(cpu!);
  }
  return { wall: median(walls), cpu: median(cpus) };
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

/** The same handler bundled with the AWS SDK inside, minified or not. */
async function sdkBundle(entry: string, outfile: string, minify: boolean): Promise<void> {
  await build({
    entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    minify, sourcemap: false, mainFields: ['module', 'main'], banner: { js: BUILD_IMAGE_BUNDLING.banner ?? '' }, logLevel: 'silent',
  });
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
const times = (t: ImportTime): string => `${t.wall.toFixed(0).padStart(6)} / ${t.cpu.toFixed(0).padStart(4)} ms`.padEnd(18);

async function main(): Promise<void> {
  const outdir = await mkdtemp(join(tmpdir(), 'lambda-assets-'));
  const synth = await run(`cd ${JSON.stringify(ROOT)} && npx cdk synth --quiet -o ${JSON.stringify(outdir)} wicked-dev`);
  console.log(`cdk synth (bundling, both stacks' app): ${(synth.ms / 1000).toFixed(1)} s`);
  await mkdir(WORK, { recursive: true });
  console.log('asset        variant                       size      import, median wall / CPU  targets');
  for (const asset of await synthesizedAssets(outdir)) {
    const entry = entryOf(asset.name);
    if (entry === undefined) continue; // the custom-resource provider that announces base image changes is CDK's code
    const bundled = join(WORK, `${asset.name}.mjs`);
    await copyFile(asset.file, bundled);
    const raw = join(WORK, `${asset.name}.raw.mjs`);
    const minSdk = join(WORK, `${asset.name}.min-sdk.mjs`);
    await sdkBundle(entry, raw, false);
    await sdkBundle(entry, minSdk, true);
    const [size, rawSize, minSdkSize] = [(await stat(bundled)).size, (await stat(raw)).size, (await stat(minSdk)).size];
    const [ms, rawMs, minSdkMs] = [await importMs(bundled, asset.environment), await importMs(raw, asset.environment), await importMs(minSdk, asset.environment)];
    const ok = `size ${size < SIZE_TARGET ? 'met' : 'MISSED'}, import ${ms.wall < IMPORT_TARGET_MS ? 'met' : 'MISSED'}`;
    console.log(`${asset.name.padEnd(12)} minified, SDK from runtime  ${kb(size).padStart(8)}  ${times(ms)}  ${ok}`);
    console.log(`${''.padEnd(12)} raw, SDK bundled            ${kb(rawSize).padStart(8)}  ${times(rawMs)}`);
    console.log(`${''.padEnd(12)} minified, SDK bundled       ${kb(minSdkSize).padStart(8)}  ${times(minSdkMs)}`);
    console.log(`${''.padEnd(12)} ratio (raw / minified)      ${ratio(rawSize, size).padStart(8)}  ${ratio(rawMs.wall, ms.wall).padStart(9)}`);
    const packages = await sdkPackages(bundled);
    console.log(`${''.padEnd(12)} runtime SDK alone                     ${times(await sdkImportMs(packages))}  ${packages.map((p) => p.replace('@aws-sdk/', '')).join(', ')}`);
  }
  await rm(outdir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
