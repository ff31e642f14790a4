/**
 * Benchmark: this project's daemonless builder against buildah (build + push),
 * on the same base and config, to the same local CNCF distribution registry,
 * in one run. Also measures throughput against the floor `tar c | gzip | sha256sum`
 * and the builder's peak RSS on a 1 GB configuration.
 *
 *   npm run bench:build-image            # all of it (needs ~3 GB of free disk)
 *   BENCH_RUNS=3 BENCH_LARGE_MB=200 BENCH_RSS_MB=1000 npm run bench:build-image
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRegistry } from '../test/helpers/registry-server';
import { generateLargeConfig, median, ratio, run } from './lib';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 200);
// 1000 MiB of content plus the example stays under the reader's default 1 GiB limit.
const RSS_MB = Number(process.env.BENCH_RSS_MB ?? 1000);
const WICKEDCTL = `node ${join(ROOT, 'bin', 'wickedctl.js')}`;
/**
 * Timed commands run without NODE_EXTRA_CA_CERTS and NODE_OPTIONS. When the first is set, Node.js
 * reads and parses that CA file at every start (about 50 ms per process on the machine the README's
 * figures come from), whatever the process does; the registry here is plain HTTP on loopback. The
 * builder is also timed with the environment as given, side by side, so the cost stays visible.
 */
const INHERITED_CA = process.env.NODE_EXTRA_CA_CERTS;
const TIMED_ENV: NodeJS.ProcessEnv = { ...process.env };
delete TIMED_ENV.NODE_EXTRA_CA_CERTS;
delete TIMED_ENV.NODE_OPTIONS;

