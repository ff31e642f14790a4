import { SERVICES } from './services';
import { installEnv } from './kernel/process-env';
import type { ServiceName } from './services';
import type { EmulatorControl } from './control';
import { BUS_RETRY_MIN_WALL_MS, ENDPOINT_VARIABLES } from './control';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CONTROL_PLANE_RULES } from '../shared/events/rules';
import type { TargetFunctionId } from '../shared/events/rules';
import { startAutoScaling } from './autoscaling';
import { startBackup } from './backup';
import type { TargetHandler } from './bus';
import { LocalBus, startEventBridge } from './bus';
import { startDynamoDb } from './dynamodb';
import { startEcr } from './ecr';
import { startEcs } from './ecs';
import type { Clock } from './kernel/clock';
import { scaledClock } from './kernel/clock';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './kernel/events';
import type { DeploymentResources, ResourceNames } from './provision';
import { environmentNames, imageResolver, provisionNotifications, provisionServices, pushStandInImages, snapshotEnvironment } from './provision';
import { localValidationEnvironment, provisionParameters } from './environment-parameters';
import { deployEnvironment } from './deploy-wiring';
import { startS3 } from './s3';
import { startScheduler } from './scheduler';
import { startSns } from './sns';
import { startSsm } from './ssm';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Every service keeps its files under this directory. */
  readonly stateDir: string;
  /** Emulated time runs this many times faster than wall time. @default 1 */
  readonly clockSpeed?: number;
  /** The environment provisioned, as the CDK stack would. @default 'dev' */
  readonly env?: string;
  /**
   * Several environments side by side (for example `['dev', 'prod']` to
   * promote between them): each gets its cluster, services, config bucket,
   * vault and `wicked-<env>/portal-api` repository; one ledger table and one
   * set of deploy functions serve them all. build-image and the snapshot
   * functions serve the first one (in AWS each stack has its own).
   * @default [env]
   */
  readonly envs?: readonly string[];
  /** Services listen on consecutive ports from here, in {@link SERVICES} order; 0 picks free ports. @default 0 */
  readonly basePort?: number;
  /** Per-service port overrides. */
  readonly ports?: Partial<Record<ServiceName, number>>;
  /** Install the function environment in `process.env` so the handlers run in this process. @default true */
  readonly installProcessEnv?: boolean;
}

/** A running emulator. */
export interface Emulator {
  readonly endpoints: Readonly<Record<ServiceName, string>>;
  /** `AWS_ENDPOINT_URL_*`, credentials and region: what a shell or SDK needs to use the emulator. */
  readonly env: Readonly<Record<string, string>>;
  /** The build-image function's environment (the CDK stack's values, pointed at the emulator). */
  readonly functionEnv: Readonly<Record<string, string>>;
  /** The first (or only) environment's resources. */
  readonly resources: DeploymentResources;
  /** Every environment's resources by name (one entry unless `envs` named several). */
  readonly environments: Readonly<Record<string, DeploymentResources>>;
  readonly bus: LocalBus;
  readonly clock: Clock;
  readonly control: EmulatorControl;
  /** Stops every service, schedule and retry; restores `process.env`. */
  stop(): Promise<void>;
}

/** Lambda handlers by the function id rules name; loaded lazily so the CLI starts fast. */
const FUNCTIONS: Readonly<Record<TargetFunctionId, () => Promise<TargetHandler>>> = {
  'build-image': async () => (await import('../functions/build-image/handler')).buildImage,
  'deploy-services': async () => (await import('../functions/deploy-services/handler')).deployServicesEvent,
  'track-deployment': async () => (await import('../functions/track-deployment/handler')).trackDeploymentEvent,
  'snapshot-data': async () => (await import('../functions/snapshot-data/handler')).snapshotData,
  'track-backup': async () => (await import('../functions/track-backup/handler')).trackBackup,
};

