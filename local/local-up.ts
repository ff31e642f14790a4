import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Cloud } from './cloud';
import { startCloud } from './cloud';
import { recordedBootstrap, recordedDeploy, replayCdk } from './cdk-recording';
import { bootstrapArgs, deployArgs, runCdkCli } from './cdk-cli';
import type { DeployedResource } from './cloudformation';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './kernel/events';
import { cachedAssembly } from './synth-cache';

/** Why `local up` could not deploy; `code` is stable. */
export class LocalUpError extends Error {
  readonly retryable = false;
  constructor(readonly code: 'UnknownEnvironment' | 'BootstrapFailed' | 'DeployFailed', message: string) {
    super(message);
    this.name = 'LocalUpError';
  }
}

/** Options of {@link localUp}. */
export interface LocalUpOptions {
  /** The repository root: cdk.json, the app and the pinned CDK CLI. */
  readonly root: string;
  /** The cloud keeps its files here (emptied first: each run starts from an empty account). */
  readonly stateDir: string;
  /** Environments of cdk.json's `wicked` context to deploy, as `wicked-<env>` stacks. */
  readonly envs: readonly string[];
  /** Emulated time runs this many times faster than wall time. @default 1 */
  readonly clockSpeed?: number;
  /** First port of the cloud's services (see `CLOUD_SERVICES`); 0 picks free ports. @default 0 */
  readonly basePort?: number;
  /**
   * What creates the stacks: `cli` runs `cdk bootstrap` and `cdk deploy`, as an operator does; `recording` sends
   * the CloudFormation and S3 requests that the pinned CLI made for the same commands (recorded once per CLI
   * version and synthesis inputs: `recordedBootstrap`, `recordedDeploy`) through the AWS SDK. The same
   * templates, parameters and bundles make the same stacks for a fraction of the CPU (the CLI costs about 3.5
   * CPU-s to bootstrap and 5 to deploy), for tests that need deployed stacks but do not test the CLI. @default 'cli'
   */
  readonly via?: 'cli' | 'recording';
  /** Progress lines (the synthesis, the CDK CLI's output). @default nothing */
  readonly progress?: (line: string) => void;
}

/** One deployed environment, as its stack says. */
export interface LocalEnvironment {
  readonly env: string;
  readonly stackName: string;
  /** Where the stack wrote the environment's SSM parameters (what `wickedctl --env` reads), e.g. `/wicked/dev/`. */
  readonly parameterPath: string;
  readonly configBucket: string;
  readonly cluster: string;
  readonly repositoryUri: string;
  readonly ledgerTable: string;
  readonly topicArn: string;
}

