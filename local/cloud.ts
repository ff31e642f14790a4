import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startAutoScaling } from './autoscaling';
import { startBackup } from './backup';
import { LocalBus, startEventBridge } from './bus';
import type { CloudFormationService } from './cloudformation';
import { INVENTORY_FILE, inventory, startCloudFormation } from './cloudformation';
import type { ResourceProvider } from './cloudformation/providers';
import { customResourceProvider, eventInvokeConfigProvider, lambdaFunctionProvider } from './cloudformation/providers';
import { AsyncInvoker } from './lambda/async-invoke';
import { LocalFunctions } from './lambda/functions';
import { DeadLetters } from './kernel/dead-letters';
import { RESPONSE_HOST, startResponseListener } from './lambda/responses';
import { startDynamoDb } from './dynamodb';
import { startEcr } from './ecr';
import { startEcs } from './ecs';
import type { EmulatorControl } from './control';
import { BUS_RETRY_MIN_WALL_MS, ENDPOINT_VARIABLES } from './control';
import type { Clock } from './kernel/clock';
import { scaledClock } from './kernel/clock';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './kernel/events';
import { accountImageResolver } from './image-resolver';
import { PullThroughCache } from './pull-through-cache';
import { startS3 } from './s3';
import { startScheduler } from './scheduler';
import { CLOUD_SERVICES, SERVICES } from './services';
import type { CloudEndpoint } from './services';
import { startSns } from './sns';
import { startSsm } from './ssm';
import { startSts } from './sts';
import type { TrailLookup } from './cloudtrail';
import { startCloudTrail } from './cloudtrail';

/** Options of {@link startCloud}. */
export interface CloudOptions {
  /** Every service keeps its files under this directory. */
  readonly stateDir: string;
  /** Emulated time runs this many times faster than wall time. @default 1 */
  readonly clockSpeed?: number;
  /**
   * The services listen on consecutive ports from here, in {@link CLOUD_SERVICES}
   * order (the emulated services, then CloudFormation and STS); 0 picks free ports. @default 0
   */
  readonly basePort?: number;
}

/** An empty emulated account: the services, CloudFormation and STS, nothing provisioned. */
export interface Cloud {
  /** Endpoints by service, CloudFormation, STS and CloudTrail included. */
  readonly endpoints: Readonly<Record<CloudEndpoint, string>>;
  /** What a shell, the SDK or the CDK CLI needs: `AWS_ENDPOINT_URL_*`, credentials, region. */
  readonly env: Readonly<Record<string, string>>;
  readonly control: EmulatorControl;
  readonly cloudformation: CloudFormationService;
  /** The deployed Lambda functions and their invocations. */
  readonly functions: LocalFunctions;
  /** Asynchronous invocations (what rules and schedules do), with Lambda's retries. */
  readonly lambdaAsync: AsyncInvoker;
  /** What dead-letter queues and failure destinations received (SQS is recorded, not emulated). */
  readonly deadLetters: DeadLetters;
  readonly bus: LocalBus;
  readonly clock: Clock;
  /** The LookupEvents requests CloudTrail answered (the CDK CLI's look at a failed deploy). */
  readonly trailLookups: () => readonly TrailLookup[];
  stop(): Promise<void>;
}

/**
 * Starts every emulated service with nothing in it, plus the CloudFormation
 * and STS APIs, so that `cdk bootstrap` and `cdk deploy` create the platform
 * from the templates that ship.
 *
 * @example
 * const cloud = await startCloud({ stateDir: '.local' });
 * spawn('npx', ['cdk', 'bootstrap', 'aws://000000000000/us-east-1'], { env: { ...process.env, ...cloud.env } });
 */
