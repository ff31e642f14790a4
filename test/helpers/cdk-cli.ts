import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Cloud, CloudOptions } from '../../local/cloud';
import { startCloud } from '../../local/cloud';
import { recordedBootstrap, replayCdk } from '../../local/cdk-recording';
import type { CdkCliRun } from '../../local/cdk-cli';
import { runCdkCli } from '../../local/cdk-cli';
import { cachedAssembly } from '../../local/synth-cache';

/** The repository root, where cdk.json and the pinned CDK CLI are. */
export const ROOT = resolve(__dirname, '..', '..');

/** What a CDK CLI run printed (stdout and stderr interleaved) and its exit code. */
export type CdkRun = CdkCliRun;

/**
 * Runs the real AWS CDK CLI against a local cloud's endpoints, as `runCdkCli` does (the pinned CLI with this
 * process's Node, offline, without notices). A command given neither `--output` nor `--app` gets a cloud
 * assembly directory of its own: the CLI refuses to synthesize into a `cdk.out` that another CLI (another test
 * file running in parallel) is writing. That directory is removed when the command ends.
 *
 * @example
 * const run = await cdk(cloud, ['bootstrap', 'aws://000000000000/us-east-1']);
 */
export async function cdk(cloud: Cloud, args: readonly string[]): Promise<CdkRun> {
  const outDir = args.includes('--output') || args.includes('--app') ? undefined : await mkdtemp(join(tmpdir(), 'cdk-out-'));
  try {
    return await runCdkCli(ROOT, cloud.env, [...args, ...(outDir === undefined ? [] : ['--output', outDir])]);
  } finally {
    if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
  }
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
