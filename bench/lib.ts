import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Result of one command run. */
export interface RunResult {
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set size in KiB, from GNU time, when measured. */
  readonly maxRssKiB?: number;
}

/**
 * Runs a command through `bash -c`, failing loudly on a non-zero exit. `env` adds to this
 * process's environment, or replaces it with `replaceEnv`.
 */
export async function run(command: string, options: { env?: NodeJS.ProcessEnv; replaceEnv?: boolean; measureRss?: boolean } = {}): Promise<RunResult> {
  const argv = options.measureRss ? ['/usr/bin/time', '-f', 'MAXRSS=%M', 'bash', '-c', command] : ['bash', '-c', command];
  const started = process.hrtime.bigint();
  const child = spawn(argv[0]!, argv.slice(1), { env: options.replaceEnv ? options.env : { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code: number = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const stdout = Buffer.concat(out).toString();
  const stderr = Buffer.concat(err).toString();
  if (code !== 0) throw new Error(`command failed (${code}): ${command}\n${stderr.slice(-2000)}`);
  const rss = /MAXRSS=(\d+)/.exec(stderr);
  return { ms, stdout, stderr, ...(rss ? { maxRssKiB: Number(rss[1]) } : {}) };
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Writes a large, valid configuration: the `template` configuration plus
 * content files, half compressible JSON-like text, half random bytes (like
 * bundled images or fonts), in files of 1 to 8 MiB.
 */
export async function generateLargeConfig(dir: string, totalBytes: number, template: string): Promise<void> {
  await cp(template, dir, { recursive: true });
  let written = 0;
  for (let index = 0; written < totalBytes; index++) {
    const size = Math.min(totalBytes - written, (1 + (index % 8)) * 1024 * 1024);
    const random = index % 2 === 1;
    const path = join(dir, 'content', 'bench', `part-${Math.floor(index / 50)}`, `file-${index}.${random ? 'bin' : 'md'}`);
    await mkdir(dirname(path), { recursive: true });
    await writeChunks(path, size, random);
    written += size;
  }
}

async function writeChunks(path: string, size: number, random: boolean): Promise<void> {
  const stream = createWriteStream(path);
  const text = Buffer.from(Array.from({ length: 2048 }, (_, i) => `{"id":${i},"name":"api-${i % 97}","plan":"basic"},`).join('\n'));
  for (let left = size; left > 0; ) {
    const n = Math.min(left, 1024 * 1024);
    const chunk = random ? randomBytes(n) : Buffer.alloc(n, text);
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    left -= n;
  }
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** Formats a ratio to two decimals with an `x`. */
export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}
