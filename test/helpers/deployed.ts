import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { mkdtemp, rm } from 'node:fs/promises';
import { installEnv } from '../../local/kernel/process-env';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cloud } from '../../local/cloud';
import type { StoryResources, StoryStack } from '../../local/demo-stack';
import { storyStack } from '../../local/demo-stack';
import type { FunctionConfig, Invocation } from '../../local/lambda/functions';
import type { LocalEnvironment, LocalUp } from '../../local/local-up';
import { localUp } from '../../local/local-up';
import { writeStandInBase } from '../../local/stand-in-base';
import { SDK_DEFAULTS, unassignBackupPlans } from '../../local/story';
import { createRegistryRepository } from '../../shared/oci/registry/registry-repository';
import { ROOT } from './cdk-cli';

/** The control plane's functions of one stack, by the construct that defines them (infra/constructs). */
export const FUNCTION_ROLES = {
  'build-image': /^PlatformBuildImageFunction/,
  'deploy-services': /^PlatformDeployDeployServicesFunction/,
  'track-deployment': /^PlatformDeployTrackDeploymentFunction/,
  'snapshot-data': /^PlatformSnapshotSnapshotDataFunction/,
  'track-backup': /^PlatformSnapshotTrackBackupFunction/,
} as const;

/** A control-plane function, by what it does. */
export type FunctionRole = keyof typeof FUNCTION_ROLES;

/** One deployed environment: every name read from its stack (outputs, resources, its functions' environment). */
export interface DeployedEnvironment extends StoryResources {
  readonly stackName: string;
  /** Where the stack wrote the environment's SSM parameters, e.g. `/wicked/dev/`. */
  readonly parameterPath: string;
  readonly topicArn: string;
  /** portal-api's repository (`wicked-<env>/portal-api`) and its URI. */
  readonly repositoryName: string;
  readonly repositoryUri: string;
  /** The release tag the task definition names (`<env>-live`), as the deploy functions move it. */
  readonly releaseTag: string;
  readonly backupVault: string;
  /** The schedule group of the stuck checks and safety-net nudges. */
  readonly stuckCheckGroup: string;
  /** The base image build-image appends the config to (its `BASE_IMAGE`), e.g. `<registry>/docker-hub/haufelexware/wicked.api:1.0.0`. */
  readonly baseImage: string;
  /** The deployed functions' names (their physical ids) by role. */
  readonly functions: Readonly<Record<FunctionRole, string>>;
}

/** A local cloud with the app's stacks deployed by the real CDK CLI, for one test file. */
export interface DeployedStack extends Omit<StoryStack, 'resources' | 'lambdaAsync'> {
  readonly cloud: Cloud;
  /** What a shell or an SDK client needs: the endpoints, credentials, region and account. */
  readonly env: Readonly<Record<string, string>>;
  readonly clock: Cloud['clock'];
  readonly lambdaAsync: Cloud['lambdaAsync'];
  /** The first (or only) environment. */
  readonly resources: DeployedEnvironment;
  readonly environments: Readonly<Record<string, DeployedEnvironment>>;
  /** A scratch directory of the test file's own (the cloud's state is under it). */
  readonly dir: string;
  /**
   * Changes variables of an environment's deployed functions (all of them, or those of `roles`), as
   * `aws lambda update-function-configuration` would: the next invocation runs in a fresh execution
   * environment with them. Resolves a function that puts the deployed configuration back.
   */
  setFunctionEnvironment(env: string, variables: Readonly<Record<string, string>>, roles?: readonly FunctionRole[]): Promise<() => Promise<void>>;
  /**
   * The invocations of an environment's function (by role) that handled one bus event (its `id`), after
   * Lambda's asynchronous queue has drained: what the function returned or why it failed.
   */
  handled(eventId: string, role: FunctionRole, env?: string): Promise<readonly Invocation[]>;
  /**
   * What did not go through to the functions of these roles: bus deliveries that failed, and the
   * asynchronous invocations of the functions that did not succeed after Lambda's retries.
   */
  failures(roles: readonly FunctionRole[]): string[];
  stop(): Promise<void>;
}

/**
 * The emulated clock's speed for tests on a deployed stack. ECS rollouts and backup jobs take emulated
 * time; the deploy functions' safety-net nudge fires every emulated minute while a deployment is in
 * flight, and each deployed invocation costs a process. At 200x the nudges came every 0.3 s of wall time
 * and, on a loaded machine, queued faster than the functions ran (29 invocations of deploy-services for
 * one deployment, 7.5 s; with a CPU hog beside it no deployment ended in 10 minutes); at 50x the same
 * deployment takes 1.4 s with one.
 */
export const DEPLOYED_CLOCK_SPEED = 50;

