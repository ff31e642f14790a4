import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { cdkCommand } from './cdk-cli';

/**
 * What a synthesis of the app in cdk.json depends on, relative to the
 * repository root: the app and the Lambda sources it bundles, the CDK
 * settings and context, the locked dependency versions (aws-cdk-lib, esbuild,
 * the CLI) and the compiler settings esbuild reads.
 */
export const SYNTH_INPUTS: readonly string[] = ['infra', 'functions', 'shared', 'cdk.json', 'cdk.context.json', 'package-lock.json', 'tsconfig.json'];

/**
 * Entries kept: a new one removes the least recently used beyond this many (the app, the test fixtures' variants
 * and the recordings of the CLI's bootstrap and deploys fit, about a dozen).
 */
export const SYNTH_CACHE_ENTRIES = 20;

/**
 * Each cached assembly's `*.metadata.json` files are written without stack traces: the construct creation
 * stacks (`aws:cdk:creationStack` entries) and the `trace` of annotations. The CDK CLI reads a stack's metadata
 * file again for each stack event it shows (to name the construct behind a resource); with the traces the file
 * of a wicked stack is about 3.5 times larger, and the CLI spent about 2.7 CPU-s of one deploy of 254 resources
 * re-reading it. The templates, assets and annotations stay as synthesized; only the source locations the CLI
 * would print beside a failed resource go. (The CDK has context flags for both, `aws:cdk:disable-creation-stack-traces`
 * and `aws:cdk:disable-stack-trace`, but the CLI refuses `aws:` keys given with `-c`.) Part of the hash.
 */
const METADATA_FORMAT = 'metadata without stack traces';

/** Default cache directory, relative to the repository root (gitignored). */
export const SYNTH_CACHE_DIR = '.cache';

/** Why the cache could not give an assembly; `code` is stable. */
export class SynthCacheError extends Error {
  readonly retryable = false;
  constructor(readonly code: 'SynthFailed' | 'InvalidContext', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SynthCacheError';
  }
}

/** Options of {@link cachedAssembly} and {@link synthInputsHash}. */
export interface SynthCacheOptions {
  /** The repository root: where cdk.json is. */
  readonly root: string;
  /** Cloud assemblies are kept under this directory. @default `<root>/.cache` */
  readonly cacheDir?: string;
  /** Extra `-c key=value` context for the synthesis; part of the hash. @default {} */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * Another app than cdk.json's (`cdk synth --app <command>`, run in root), such as a
   * test fixture; part of the hash. Name its sources in `inputs`. @default cdk.json's app
   */
  readonly app?: string;
  /** Paths (relative to root) hashed as inputs. @default {@link SYNTH_INPUTS} */
  readonly inputs?: readonly string[];
  /** Writes a cloud assembly into `outDir` (which does not exist yet). @default `cdk synth --output outDir` */
  readonly synth?: (outDir: string, context: Readonly<Record<string, string>>, app?: string) => Promise<void>;
  /**
   * The file whose presence marks a finished entry, for an entry that `synth` fills with something other than a
   * cloud assembly (such as a recording of the CLI's bootstrap). @default `manifest.json`
   */
  readonly entryFile?: string;
  /** Reports progress (a synthesis starting, waiting for another process's). @default nothing */
  readonly progress?: (line: string) => void;
}

/**
 * sha256 over the synthesis inputs: every file under each input path (sorted
 * by relative path, each path and its bytes), missing inputs as such, and the
 * extra context. Any edit to the app, a handler, the CDK context or a locked
 * dependency gives another hash; files elsewhere (docs, tests) do not.
 *
 * @example
 * await synthInputsHash({ root: '.', context: { greeting: 'hi' } }) // '3f1c…' (64 hex digits)
 */
export async function synthInputsHash(options: Pick<SynthCacheOptions, 'root' | 'context' | 'inputs' | 'app'>): Promise<string> {
  const root = resolve(options.root);
  const hash = createHash('sha256');
  for (const input of [...(options.inputs ?? SYNTH_INPUTS)].sort()) {
    const files = await filesUnder(join(root, input));
    if (files.length === 0) hash.update(`missing ${input}\0`);
    for (const file of files) {
      hash.update(`file ${relative(root, file).split('\\').join('/')}\0`);
      hash.update(await readFile(file));
      hash.update('\0');
    }
  }
  if (options.app !== undefined) hash.update(`app ${options.app}\0`);
  hash.update(`${METADATA_FORMAT}\0`);
  const context = options.context ?? {};
  for (const key of Object.keys(context).sort()) hash.update(`context ${key}=${context[key]}\0`);
  return hash.digest('hex');
}

/**
 * The cloud assembly of the app in cdk.json for the current inputs: reused
 * from `<cacheDir>/cdk.out-<hash>` when present, synthesized once otherwise.
 * Safe when several processes ask at once: one holds `<dir>.lock` and
 * synthesizes into a private directory that it renames into place when
 * complete; the others wait for the rename. A lock left by a dead process is
 * taken over, and a synthesis that fails leaves no cache entry. Hand the
 * directory to `cdk deploy --app <dir>`.
 *
 * @example
 * const assembly = await cachedAssembly({ root: process.cwd() });
 * // npx cdk deploy wicked-dev --app <assembly>
 */
