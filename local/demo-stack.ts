import type { LocalBus } from './bus';
import type { Cloud } from './cloud';
import type { LocalEnvironment, LocalUp } from './local-up';

/** One environment of a deployed stack, as the demo story reads it: names from the stack, never a second description. */
export interface StoryResources {
  readonly env: string;
  readonly cluster: string;
  readonly configBucket: string;
  readonly ledgerTable: string;
  /** portal-api first, then the singletons the deploy functions bring up (their `DEPLOY_TARGETS`). */
  readonly singletons: readonly string[];
  /** The gateway services (restartable, not singletons). */
  readonly gateways: readonly string[];
  /** The stack's EFS file system and the directory that stands for it. */
  readonly dynamicData: { readonly arn: string; readonly path: string };
  /** Name and group of the stack's snapshot schedule. */
  readonly snapshotSchedule: { readonly name: string; readonly group: string };
  /** The role snapshot-data passes to AWS Backup (its `BACKUP_ROLE_ARN`). */
  readonly backupRoleArn: string;
}

/** What the demo story drives: the local cloud with one deployed environment. */
export interface StoryStack {
  readonly endpoints: Cloud['endpoints'];
  readonly bus: LocalBus;
  readonly control: Cloud['control'];
  readonly resources: StoryResources;
  /** Lambda's asynchronous invocations of the stack's functions (rules and schedules): their outcomes after retries. */
  readonly lambdaAsync: Pick<Cloud['lambdaAsync'], 'idle' | 'invocations'>;
  /**
   * Switches the pre-deploy snapshot gate of the environment's functions (`PRE_DEPLOY_SNAPSHOT`), as
   * `aws lambda update-function-configuration` would on AWS; resolves a function that switches it back.
   */
  setPreDeploySnapshot(on: boolean): Promise<() => Promise<void>>;
}

/** The deployed function configurations of a stack. */
function stackFunctions(cloud: Cloud, stackName: string) {
  const resources = [...cloud.cloudformation.stack(stackName).resources.values()];
  return resources.filter((r) => r.type === 'AWS::Lambda::Function').flatMap((r) => {
    const config = cloud.functions.get(r.physicalId);
    return config ? [config] : [];
  });
}

/**
 * Reads one deployed environment's names from its stack and its functions'
 * environment, for the demo story.
 *
 * @example
 * const stack = storyStack(await localUp({ root, stateDir, envs: ['dev'] }), 'dev');
 */
export function storyStack(up: LocalUp, env: string): StoryStack {
  const { cloud } = up;
  const described: LocalEnvironment | undefined = up.environments.find((e) => e.env === env);
  if (!described) throw new Error(`environment ${env} was not deployed (deployed: ${up.environments.map((e) => e.env).join(', ')})`);
  const stack = cloud.cloudformation.stack(described.stackName);
  const resources = [...stack.resources.values()];
  const functions = stackFunctions(cloud, described.stackName);
  const variable = (name: string): string => {
    const value = functions.find((f) => f.environment[name] !== undefined)?.environment[name];
    if (value === undefined) throw new Error(`no function of ${described.stackName} has ${name} in its environment`);
    return value;
  };
  const target = (JSON.parse(variable('DEPLOY_TARGETS')) as Record<string, { service: string; singletons?: string[]; restartable?: string[] }>)[env];
  if (!target) throw new Error(`DEPLOY_TARGETS of ${described.stackName} has no target ${env}`);
  const singletons = [target.service, ...(target.singletons ?? [])];
  const fileSystem = resources.find((r) => r.type === 'AWS::EFS::FileSystem');
  const directory = fileSystem ? cloud.control.backup.fileSystem(fileSystem.physicalId) : undefined;
  if (!directory) throw new Error(`${described.stackName} has no emulated AWS::EFS::FileSystem`);
  const schedule = resources.find((r) => r.type === 'AWS::Scheduler::Schedule' && r.logicalId.includes('SnapshotSchedule'));
  if (!schedule) throw new Error(`${described.stackName} has no snapshot schedule`);
  return {
    endpoints: cloud.endpoints,
    bus: cloud.bus,
    control: cloud.control,
    lambdaAsync: cloud.lambdaAsync,
    resources: {
      env, cluster: described.cluster, configBucket: described.configBucket, ledgerTable: described.ledgerTable,
      singletons, gateways: (target.restartable ?? []).filter((name) => !singletons.includes(name)),
      dynamicData: { arn: directory.arn, path: directory.path },
      snapshotSchedule: { name: schedule.physicalId, group: typeof schedule.properties.GroupName === 'string' ? schedule.properties.GroupName : 'default' },
      backupRoleArn: variable('BACKUP_ROLE_ARN'),
    },
    setPreDeploySnapshot: async (on) => {
      const gated = functions.filter((f) => f.environment.PRE_DEPLOY_SNAPSHOT !== undefined);
      if (gated.length === 0) throw new Error(`no function of ${described.stackName} reads PRE_DEPLOY_SNAPSHOT`);
      for (const f of gated) await cloud.functions.deploy({ ...f, environment: { ...f.environment, PRE_DEPLOY_SNAPSHOT: String(on) } });
      return async () => { for (const f of gated) await cloud.functions.deploy(f); };
    },
  };
}
