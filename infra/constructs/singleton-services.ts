import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { REDIS_PORT, WICKED_COMPONENTS, type TaskSize } from '../workload-props';
import { WICKED_DATABASE, type Database } from './database';
import { DYNAMIC_DATA_PATH, type DynamicData } from './dynamic-data';
import { redisHealthCheck, wickedHealthCheck } from './health-check';
import { INITIAL_COUNT, SingletonCounts } from './singleton-counts';
import { PULL_THROUGH_PREFIX, type ImageRepository } from './image-repository';

/** The per-environment release tag the portal-api task definition names; a deploy moves it. */
export function releaseTag(envName: string): string {
  return `${envName}-live`;
}

/**
 * The plain environment of a singleton container (names checked against wicked's Helm
 * chart, see infra/README.md): `NODE_ENV` for every component; `PORTAL_API_URL` for the
 * components that call portal-api (its Cloud Map name: ECS tasks get no search domain,
 * so wicked's default `http://portal-api:3001` would not resolve); `PGSSLMODE=require`
 * for portal-api when it stores in Postgres (RDS forces TLS), with `PORTAL_STORAGE_PGDATABASE`
 * naming the database the stack created for portal-api's user (which may not create one); and, with a Redis session
 * store, `PORTAL_SESSIONSTORE_TYPE/HOST/PORT` for portal-api, which resolves wicked's
 * `globals.json` `sessionStore` from them for the portal and portal-auth (the names and
 * values of wicked's Helm chart `wicked/templates/apim-config.yaml`).
 *
 * @param component - the wicked component
 * @param envName - wicked's NODE_ENV
 * @param options - portal-api's base URL, whether there is a database, Redis's host name
 *
 * @example
 * singletonEnvironment('portal', 'dev', { portalApiUrl: 'http://portal-api.wicked-dev.internal:3001/', postgres: true })
 * // { NODE_ENV: 'dev', PORTAL_API_URL: 'http://portal-api.wicked-dev.internal:3001/' }
 */
export function singletonEnvironment(component: string, envName: string, options: { readonly portalApiUrl: string; readonly postgres: boolean; readonly redisHost?: string }): Record<string, string> {
  if (component !== 'portal-api') return { NODE_ENV: envName, PORTAL_API_URL: options.portalApiUrl };
  return {
    NODE_ENV: envName,
    ...(options.postgres ? { PGSSLMODE: 'require', PORTAL_STORAGE_PGDATABASE: WICKED_DATABASE } : {}),
    ...(options.redisHost !== undefined ? { PORTAL_SESSIONSTORE_TYPE: 'redis', PORTAL_SESSIONSTORE_HOST: options.redisHost, PORTAL_SESSIONSTORE_PORT: String(REDIS_PORT) } : {}),
  };
}

/**
 * The task count a wicked singleton is created with: none. portal-api's image
 * (`<env>-live`) cannot exist before the first upload, and the other components wait for
 * portal-api at start and give up after 100 tries a second apart (wicked's node-sdk
 * `src/node-sdk/src/implementation.ts`, `DEFAULT_AWAIT_OPTIONS`), so with one task each
 * the circuit breaker would fail the first `cdk deploy`. deploy-services sets the count
 * (portal-api's `UpdateService` carries `desiredCount: 1`, `shared/deploy/planner.ts`);
 * a later `cdk deploy` that updates a singleton reads the live count into the template first
 * ({@link SingletonCounts}), so CloudFormation never changes it.
 */
export const SINGLETON_INITIAL_COUNT = INITIAL_COUNT;

/** Props of {@link SingletonServices}. */
export interface SingletonServicesProps {
  /** The cluster the services run in. */
  readonly cluster: ecs.ICluster;
  /** The release tag `<envName>-live`, and wicked's NODE_ENV unless {@link SingletonServicesProps.nodeEnv} is set. */
  readonly envName: string;
  /** Tag of the stock wicked images. */
  readonly wickedVersion: string;
  /** Components to run. */
  readonly singletons: readonly string[];
  /** Docker Hub repository per stock component. */
  readonly wickedImages: Readonly<Record<string, string>>;
  /** Task size per component. */
  readonly taskSizes: Readonly<Record<string, TaskSize>>;
  /** portal-api's repository. */
  readonly images: ImageRepository;
  /** portal-api's dynamic data. */
  readonly dynamicData: DynamicData;
  /** The key of the config's encrypted values (`PORTAL_CONFIG_KEY`). */
  readonly portalConfigKey: secretsmanager.ISecret;
  /** Postgres, when the stack has one. */
  readonly database?: Database;
  /** Every container logs here, with the component as stream prefix. */
  readonly logGroup: logs.ILogGroup;
  /** wicked's NODE_ENV (the `nodeEnv` prop). @default envName */
  readonly nodeEnv?: string;
  /** Extra plain environment of portal-api (the `portalApiEnvironment` prop). @default none */
  readonly portalApiEnvironment?: Readonly<Record<string, string>>;
  /** Extra secrets of portal-api (the `portalApiSecrets` prop). @default none */
  readonly portalApiSecrets?: Readonly<Record<string, ecs.Secret>>;
  /** Applied to the log group of the count reader. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Redis's Docker Hub image `repository:tag` when wicked keeps its sessions in Redis.
   *
   * @default - no Redis
   */
  readonly redisImage?: string;
}