/**
 * Starts every emulated service on 127.0.0.1, provisions one environment as
 * the CDK stack would (cluster, five singletons, autoscaled Kong, dynamic-data
 * file system, backup vault, versioned config bucket with EventBridge on,
 * ledger table, stand-in base image, notification topic, stuck-check schedule
 * group, snapshot schedule), and routes the bus by the control plane's rules
 * (and the Scheduler's function targets) to the real Lambda handlers, run in
 * this process.
 *
 * @example
 * const emulator = await startEmulator({ stateDir: '.local', clockSpeed: 50 });
 * await new S3Client({ endpoint: emulator.endpoints.s3, forcePathStyle: true }).send(new PutObjectCommand(...));
 */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const stateDir = resolve(options.stateDir);
  await mkdir(stateDir, { recursive: true });
  const clock = scaledClock(options.clockSpeed ?? 1);
  // Retries wait at least 0.1, 0.2, ... 0.8 s of wall time (about 4.7 s over 8 retries) whatever the clock's speed.
  const bus = new LocalBus({ clock, retryMinWallMs: BUS_RETRY_MIN_WALL_MS });
  const port = (name: ServiceName): number => options.ports?.[name] ?? (options.basePort ? options.basePort + SERVICES.indexOf(name) : 0);
  const common = { clock, bus, stateDir };
  const stops: (() => Promise<void>)[] = [];
  const started = <T extends { stop(): Promise<void> }>(service: T): T => { stops.unshift(() => service.stop()); return service; };
  try {
    const s3 = started(await startS3({ ...common, port: port('s3') }));
    const dynamodb = started(await startDynamoDb({ stateDir, port: port('dynamodb') }));
    const ecr = started(await startEcr({ ...common, port: port('ecr') }));
    const ecs = started(await startEcs({ ...common, port: port('ecs'), resolveImage: imageResolver(ecr.control) }));
    const autoscaling = started(await startAutoScaling({ ...common, port: port('autoscaling'), ecs: ecs.control }));
    const backup = started(await startBackup({ ...common, port: port('backup') }));
    const eventbridge = started(await startEventBridge({ bus, port: port('eventbridge') }));
    const sns = started(await startSns({ clock, port: port('sns') }));
    // The handlers compute stuck-check instants from the wall clock (Date.now); the time left passes on the emulator clock.
    const scheduler = started(await startScheduler({ clock, bus, port: port('scheduler'), callersNow: Date.now }));
    const ssm = started(await startSsm({ clock, port: port('ssm') }));
    const endpoints = { s3: s3.url, dynamodb: dynamodb.url, ecr: ecr.url, ecs: ecs.url, autoscaling: autoscaling.url, backup: backup.url, eventbridge: eventbridge.url, sns: sns.url, scheduler: scheduler.url, ssm: ssm.url };
    const env = environmentFor(endpoints);
    const control: EmulatorControl = {
      s3: s3.control, dynamodb: dynamodb.control, ecr: ecr.control, ecs: ecs.control, autoscaling: autoscaling.control, backup: backup.control, sns: sns.control, scheduler: scheduler.control, ssm: ssm.control,
    };
    const all: DeploymentResources[] = [];
    // Only the first environment's snapshot functions run here: it alone gets the snapshot schedule.
    for (const names of environmentNames(options.envs ?? [options.env ?? 'dev'])) all.push(await provision(control, endpoints, names, all.length === 0));
    const resources = all[0]!;
    const functionEnv = { ...buildImageEnvironment(resources), ...deployEnvironment(resources, ...all.slice(1)), ...snapshotEnvironment(resources) };
    // The handlers run in this process: their SDK clients read the endpoints from the environment, as in Lambda.
    const restoreEnv = options.installProcessEnv === false ? () => undefined : installEnv({ ...env, ...functionEnv });
    stops.push(async () => restoreEnv());
    for (const target of new Set(CONTROL_PLANE_RULES.map((rule) => rule.target))) bus.registerTarget(target, lazyHandler(FUNCTIONS[target]));
    for (const [name, load] of Object.entries(FUNCTIONS)) scheduler.control.registerFunction(name, lazyHandler(load) as (payload: unknown) => unknown);
    all.forEach((r, i) => addRules(bus, r, i === 0));
    return { endpoints, env, functionEnv, resources, environments: Object.fromEntries(all.map((r) => [r.env, r])), bus, clock, control, stop: () => stopAll(bus, stops) };
  } catch (error) {
    await stopAll(bus, stops);
    throw error;
  }
}

/** The snapshot schedule of the emulated environment: daily, fired by hand in tests and the demo. */
const LOCAL_SNAPSHOT_SCHEDULE = 'cron(0 3 * * ? *)';