interface Case {
  readonly name: string;
  readonly configDir: string;
  readonly bytes: number;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'bench-build-'));
  const registry = await startRegistry();
  try {
    const base = await pushBase(work, registry.host);
    const example: Case = { name: 'example config', configDir: join(ROOT, 'examples', 'static'), bytes: await duBytes(join(ROOT, 'examples', 'static')) };
    const largeDir = join(work, 'large', 'static');
    await generateLargeConfig(largeDir, LARGE_MB * 1024 * 1024, example.configDir);
    const large: Case = { name: `generated ${LARGE_MB} MB config`, configDir: largeDir, bytes: await duBytes(largeDir) };
    const lines: string[] = [];
    const print = (more: string[]): void => {
      lines.push(...more);
      process.stdout.write(`${more.join('\n')}\n`);
    };
    print((await compare(example, base, registry.host, work)).lines);
    const largeRun = await compare(large, base, registry.host, work);
    print(largeRun.lines);
    const floorMs = await floor(large);
    print([
      `## throughput on the ${large.name}`,
      `floor (tar c | gzip -6 | sha256sum): ${mbps(large.bytes, floorMs)} MB/s, median ${floorMs.toFixed(0)} ms`,
      `wickedctl build + push:               ${mbps(large.bytes, largeRun.ours)} MB/s (${((floorMs / largeRun.ours) * 100).toFixed(0)}% of the floor; target >= 70%)`,
      '',
    ]);
    print(await peakRss(work, base, registry.host));
    process.stdout.write(`\n# summary\n${lines.join('\n')}\n`);
  } finally {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** Makes a base image with umoci (one ~40 MB layer, Cmd/Env/WorkingDir) and copies it in with skopeo. */
async function pushBase(work: string, host: string): Promise<string> {
  const layout = join(work, 'base-layout');
  const bundle = join(work, 'base-bundle');
  await run(`umoci init --layout ${layout} && umoci new --image ${layout}:base && umoci unpack --rootless --image ${layout}:base ${bundle}`);
  await mkdir(join(bundle, 'rootfs', 'usr', 'src', 'app'), { recursive: true });
  await run(`head -c 41943040 /dev/urandom > ${join(bundle, 'rootfs', 'usr', 'src', 'app', 'node_modules.bin')}`);
  await writeFile(join(bundle, 'rootfs', 'usr', 'src', 'app', 'package.json'), '{"name":"portal-api"}\n');
  await run(`umoci repack --image ${layout}:base ${bundle}`);
  await run(`umoci config --image ${layout}:base --config.workingdir /usr/src/app --config.env NODE_ENV=production --config.cmd npm --config.cmd start`);
  const ref = `${host}/wicked/base:1`;
  await run(`skopeo copy --quiet --dest-tls-verify=false oci:${layout}:base docker://${ref}`);
  return ref;
}

async function compare(benchCase: Case, base: string, host: string, work: string): Promise<{ lines: string[]; ours: number }> {
  const ours: number[] = [];
  const oursInherited: number[] = [];
  const warm: number[] = [];
  const cold: number[] = [];
  const context = join(work, `ctx-${benchCase.name.replace(/\W+/g, '-')}`);
  await mkdir(context, { recursive: true });
  await cp(benchCase.configDir, join(context, 'static'), { recursive: true });
  await writeFile(join(context, 'Containerfile'), `FROM ${base}\nCOPY static/ /var/portal-api/static/\n`);
  const buildah = (storage: string): string => `buildah --storage-driver vfs --root ${storage}/root --runroot ${storage}/run`;
  const warmStorage = join(work, 'buildah-warm');
  await run(`${buildah(warmStorage)} pull --quiet --tls-verify=false ${base}`); // warm: the base is already in local storage
  const buildAndPush = (storage: string, ref: string, pull: string): string =>
    `${buildah(storage)} build --quiet --isolation chroot --timestamp 0 --pull=${pull} --tls-verify=false -f ${context}/Containerfile -t ${ref} ${context} && ${buildah(storage)} push --quiet --tls-verify=false ${ref}`;
  for (let i = 0; i < RUNS; i++) {
    const repo = `bench-${Date.now()}-${i}`;
    const ourBuild = (suffix: string): string => `${WICKEDCTL} build --config ${benchCase.configDir} --base ${base} --to ${host}/${repo}-${suffix} --insecure-registry --json`;
    ours.push((await run(ourBuild('ours'), { env: TIMED_ENV, replaceEnv: true })).ms);
    if (INHERITED_CA !== undefined) oursInherited.push((await run(ourBuild('ours-ca'))).ms);
    warm.push((await run(buildAndPush(warmStorage, `${host}/${repo}-warm:1`, 'never'), { env: TIMED_ENV, replaceEnv: true })).ms);
    await run(`${buildah(warmStorage)} rmi -f ${host}/${repo}-warm:1 >/dev/null`); // untimed: keeps the warm storage as it was
    // cold: a fresh CI runner, which pulls the base first (the job this builder replaces)
    const coldStorage = join(work, `buildah-cold-${i}`);
    cold.push((await run(buildAndPush(coldStorage, `${host}/${repo}-cold:1`, 'missing'), { env: TIMED_ENV, replaceEnv: true })).ms);
    await rm(coldStorage, { recursive: true, force: true });
  }
  const [a, w, c] = [median(ours), median(warm), median(cold)];
  const lines = [
    `## ${benchCase.name} (${(benchCase.bytes / 1e6).toFixed(1)} MB, ${RUNS} runs, build + push to a local registry)`,
    `wickedctl build                        median ${a.toFixed(0)} ms`,
    ...(oursInherited.length > 0
      ? [`wickedctl build, NODE_EXTRA_CA_CERTS kept median ${median(oursInherited).toFixed(0)} ms  (speed-ups ${ratio(c, median(oursInherited))} fresh runner, ${ratio(w, median(oursInherited))} base local)`]
      : []),
    `buildah build+push, fresh runner       median ${c.toFixed(0)} ms  -> speed-up ${ratio(c, a)}`,
    `buildah build+push, base already local median ${w.toFixed(0)} ms  -> speed-up ${ratio(w, a)}`,
    '(target: >= 5x on the example config against buildah as a CI job runs it, on a fresh runner; base already local: for reference)',
    '',
  ];
  return { lines, ours: a };
}

async function floor(benchCase: Case): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await run(`tar c -C ${benchCase.configDir} . | gzip -6 | sha256sum >/dev/null`)).ms);
  return median(times);
}

function mbps(bytes: number, ms: number): string {
  return (bytes / 1e6 / (ms / 1000)).toFixed(1);
}

async function peakRss(work: string, base: string, host: string): Promise<string[]> {
  const dir = join(work, 'rss', 'static');
  await generateLargeConfig(dir, RSS_MB * 1024 * 1024, join(ROOT, 'examples', 'static'));
  const result = await run(`${WICKEDCTL} build --config ${dir} --base ${base} --to ${host}/bench-rss --insecure-registry --json`, { measureRss: true, env: TIMED_ENV, replaceEnv: true });
  return [`## peak RSS of wickedctl build on a ${RSS_MB} MB config: ${((result.maxRssKiB ?? 0) / 1024).toFixed(0)} MB (target < 150 MB)`];
}

async function duBytes(dir: string): Promise<number> {
  return Number((await run(`du -sb ${dir} | cut -f1`)).stdout.trim());
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