/**
 * The wicked singletons: one Fargate service per component, the container named after
 * the component, exactly one task, and never two at once (minimum healthy 0 %, maximum
 * 100 %), with the deployment circuit breaker rolling back failed deployments. No
 * scalable target: nothing may change their count. Reachable from each other through
 * Cloud Map as `<component>.<namespace>`.
 *
 * @example
 * const singletons = new SingletonServices(this, 'Singletons', { cluster, envName: 'dev', ... });
 * singletons.service('portal-kong-adapter').connections
 */
export class SingletonServices extends Construct {
  /** The services by component name. */
  public readonly services: Readonly<Record<string, ecs.FargateService>>;
  /** Redis, wicked's session store, when configured. */
  public readonly redis?: ecs.FargateService;
  /** The singletons' live desired counts, read again whenever a `cdk deploy` changes a singleton service (0 on the first create). */
  public readonly counts: SingletonCounts;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - components, images, secrets and storage
   */
  public constructor(scope: Construct, id: string, props: SingletonServicesProps) {
    super(scope, id);
    this.counts = new SingletonCounts(this, 'Counts', { cluster: props.cluster, services: props.singletons, removalPolicy: props.removalPolicy });
    this.services = Object.fromEntries(props.singletons.map((component) => [component, this.createService(component, props)]));
    this.allowComponentTraffic();
    if (props.redisImage !== undefined) this.redis = this.createRedis(props, props.redisImage);
  }

  /**
   * The service of one component.
   *
   * @param component - e.g. `portal-kong-adapter`
   */
  public service(component: string): ecs.FargateService {
    const service = this.services[component];
    if (service === undefined) throw new Error(`no singleton service "${component}": expected one of ${Object.keys(this.services).join(', ')}`);
    return service;
  }