/**
 * The control plane's rules for one environment, as its stack would add them.
 * Only the first environment's build-image and snapshot functions run here,
 * so further environments get the deploy functions' rules only (named `<rule>-<env>`).
 */
function addRules(bus: LocalBus, r: DeploymentResources, first: boolean): void {
  for (const rule of CONTROL_PLANE_RULES) {
    if (!first && rule.target !== 'deploy-services' && rule.target !== 'track-deployment') continue;
    const pattern = rule.pattern({ configBucket: r.configBucket, cluster: r.cluster, backupVault: r.backupVault, env: r.env });
    bus.addRule({ name: first ? rule.name : `${rule.name}-${r.env}`, description: rule.description, pattern, targetId: rule.target, retryAttempts: rule.retryAttempts });
  }
}

async function provision(control: EmulatorControl, endpoints: Record<ServiceName, string>, names: ResourceNames, withSnapshotSchedule: boolean): Promise<DeploymentResources> {
  control.s3.createBucket(names.configBucket, { versioning: true, eventBridge: true });
  control.backup.createVault(names.backupVault);
  const fileSystem = await control.backup.createFileSystem();
  const baseImage = await pushStandInImages(control.ecr, names.releaseTag, names.repositoryName);
  const clients = {
    ecs: new ECSClient({ ...SDK_DEFAULTS, endpoint: endpoints.ecs }),
    autoscaling: new ApplicationAutoScalingClient({ ...SDK_DEFAULTS, endpoint: endpoints.autoscaling }),
    dynamodb: new DynamoDBClient({ ...SDK_DEFAULTS, endpoint: endpoints.dynamodb }),
    sns: new SNSClient({ ...SDK_DEFAULTS, endpoint: endpoints.sns }),
    scheduler: new SchedulerClient({ ...SDK_DEFAULTS, endpoint: endpoints.scheduler }),
  };
  let topicArn: string;
  try {
    await provisionServices(clients, names, control.ecr.registry);
    topicArn = await provisionNotifications(clients, names, withSnapshotSchedule ? LOCAL_SNAPSHOT_SCHEDULE : undefined);
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
  const resources: DeploymentResources = {
    ...names,
    topicArn,
    dynamicData: { fileSystemId: fileSystem.id, arn: fileSystem.arn, path: fileSystem.path },
    targetRepositoryUri: `${control.ecr.registry}/${names.repositoryName}`,
    baseImage,
  };
  provisionParameters(control.ssm, resources);
  return resources;
}

/** Credentials and region every client of the emulator uses. */
export const SDK_DEFAULTS = { region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;

/** The environment that points the AWS CLI/SDK at the emulator. */
export function environmentFor(endpoints: Readonly<Record<ServiceName, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of SERVICES) env[ENDPOINT_VARIABLES[name]] = endpoints[name];
  return { ...env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_ACCOUNT_ID: LOCAL_ACCOUNT, AWS_REGION: LOCAL_REGION };
}

/** The build-image function's environment, as the CDK stack sets it, for the emulated deployment. */
export function buildImageEnvironment(resources: DeploymentResources): Record<string, string> {
  return {
    CONFIG_BUCKET: resources.configBucket,
    TARGET_REPOSITORY_URI: resources.targetRepositoryUri,
    BASE_IMAGE: resources.baseImage,
    EVENT_BUS_NAME: 'default',
    PLATFORM: 'linux/amd64',
    REGISTRY_INSECURE: 'true',
    // The values /wicked/<env>/ says (provisionParameters), as the stack gives both from its validation props.
    ...localValidationEnvironment(resources),
  };
}

function lazyHandler(load: () => Promise<TargetHandler>): TargetHandler {
  let handler: Promise<TargetHandler> | undefined;
  return async (event) => (await (handler ??= load()))(event);
}

async function stopAll(bus: LocalBus, stops: readonly (() => Promise<void>)[]): Promise<void> {
  bus.stop();
  for (const stop of stops) await stop().catch(() => undefined);
}

export { SERVICES } from './services';
export type { ServiceName } from './services';

export { BUS_RETRY_MIN_WALL_MS, ENDPOINT_VARIABLES } from './control';
export type { EmulatorControl } from './control';