export async function cachedAssembly(options: SynthCacheOptions): Promise<string> {
  const root = resolve(options.root);
  const context = options.context ?? {};
  for (const [key, value] of Object.entries(context)) {
    if (!/^[\w:@./-]+$/.test(key) || /[\0\n]/.test(value)) throw new SynthCacheError('InvalidContext', `context ${JSON.stringify(key)}=${JSON.stringify(value)}: expected a key of letters, digits and :@./_- and a one-line value`);
  }
  const cacheDir = resolve(options.cacheDir ?? join(root, SYNTH_CACHE_DIR));
  await mkdir(cacheDir, { recursive: true });
  const dir = join(cacheDir, `cdk.out-${await synthInputsHash({ root, context, ...(options.inputs ? { inputs: options.inputs } : {}), ...(options.app !== undefined ? { app: options.app } : {}) })}`);
  const lockFile = `${dir}.lock`;
  const entryFile = options.entryFile ?? 'manifest.json';
  const complete = (path: string): boolean => existsSync(join(path, entryFile));
  let announcedWait = false;
  for (;;) {
    if (complete(dir)) return used(dir);
    const lock = await tryLock(lockFile);
    if (lock) {
      try {
        // Another process may have published while this one took the lock.
        if (complete(dir)) return used(dir);
        options.progress?.(`synthesizing the app into ${dir} (its inputs changed or it was never synthesized)`);
        const scratch = `${dir}.partial-${process.pid}-${randomUUID().slice(0, 8)}`;
        try {
          await (options.synth ?? cdkSynth(root))(scratch, context, options.app);
          if (!complete(scratch)) throw new SynthCacheError('SynthFailed', `synthesis wrote no ${entryFile} into ${scratch}: expected ${entryFile === 'manifest.json' ? 'a cloud assembly' : `the entry's ${entryFile}`}`);
          await dropStackTraces(scratch);
          await rename(scratch, dir);
        } finally {
          await rm(scratch, { recursive: true, force: true });
        }
        await prune(cacheDir, dir);
        return dir;
      } finally {
        await rm(lockFile, { force: true });
      }
    }
    if (!announcedWait) options.progress?.(`waiting for another process's synthesis into ${dir}`);
    announcedWait = true;
    await lockReleased(lockFile);
  }
}

/** Rewrites the assembly's metadata files without stack traces (see {@link METADATA_FORMAT}). */
async function dropStackTraces(assembly: string): Promise<void> {
  for (const name of (await readdir(assembly)).filter((n) => n.endsWith('.metadata.json'))) {
    const path = join(assembly, name);
    const metadata = JSON.parse(await readFile(path, 'utf8')) as Record<string, { type: string; trace?: unknown }[]>;
    const lean = Object.fromEntries(Object.entries(metadata)
      .map(([constructPath, entries]) => [constructPath, entries.filter((entry) => entry.type !== 'aws:cdk:creationStack').map(({ trace: _trace, ...entry }) => entry)] as const)
      .filter(([, entries]) => entries.length > 0));
    await writeFile(path, JSON.stringify(lean, undefined, 2));
  }
}

/** Marks an entry as used now (its mtime orders the pruning). */
async function used(dir: string): Promise<string> {
  const now = new Date();
  await utimes(dir, now, now).catch(() => undefined);
  return dir;
}

/** Removes the least recently used entries beyond {@link SYNTH_CACHE_ENTRIES}, never the one just made. */
async function prune(cacheDir: string, keep: string): Promise<void> {
  const entries = (await readdir(cacheDir)).filter((name) => /^cdk\.out-[0-9a-f]{64}$/.test(name)).map((name) => join(cacheDir, name));
  const dated = await Promise.all(entries.map(async (path) => ({ path, mtime: (await stat(path).catch(() => undefined))?.mtimeMs ?? 0 })));
  const old = dated.filter((e) => e.path !== keep).sort((a, b) => b.mtime - a.mtime).slice(SYNTH_CACHE_ENTRIES - 1);
  for (const entry of old) await rm(entry.path, { recursive: true, force: true });
}

/** Creates the lock file exclusively (`wx`); takes over one whose holder is dead. Resolves false when another live process holds it. */
async function tryLock(lockFile: string): Promise<boolean> {
  try {
    const handle = await open(lockFile, 'wx');
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
  // An empty file is a lock being written right now: its holder is alive.
  if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
    await rm(lockFile, { force: true });
    return tryLock(lockFile);
  }
  return false;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resolves once the lock file is gone or its holder died; checks every 100 ms (a synthesis takes seconds). */
async function lockReleased(lockFile: string): Promise<void> {
  for (;;) {
    const text = await readFile(lockFile, 'utf8').catch(() => undefined);
    if (text === undefined) return;
    const holder = Number(text.trim());
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) return;
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Every file under a path (the path itself when it is a file), sorted; none when it does not exist. */
async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const files: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name === 'node_modules' || entry.name === 'cdk.out') continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(child)));
    else if (entry.isFile()) files.push(child);
  }
  return files;
}

/** `cdk synth --output <dir>` of the app in the root's cdk.json, offline and quiet; fails with the CLI's output. */
function cdkSynth(root: string): (outDir: string, context: Readonly<Record<string, string>>, app?: string) => Promise<void> {
  return (outDir, context, app) => new Promise((done, fail) => {
    const args = ['synth', '--quiet', '--no-notices', ...(app === undefined ? [] : ['--app', app]), '--output', outDir, ...Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const [command, prefix] = cdkCommand(root);
    const child = spawn(command, [...prefix, ...args], {
      cwd: root,
      // The stacks are environment-agnostic: without credentials the CLI asks no account for CDK_DEFAULT_ACCOUNT.
      env: { ...withoutCredentials(process.env), CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.on('error', (error) => fail(new SynthCacheError('SynthFailed', `cdk ${args.join(' ')}: ${error.message}`, { cause: error })));
    child.on('close', (code) => (code === 0 ? done() : fail(new SynthCacheError('SynthFailed', `cdk ${args.join(' ')} in ${root} exited with ${code}:\n${output.slice(-4000)}`))));
  });
}

function withoutCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete copy[key];
  return copy;
}