export async function startCloud(options: CloudOptions): Promise<Cloud> {
  const stateDir = resolve(options.stateDir);
  await mkdir(stateDir, { recursive: true });
  const clock = scaledClock(options.clockSpeed ?? 1);
  const deadLetters = new DeadLetters();
  const bus = new LocalBus({ clock, retryMinWallMs: BUS_RETRY_MIN_WALL_MS, deadLetters });
  const stops: (() => Promise<void>)[] = [];
  const started = <T extends { stop(): Promise<void> }>(service: T): T => { stops.unshift(() => service.stop()); return service; };
  const port = (name: (typeof CLOUD_SERVICES)[number]): number => (options.basePort ? options.basePort + CLOUD_SERVICES.indexOf(name) : 0);
  try {
    const common = { clock, bus, stateDir };
    const s3 = started(await startS3({ ...common, port: port('s3') }));
    const dynamodb = started(await startDynamoDb({ stateDir, port: port('dynamodb') }));
    const ecr = started(await startEcr({ ...common, port: port('ecr') }));
    // Task images resolve as ECS pulls them: the account's ECR address is the local registry, the pull-through cache serves stand-ins.
    const pullThrough = new PullThroughCache(ecr.control);
    // A registry client's first pull of a cached repository fills it too (the deployed build-image pulls its base so).
    ecr.control.onManifestRead((repository, reference) => (reference.startsWith('sha256:') ? Promise.resolve() : pullThrough.pull(repository, reference)));
    const resolveImage = accountImageResolver({ ecr: ecr.control, account: LOCAL_ACCOUNT, region: LOCAL_REGION, cache: pullThrough });
    const ecs = started(await startEcs({ ...common, port: port('ecs'), resolveImage }));
    const autoscaling = started(await startAutoScaling({ ...common, port: port('autoscaling'), ecs: ecs.control }));
    const backup = started(await startBackup({ ...common, port: port('backup') }));
    const eventbridge = started(await startEventBridge({ bus, port: port('eventbridge') }));
    const sns = started(await startSns({ clock, port: port('sns') }));
    const scheduler = started(await startScheduler({ clock, bus, port: port('scheduler'), callersNow: Date.now, deadLetters }));
    const ssm = started(await startSsm({ clock, port: port('ssm') }));
    const sts = started(await startSts({ account: '000000000000', port: port('sts') }));
    const cloudtrail = started(await startCloudTrail({ port: port('cloudtrail') }));
    const services = { s3: s3.url, dynamodb: dynamodb.url, ecr: ecr.url, ecs: ecs.url, autoscaling: autoscaling.url, backup: backup.url, eventbridge: eventbridge.url, sns: sns.url, scheduler: scheduler.url, ssm: ssm.url };
    const control: EmulatorControl = { s3: s3.control, dynamodb: dynamodb.control, ecr: ecr.control, ecs: ecs.control, autoscaling: autoscaling.control, backup: backup.control, sns: sns.control, scheduler: scheduler.control, ssm: ssm.control };
    const links = { endpoints: services, ecr: ecr.control, parameters: ssm.control, backup: backup.control, bus, scheduler: scheduler.control, ecs: ecs.control, clock, pullThrough };
    const overrides: Record<string, ResourceProvider> = {};
    // The inventory file follows every stack status, for `wickedctl local resources` in another shell.
    let writes = Promise.resolve();
    const writeInventory = (): void => {
      const rows = inventory(cloudformation.service.liveStacks());
      writes = writes.then(() => writeFile(join(stateDir, INVENTORY_FILE), `${JSON.stringify(rows, null, 2)}\n`)).catch(() => undefined);
    };
    // Last of all, the inventory writes still queued: a stopped cloud writes nothing more into its state directory.
    stops.push(() => writes);
    const cloudformation = started(await startCloudFormation({ links, parameters: ssm.control, overrides, port: port('cloudformation'), onStatus: () => writeInventory() }));
    const endpoints = { ...services, cloudformation: cloudformation.url, sts: sts.url, cloudtrail: cloudtrail.url };
    const env = cloudEnvironment(endpoints);
    const responses = started(await startResponseListener());
    const codeRoot = join(stateDir, 'lambda');
    await mkdir(codeRoot, { recursive: true });
    // Functions reach the emulated services through the endpoint variables; their credentials stand for the execution role's session.
    const functions = new LocalFunctions({ platformEnv: env, codeRoot, httpsRedirects: { [RESPONSE_HOST]: responses.url, [`${LOCAL_ACCOUNT}.dkr.ecr.${LOCAL_REGION}.amazonaws.com`]: ecr.url } });
    stops.unshift(async () => functions.stop());
    const lambdaAsync = new AsyncInvoker({ clock, run: (name, event) => functions.invoke(name, event), functionArn: (name) => functions.get(name)?.arn, deadLetters });
    // Stopped before the functions and the services: no retry runs a function against a stopped service or a removed state directory.
    stops.unshift(() => lambdaAsync.stop());
    const lambda = { functions, async: lambdaAsync, codeRoot, clock, awaitResponse: responses.awaitResponse };
    Object.assign(overrides, {
      'AWS::Lambda::Function': lambdaFunctionProvider(links, lambda),
      'AWS::Lambda::EventInvokeConfig': eventInvokeConfigProvider(lambda),
      'AWS::CloudFormation::CustomResource': customResourceProvider(lambda),
    });
    return { endpoints, env, control, functions, lambdaAsync, deadLetters, cloudformation: cloudformation.service, bus, clock, trailLookups: () => cloudtrail.lookups(), stop: () => stopAll(bus, stops) };
  } catch (error) {
    await stopAll(bus, stops);
    throw error;
  }
}

/** The environment that points the AWS SDK and the CDK CLI at the cloud. */
export function cloudEnvironment(endpoints: Readonly<Record<CloudEndpoint, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of SERVICES) env[ENDPOINT_VARIABLES[name]] = endpoints[name];
  return {
    ...env,
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoints.cloudformation,
    AWS_ENDPOINT_URL_STS: endpoints.sts,
    AWS_ENDPOINT_URL_CLOUDTRAIL: endpoints.cloudtrail,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
  };
}

async function stopAll(bus: LocalBus, stops: readonly (() => Promise<void>)[]): Promise<void> {
  bus.stop();
  for (const stop of stops) await stop().catch(() => undefined);
}