/** Options of {@link deployedStack}. */
export interface DeployedStackOptions {
  /** Environments of cdk.json's `wicked` context, deployed as `wicked-<env>`. @default ['dev'] */
  readonly envs?: readonly string[];
  /** Emulated time runs this many times faster than wall time. @default {@link DEPLOYED_CLOCK_SPEED} */
  readonly clockSpeed?: number;
  /**
   * Puts the cloud's endpoints, credentials and account into `process.env` (restored by `stop`), so that
   * `wickedctl` run in this process (`runCli`) finds the environments by `--env`, as in a shell after `local up`.
   * @default false
   */
  readonly cliEnvironment?: boolean;
  /**
   * Leaves each stack's daily snapshots (03:00 UTC) running: snapshot-data's schedule and the AWS Backup plan. Paused
   * otherwise, through the APIs as an operator would: the schedule by UpdateSchedule (State DISABLED), the plan by
   * DeleteBackupSelection (it keeps its rule, with nothing assigned). The sped-up clock crosses 03:00 whenever a file
   * starts in the hour before, and a snapshot of its own in the middle of a test would depend on the time of day.
   * Tests fire the schedule by hand (`control.scheduler.fire`).
   * @default false
   */
  readonly dailySnapshots?: boolean;
}

/**
 * Starts an empty local cloud in a scratch directory and deploys the app in
 * cdk.json from the synth cache as the real CDK CLI does (`localUp` with
 * `via: 'recording'`: the CLI's requests for `cdk bootstrap` and `cdk deploy
 * wicked-<env>...`, recorded once per CLI version and synthesis inputs, sent
 * again through the AWS SDK; the same templates, parameters and bundles; the
 * CLI itself is tested against the cloud in e2e/cdk-*.test.ts), then reads what the tests drive
 * from the deployed stacks: names from outputs and resources, the deploy
 * targets from the deployed functions' environment.
 *
 * @example
 * const stack = await deployedStack('e2e-deploy-', { envs: ['dev'] });
 * await uploadConfig(stack, archive, 'config/dev/static.tgz');
 */
