/**
 * What a test file pays to get a deployed wicked-dev stack in a fresh local cloud: the real CDK CLI
 * (`cdk bootstrap`, then `cdk deploy wicked-dev`, as `wickedctl local up` runs them) against the replay of
 * the CLI's recorded requests (local/cdk-recording.ts, what test/helpers/deployed.ts uses). Each round runs
 * both, in alternating order, each in a fresh node process under GNU time, which counts the CPU of every
 * process it waited for: the CLI, the emulator and the deploy-time Lambda environments. One round first,
 * not counted, fills the synth cache and the recordings.
 *
 *   npm run bench:stack-setup          (BENCH_RUNS=5 by default)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { localUp } from '../local/local-up';
import { median, ratio, run } from './lib';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WAYS = ['cli', 'recording'] as const;
type Way = (typeof WAYS)[number];

/** One stack setup in this process: `local up --env dev` by `way`, then stop. */
async function once(way: Way): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-stack-setup-'));
  try {
    const up = await localUp({ root: ROOT, stateDir: join(dir, 'cloud'), envs: ['dev'], clockSpeed: 50, via: way });
    await up.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Wall milliseconds and CPU seconds (user + system, with the processes it waited for) of one setup in a fresh process. */
async function timed(way: Way): Promise<{ wall: number; cpu: number }> {
  const result = await run(`/usr/bin/time -f 'CPU=%U %S' npx tsx ${JSON.stringify(__filename)} --once ${way}`);
  const cpu = /CPU=([\d.]+) ([\d.]+)/.exec(result.stderr);
  if (!cpu) throw new Error(`no CPU time from GNU time in:\n${result.stderr.slice(-500)}`);
  return { wall: result.ms, cpu: Number(cpu[1]) + Number(cpu[2]) };
}

async function main(): Promise<void> {
  if (process.argv.includes('--once')) {
    const way = process.argv[process.argv.indexOf('--once') + 1];
    if (way !== 'cli' && way !== 'recording') throw new Error(`--once ${way}: expected cli or recording`);
    await once(way);
    return;
  }
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`BENCH_RUNS=${process.env.BENCH_RUNS}: expected an integer >= 1`);
  for (const w of WAYS) await timed(w);
  const times: Record<Way, { wall: number; cpu: number }[]> = { cli: [], recording: [] };
  for (let round = 0; round < RUNS; round++) {
    for (const w of round % 2 === 0 ? WAYS : [...WAYS].reverse()) times[w].push(await timed(w));
  }
  const wall = (w: Way): number => median(times[w].map((t) => t.wall));
  const cpu = (w: Way): number => median(times[w].map((t) => t.cpu));
  console.log(`deployed wicked-dev in a fresh local cloud, ${RUNS} rounds, medians (a fresh node process each, tsx start included)`);
  console.log(`  cdk bootstrap + cdk deploy (CLI)   ${wall('cli').toFixed(0).padStart(6)} ms wall  ${cpu('cli').toFixed(2).padStart(6)} CPU-s`);
  console.log(`  replay of the recorded requests    ${wall('recording').toFixed(0).padStart(6)} ms wall  ${cpu('recording').toFixed(2).padStart(6)} CPU-s`);
  console.log(`  CLI / replay: ${ratio(wall('cli'), wall('recording'))} wall, ${ratio(cpu('cli'), cpu('recording'))} CPU`);
  for (const w of WAYS) console.log(`  ${w}: ${times[w].map((t) => `${t.wall.toFixed(0)} ms / ${t.cpu.toFixed(2)} CPU-s`).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