/** The running local cloud with the deployed environments. */
export interface LocalUp {
  readonly cloud: Cloud;
  readonly environments: readonly LocalEnvironment[];
  /** What a shell needs: the cloud's endpoints, credentials, region and account. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * Starts an empty local cloud, then does what an operator does against AWS,
 * with the real CDK CLI: `cdk bootstrap` and `cdk deploy wicked-<env>...`, both
 * given the app in cdk.json from the synth cache (synthesized only when its
 * sources changed). Every resource, parameter and function comes from the templates
 * and bundles that ship.
 *
 * @example
 * const up = await localUp({ root, stateDir: '.local/cloud', envs: ['dev'], clockSpeed: 20 });
 * up.environments[0].parameterPath // '/wicked/dev/'
 */
export async function localUp(options: LocalUpOptions): Promise<LocalUp> {
  const root = resolve(options.root);
  const progress = options.progress ?? ((): void => undefined);
  const assembly = await cachedAssembly({ root, progress });
  const stacks = options.envs.map((env) => `wicked-${env}`);
  const known = await assemblyStacks(assembly);
  const unknown = stacks.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new LocalUpError('UnknownEnvironment', `--env ${unknown.map((n) => n.slice('wicked-'.length)).join(', ')}: the app in cdk.json has no stack ${unknown.join(', ')}; expected one of ${known.filter((n) => n.startsWith('wicked-') && n !== 'wicked-registry-cache').map((n) => n.slice('wicked-'.length)).join(', ')} (the environments of the "wicked" context in cdk.json)`);
  }
  const stateDir = resolve(options.stateDir);
  await rm(stateDir, { recursive: true, force: true });
  const cloud = await startCloud({ stateDir, clockSpeed: options.clockSpeed ?? 1, basePort: options.basePort ?? 0 });
  try {
    const cli = (line: string): void => { if (line.trim() !== '') progress(`cdk: ${line}`); };
    if (options.via === 'recording') {
      progress(`${stacks.join(', ')} from the recordings of cdk bootstrap and cdk deploy ${stacks.join(' ')}`);
      await replayCdk(cloud.endpoints, await recordedBootstrap(root)).catch((error: unknown) => { throw new LocalUpError('BootstrapFailed', (error as Error).message); });
      await replayCdk(cloud.endpoints, await recordedDeploy(root, stacks)).catch((error: unknown) => { throw new LocalUpError('DeployFailed', (error as Error).message); });
    } else {
      progress(`cdk bootstrap aws://${LOCAL_ACCOUNT}/${LOCAL_REGION} --app ${assembly}`);
      const boot = await runCdkCli(root, cloud.env, bootstrapArgs(assembly), cli);
      if (boot.code !== 0) throw new LocalUpError('BootstrapFailed', `cdk bootstrap exited with ${boot.code}:\n${boot.output.slice(-3000)}`);
      progress(`cdk deploy ${stacks.join(' ')} --app ${assembly}`);
      const deploy = await runCdkCli(root, cloud.env, deployArgs(stacks, assembly), cli);
      if (deploy.code !== 0) throw new LocalUpError('DeployFailed', `cdk deploy ${stacks.join(' ')} exited with ${deploy.code}:\n${deploy.output.slice(-3000)}`);
    }
    const environments = options.envs.map((env) => describeEnvironment(cloud, env));
    return { cloud, environments, env: { ...cloud.env, AWS_ACCOUNT_ID: LOCAL_ACCOUNT }, stop: () => cloud.stop() };
  } catch (error) {
    await cloud.stop();
    throw error;
  }
}

/** The stack names of a cloud assembly (its manifest's CloudFormation artifacts). */
async function assemblyStacks(assembly: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(assembly, 'manifest.json'), 'utf8')) as { artifacts?: Record<string, { type?: string; properties?: { stackName?: string } }> };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([id, artifact]) => artifact.properties?.stackName ?? id);
}

/** An environment's names, read from its deployed stack: outputs, resources and the parameters it wrote. */
export function describeEnvironment(cloud: Pick<Cloud, 'cloudformation'>, env: string): LocalEnvironment {
  const stackName = `wicked-${env}`;
  const stack = cloud.cloudformation.stack(stackName);
  const resources = [...stack.resources.values()];
  const output = (key: string): string => {
    const value = stack.outputs.find((o) => o.OutputKey === key)?.OutputValue;
    if (value === undefined) throw new Error(`stack ${stackName} has no output ${key}: expected the outputs of infra/wicked-platform.ts`);
    return value;
  };
  const cluster = resources.find((r) => r.type === 'AWS::ECS::Cluster');
  if (!cluster) throw new Error(`stack ${stackName} has no AWS::ECS::Cluster`);
  return {
    env, stackName,
    parameterPath: parameterPath(stackName, resources),
    configBucket: output('ConfigBucketName'),
    repositoryUri: output('PortalApiRepositoryUri'),
    ledgerTable: output('LedgerTableName'),
    topicArn: output('NotificationTopicArn'),
    cluster: cluster.physicalId,
  };
}

/** The path every AWS::SSM::Parameter of the stack sits under (their names' common folder), e.g. `/wicked/dev/`. */
function parameterPath(stackName: string, resources: readonly DeployedResource[]): string {
  const names = resources.filter((r) => r.type === 'AWS::SSM::Parameter').map((r) => r.physicalId);
  if (names.length === 0) throw new Error(`stack ${stackName} wrote no SSM parameters: expected the environment's parameters (infra/constructs/environment-parameters.ts)`);
  let prefix = names[0]!.slice(0, names[0]!.lastIndexOf('/') + 1);
  while (!names.every((name) => name.startsWith(prefix))) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  return prefix;
}
