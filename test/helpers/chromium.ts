import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The Debian package's binary (scripts/system-deps.sh installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, offline, no profile state: a fresh user data dir per call. */
async function chromium(args: readonly string[]): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  try {
    const { stdout } = await run(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args,
    ], { maxBuffer: 32 << 20, timeout: 60_000 });
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** A PNG screenshot of a local page at `width`×`height`. */
export async function screenshot(file: string, width: number, height: number): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'chromium-shot-'));
  try {
    const png = join(dir, 'page.png');
    await chromium([`--window-size=${width},${height}`, `--screenshot=${png}`, pathToFileURL(file).href]);
    return await readFile(png);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The DOM Chromium built from a local page, serialized (`--dump-dom`). */
export function dumpDom(file: string): Promise<string> {
  return chromium(['--dump-dom', pathToFileURL(file).href]);
}