export async function deployedStack(prefix: string, options: DeployedStackOptions = {}): Promise<DeployedStack> {
  const envs = options.envs ?? ['dev'];
  const dir = await mkdtemp(join(tmpdir(), prefix));
  let up: LocalUp;
  try {
    up = await localUp({ root: ROOT, stateDir: join(dir, 'cloud'), envs, clockSpeed: options.clockSpeed ?? DEPLOYED_CLOCK_SPEED, via: 'recording' });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const { cloud } = up;
  const restoreEnv = options.cliEnvironment ? installEnv(up.env) : (): void => undefined;
  const environments = Object.fromEntries(up.environments.map((described) => [described.env, describe(up, described)]));
  if (!options.dailySnapshots) {
    await pauseSchedules(cloud, Object.values(environments).map((environment) => environment.snapshotSchedule));
    await unassignBackupPlans(cloud.endpoints.backup);
  }
  const first = environments[envs[0]!]!;
  const story = storyStack(up, first.env);
  const functionsOf = (env: string, roles?: readonly FunctionRole[]): FunctionConfig[] => {
    const environment = environments[env];
    if (!environment) throw new Error(`environment ${env} was not deployed (deployed: ${envs.join(', ')})`);
    return (roles ?? (Object.keys(FUNCTION_ROLES) as FunctionRole[])).map((role) => cloud.functions.get(environment.functions[role])!);
  };
  return {
    ...story,
    cloud, env: up.env, clock: cloud.clock, lambdaAsync: cloud.lambdaAsync, resources: first, environments, dir,
    setFunctionEnvironment: async (env, variables, roles) => {
      const deployed = functionsOf(env, roles);
      for (const f of deployed) await cloud.functions.deploy({ ...f, environment: { ...f.environment, ...variables } });
      return async () => { for (const f of deployed) await cloud.functions.deploy(f); };
    },
    handled: async (eventId, role, env = first.env) => {
      await cloud.bus.idle();
      await cloud.lambdaAsync.idle();
      const name = environments[env]!.functions[role];
      return cloud.functions.invocations(name).filter((i) => (i.event as { id?: string } | undefined)?.id === eventId);
    },
    failures: (roles) => {
      const names = new Set(Object.values(environments).flatMap((e) => roles.map((role) => e.functions[role])));
      const deliveries = cloud.bus.timeline.flatMap((entry) => entry.deliveries
        .filter((d) => names.has(d.target) && d.status !== 'delivered')
        .map((d) => `${entry.event['detail-type']} -> ${d.target}: ${d.status} after ${d.attempts}: ${d.error ?? ''}`));
      const invocations = cloud.lambdaAsync.invocations().filter((i) => names.has(i.functionName) && i.status !== 'succeeded' && i.status !== 'queued')
        .map((i) => `${(i.event as { 'detail-type'?: string })['detail-type'] ?? '?'} -> ${i.functionName}: ${i.status} after ${i.attempts}: ${i.error ?? ''}`);
      return [...deliveries, ...invocations];
    },
    stop: async () => {
      restoreEnv();
      await up.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Disables these schedules through the Scheduler API (GetSchedule, then UpdateSchedule with the whole definition again). */
async function pauseSchedules(cloud: Cloud, schedules: readonly { readonly name: string; readonly group: string }[]): Promise<void> {
  const scheduler = new SchedulerClient({ ...SDK_DEFAULTS, endpoint: cloud.endpoints.scheduler });
  try {
    for (const { name, group } of schedules) {
      const current = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: group }));
      await scheduler.send(new UpdateScheduleCommand({
        Name: name, GroupName: group, ScheduleExpression: current.ScheduleExpression, ScheduleExpressionTimezone: current.ScheduleExpressionTimezone,
        FlexibleTimeWindow: current.FlexibleTimeWindow, Target: current.Target, State: 'DISABLED',
      }));
    }
  } finally {
    scheduler.destroy();
  }
}

/** One environment's names from its stack and its deployed functions. */
function describe(up: LocalUp, described: LocalEnvironment): DeployedEnvironment {
  const { cloud } = up;
  const stack = cloud.cloudformation.stack(described.stackName);
  const resources = [...stack.resources.values()];
  const functions = Object.fromEntries(Object.entries(FUNCTION_ROLES).map(([role, id]) => {
    const fn = resources.find((r) => r.type === 'AWS::Lambda::Function' && id.test(r.logicalId));
    if (!fn || !cloud.functions.get(fn.physicalId)) throw new Error(`${described.stackName} has no deployed ${role} function (a logical id matching ${String(id)})`);
    return [role, fn.physicalId];
  })) as Record<FunctionRole, string>;
  const deploy = cloud.functions.get(functions['deploy-services'])!.environment;
  const target = (JSON.parse(deploy.DEPLOY_TARGETS ?? '{}') as Record<string, { repositoryName?: string; releaseTag?: string }>)[described.env];
  if (!target?.repositoryName || !target.releaseTag) throw new Error(`DEPLOY_TARGETS of ${described.stackName} names no repository and release tag for ${described.env}: ${deploy.DEPLOY_TARGETS ?? '(unset)'}`);
  const output = (key: string): string => {
    const value = stack.outputs.find((o) => o.OutputKey === key)?.OutputValue;
    if (value === undefined) throw new Error(`stack ${described.stackName} has no output ${key}`);
    return value;
  };
  const story = storyStack(up, described.env).resources;
  return {
    ...story,
    stackName: described.stackName, parameterPath: described.parameterPath, topicArn: described.topicArn, repositoryUri: described.repositoryUri,
    repositoryName: target.repositoryName, releaseTag: target.releaseTag,
    backupVault: output('BackupVaultName'),
    stuckCheckGroup: deploy.STUCK_CHECK_GROUP_NAME ?? '',
    baseImage: cloud.functions.get(functions['build-image'])!.environment.BASE_IMAGE ?? '',
    functions,
  };
}

/**
 * Publishes another stand-in of the stack's base image (`version` changes its digest) under `tag` in the
 * pull-through repository the stack builds from, as a new wicked version appearing in the cache. The
 * repository is filled first as a client's pull fills it (reading the base's manifest over the OCI API).
 * Resolves the image as the stack names images (the account's registry address) and its digest.
 *
 * @example
 * const next = await publishBaseVersion(stack, '1.0.1', '1.0.1'); // next.image: '000000000000.dkr.ecr.us-east-1.amazonaws.com/docker-hub/haufelexware/wicked.api:1.0.1'
 */
export async function publishBaseVersion(stack: Pick<DeployedStack, 'control' | 'resources'>, tag: string, version: string): Promise<{ image: string; digest: string }> {
  const { baseImage } = stack.resources;
  const slash = baseImage.indexOf('/');
  const colon = baseImage.lastIndexOf(':');
  const [host, repository, current] = [baseImage.slice(0, slash), baseImage.slice(slash + 1, colon), baseImage.slice(colon + 1)];
  const { ecr } = stack.control;
  const credentials = { get: async () => ({ username: 'AWS', password: ecr.issueCredentials().password }) };
  const registry = createRegistryRepository({ host: ecr.registry, repository, insecure: true, credentials });
  if (!(await registry.fetchManifest(current))) throw new Error(`the pull-through cache served no ${baseImage}`);
  const written = await writeStandInBase(registry, { tag, version });
  return { image: `${host}/${repository}:${written.reference}`, digest: written.digest };
}
