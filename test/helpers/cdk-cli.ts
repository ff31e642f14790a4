import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Cloud, CloudOptions } from '../../local/cloud';
import { startCloud } from '../../local/cloud';
import { recordedBootstrap, replayCdk } from '../../local/cdk-recording';
import { cdkEntryPoint } from '../../local/cdk-cli';
import { cachedAssembly } from '../../local/synth-cache';

/** The repository root, where cdk.json and the pinned CDK CLI are. */
export const ROOT = resolve(__dirname, '..', '..');

/**
 * The pinned CDK CLI's entry point (the devDependency, what `npx cdk` runs), started with this process's Node: npm's
 * own start-up for `npx` costs most of a CPU second per command, and these tests run a few dozen.
 */
const CDK_CLI = cdkEntryPoint(ROOT) ?? ((): never => { throw new Error(`no aws-cdk under ${ROOT}: run npm ci`); })();

/** What a CDK CLI run printed (stdout and stderr interleaved) and its exit code. */
export interface CdkRun {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs the real AWS CDK CLI against a local cloud's endpoints, offline and
 * without notices. A command given neither `--output` nor `--app` gets a cloud
 * assembly directory of its own: the CLI refuses to synthesize into a `cdk.out`
 * that another CLI (another test file running in parallel) is writing. That
 * directory is removed when the command ends.
 *
 * @example
 * const run = await cdk(cloud, ['bootstrap', 'aws://000000000000/us-east-1']);
 */
export function cdk(cloud: Cloud, args: readonly string[]): Promise<CdkRun> {
  const outDir = args.includes('--output') || args.includes('--app') ? undefined : mkdtempSync(join(tmpdir(), 'cdk-out-'));
  const own = outDir === undefined ? [] : ['--output', outDir];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CDK_CLI, ...args, ...own, '--no-notices'], {
      cwd: ROOT,
      env: { ...process.env, ...cloud.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.on('error', (error) => { if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true }); fail(error); });
    child.on('close', (code) => {
      if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
      done({ code, output });
    });
  });
}

/** A bootstrapped local cloud, with a scratch directory of its own. */
export interface BootstrappedCloud {
  readonly cloud: Cloud;
  /** Scratch directory: the cloud's state and the tests' cloud assemblies. */
  readonly dir: string;
  /** Stops the cloud and removes the scratch directory. */
  stop(): Promise<void>;
}

/**
 * Starts an empty local cloud and bootstraps it as `cdk bootstrap aws://000000000000/us-east-1` does: the CLI's
 * own CloudFormation requests (its bootstrap template and parameters), recorded once per CLI version and sent
 * again through the AWS SDK (`recordedBootstrap`), which costs about a tenth of the CLI's CPU. The files that
 * use this test `cdk deploy`, not the bootstrap; the user's bootstrap command itself, and that the recording
 * creates the same bootstrap stack as the CLI, are tested in e2e/cdk-cli.test.ts.
 *
 * @example
 * const { cloud, dir, stop } = await bootstrappedCloud('e2e-cdk-', { clockSpeed: 10 });
 */
export async function bootstrappedCloud(prefix: string, options: Omit<CloudOptions, 'stateDir'> = {}): Promise<BootstrappedCloud> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const cloud = await startCloud({ ...options, stateDir: join(dir, 'state') });
  const stop = async (): Promise<void> => {
    await cloud.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await replayCdk(cloud.endpoints, await recordedBootstrap(ROOT));
  } catch (error) {
    await stop();
    throw error;
  }
  return { cloud, dir, stop };
}

/**
 * The cloud assembly of the app in cdk.json from the synth cache (`.cache/`):
 * synthesized once for the current sources, whichever test file or process
 * asks first; deploy it with `cdk(cloud, ['deploy', ..., '--app', dir])`.
 *
 * @example
 * const assembly = await appAssembly();
 */
export function appAssembly(): Promise<string> {
  return cachedAssembly({ root: ROOT });
}

/**
 * The cloud assembly of a fixture app under test/e2e/fixtures with this
 * context, from the synth cache (the fixture and the locked dependencies are
 * its inputs).
 *
 * @example
 * const assembly = await fixtureAssembly('service-app.ts', { image: 'missing' });
 */
export function fixtureAssembly(file: string, context: Readonly<Record<string, string>>): Promise<string> {
  const path = `test/e2e/fixtures/${file}`;
  return cachedAssembly({ root: ROOT, app: `npx tsx ${path}`, inputs: [path, 'package-lock.json', 'cdk.json'], context });
}