  private createService(component: string, props: SingletonServicesProps): ecs.FargateService {
    const scope = new Construct(this, component);
    const size = props.taskSizes[component]!;
    const taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task', { cpu: size.cpu, memoryLimitMiB: size.memory, family: `wicked-${props.envName}-${component}` });
    const container = taskDefinition.addContainer(component, {
      containerName: component,
      image: this.image(scope, component, props, taskDefinition),
      environment: {
        ...(component === 'portal-api' ? props.portalApiEnvironment : {}),
        ...singletonEnvironment(component, props.nodeEnv ?? props.envName, {
          portalApiUrl: this.portalApiUrl(props), postgres: props.database !== undefined,
          ...(props.redisImage !== undefined ? { redisHost: this.cloudMapName(props, 'redis') } : {}),
        }),
      },
      secrets: this.secrets(component, props),
      portMappings: [{ containerPort: WICKED_COMPONENTS[component]!.port, name: component }],
      logging: ecs.LogDriver.awsLogs({ logGroup: props.logGroup, streamPrefix: component }),
      healthCheck: wickedHealthCheck(component, WICKED_COMPONENTS[component]!.port),
      essential: true,
    });
    const service = new ecs.FargateService(scope, 'Service', {
      cluster: props.cluster,
      serviceName: component,
      taskDefinition,
      // The live count (SINGLETON_INITIAL_COUNT before the service exists): CloudFormation never changes it.
      desiredCount: this.counts.countOf(component),
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnets: props.cluster.vpc.privateSubnets },
      assignPublicIp: false,
      cloudMapOptions: { name: component },
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    this.counts.watch(component, service);
    if (component === 'portal-api') this.mountDynamicData(taskDefinition, container, service, props.dynamicData);
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: "The plain environment values are NODE_ENV, portal-api's URL, the Postgres TLS mode, Redis's type, host and port, and the operator's portalApiEnvironment, documented as not for secrets; PORTAL_CONFIG_KEY, the database credentials and portalApiSecrets are ECS secrets.",
    });
    return service;
  }

  /** portal-api by its Cloud Map name in the cluster's namespace. */
  private portalApiUrl(props: SingletonServicesProps): string {
    return `http://${this.cloudMapName(props, 'portal-api')}:${WICKED_COMPONENTS['portal-api']!.port}/`;
  }

  private cloudMapName(props: SingletonServicesProps, name: string): string {
    return `${name}.${props.cluster.defaultCloudMapNamespace?.namespaceName ?? `wicked-${props.envName}.internal`}`;
  }

  /**
   * Redis as in wicked's Helm chart (`redis-deployment.yaml`: one replica, recreated, never
   * two): no persistence, reachable only from the portal and portal-auth. It needs nothing
   * that cannot exist at create time, so it starts with one task.
   */
  private createRedis(props: SingletonServicesProps, image: string): ecs.FargateService {
    const scope = new Construct(this, 'redis');
    const taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task', { cpu: 256, memoryLimitMiB: 512, family: `wicked-${props.envName}-redis` });
    const [path, tag] = image.split(':') as [string, string];
    taskDefinition.addContainer('redis', {
      containerName: 'redis',
      image: this.pullThrough(scope, path, tag, taskDefinition),
      portMappings: [{ containerPort: REDIS_PORT, name: 'redis' }],
      logging: ecs.LogDriver.awsLogs({ logGroup: props.logGroup, streamPrefix: 'redis' }),
      healthCheck: redisHealthCheck(),
      essential: true,
    });
    const service = new ecs.FargateService(scope, 'Service', {
      cluster: props.cluster, serviceName: 'redis', taskDefinition, desiredCount: 1, minHealthyPercent: 0, maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true }, vpcSubnets: { subnets: props.cluster.vpc.privateSubnets }, assignPublicIp: false,
      cloudMapOptions: { name: 'redis' }, propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    for (const client of ['portal', 'portal-auth']) {
      const peer = this.services[client];
      if (peer) service.connections.allowFrom(peer, ec2.Port.tcp(REDIS_PORT), `${client} keeps its sessions in Redis`);
    }
    return service;
  }

  private image(scope: Construct, component: string, props: SingletonServicesProps, taskDefinition: ecs.TaskDefinition): ecs.ContainerImage {
    if (component === 'portal-api') {
      acknowledgeAuthorizationToken(taskDefinition);
      return ecs.ContainerImage.fromEcrRepository(props.images.repository, releaseTag(props.envName));
    }
    return this.pullThrough(scope, props.wickedImages[component]!, props.wickedVersion, taskDefinition);
  }

  private pullThrough(scope: Construct, path: string, tag: string, taskDefinition: ecs.TaskDefinition): ecs.ContainerImage {
    acknowledgeAuthorizationToken(taskDefinition);
    const repository = ecr.Repository.fromRepositoryName(scope, 'Repository', `${PULL_THROUGH_PREFIX}/${path}`);
    // The first pull of an image through the cache creates its repository and imports it.
    taskDefinition.obtainExecutionRole().addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
      resources: [repository.repositoryArn],
    }));
    return ecs.ContainerImage.fromEcrRepository(repository, tag);
  }

  private secrets(component: string, props: SingletonServicesProps): Record<string, ecs.Secret> {
    if (component !== 'portal-api') return {};
    const db = props.database;
    return {
      ...props.portalApiSecrets,
      PORTAL_CONFIG_KEY: ecs.Secret.fromSecretsManager(props.portalConfigKey),
      ...(db ? {
        // portal-api's own user, owner of the wicked database (never the master); the variables of wicked's globals.json `storage`.
        PORTAL_STORAGE_PGUSER: ecs.Secret.fromSecretsManager(db.users.portalApi.secret, 'username'),
        PORTAL_STORAGE_PGPASSWORD: ecs.Secret.fromSecretsManager(db.users.portalApi.secret, 'password'),
        PORTAL_STORAGE_PGHOST: ecs.Secret.fromSecretsManager(db.users.portalApi.secret, 'host'),
      } : {}),
    };
  }

  private mountDynamicData(taskDefinition: ecs.FargateTaskDefinition, container: ecs.ContainerDefinition, service: ecs.FargateService, data: DynamicData): void {
    taskDefinition.addVolume({
      name: 'dynamic',
      efsVolumeConfiguration: {
        fileSystemId: data.fileSystem.fileSystemId,
        transitEncryption: 'ENABLED',
        authorizationConfig: { accessPointId: data.accessPoint.accessPointId, iam: 'ENABLED' },
      },
    });
    container.addMountPoints({ sourceVolume: 'dynamic', containerPath: DYNAMIC_DATA_PATH, readOnly: false });
    data.fileSystem.connections.allowDefaultPortFrom(service, 'portal-api mounts the dynamic data');
    data.grantMount(taskDefinition.taskRole);
  }

  /**
   * wicked's traffic between components: every component calls portal-api, and portal-api
   * calls back the webhook listeners (kong-adapter, mailer, chatbot) on their ports.
   */
  private allowComponentTraffic(): void {
    const api = this.service('portal-api');
    for (const [component, service] of Object.entries(this.services)) {
      if (component === 'portal-api') continue;
      api.connections.allowFrom(service, ec2.Port.tcp(WICKED_COMPONENTS['portal-api']!.port), `${component} calls portal-api`);
      service.connections.allowFrom(api, ec2.Port.tcp(WICKED_COMPONENTS[component]!.port), `portal-api calls ${component}`);
    }
  }
}

/** ECR's GetAuthorizationToken has no resource-level permissions; the grant of an ECR image adds it. */
export function acknowledgeAuthorizationToken(taskDefinition: ecs.TaskDefinition): void {
  Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken has no resource-level permissions: AWS requires "*" to pull from ECR.',
  });
}
