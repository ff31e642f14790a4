import { Duration, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { FactName } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import type { ResolvedGatewayGroup } from '../workload-props';
import { KONG_DATABASE, type Database } from './database';
import { PULL_THROUGH_PREFIX } from './image-repository';
import { acknowledgeAuthorizationToken } from './singleton-services';

/** Kong's proxy port: the load balancer's targets. */
export const KONG_PROXY_PORT = 8000;
/** Kong's admin API port: open only to the kong-adapter. */
export const KONG_ADMIN_PORT = 8001;
/** Connections to a deregistered task drain this long before it is stopped. */
export const DEREGISTRATION_DELAY = Duration.seconds(60);
/** Scale out fast, scale in slowly: a new task takes about a minute; removing one too early causes flapping. */
export const SCALE_OUT_COOLDOWN = Duration.seconds(60);
/** See {@link SCALE_OUT_COOLDOWN}. */
export const SCALE_IN_COOLDOWN = Duration.minutes(5);
/** Kong answers 404 when no route matches: either code proves the proxy serves. */
export const HEALTHY_HTTP_CODES = '200,404';
/** Key prefix of the load balancer's access logs in the log bucket. */
export const LOAD_BALANCER_LOG_PREFIX = 'load-balancer';

/** Props of {@link Gateways}. */
export interface GatewaysProps {
  /** The cluster. */
  readonly cluster: ecs.ICluster;
  /** Environment name, part of service names. */
  readonly envName: string;
  /** The gateway groups. */
  readonly groups: readonly ResolvedGatewayGroup[];
  /** Kong's Docker Hub image, `repository:tag`. */
  readonly kongImage: string;
  /** Kong's Postgres, when the stack has one. */
  readonly database?: Database;
  /** Container logs go here. */
  readonly logGroup: logs.ILogGroup;
  /** The load balancer's access logs go to this bucket (SSE-S3). */
  readonly accessLogsBucket: s3.IBucket;
  /** HTTPS host names; given together with `certificateArn`. */
  readonly domainNames?: readonly string[];
  /** ACM certificate; without it the listener is HTTP only. */
  readonly certificateArn?: string;
  /** The only peer allowed on Kong's admin port. */
  readonly kongAdapter: ec2.IConnectable;
  /** Services Kong proxies to, with their ports (portal, portal-api, portal-auth). */
  readonly upstreams: readonly { readonly peer: ec2.IConnectable; readonly port: number }[];
}

/** One gateway group's resources. */
export interface GatewayGroup {
  /** Kong's ECS service. */
  readonly service: ecs.FargateService;
  /** The group's target group. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The service's scalable target. */
  readonly scaling: ecs.ScalableTaskCount;
}

/**
 * Kong behind one Application Load Balancer: per group an autoscaled Fargate service
 * (container `kong`, awsvpc), a target group with health checks and connection draining,
 * and a listener rule on its paths or hosts. Kong's admin port is open only to the
 * kong-adapter; the load balancer reaches the proxy port only.
 *
 * @example
 * new Gateways(this, 'Gateways', { cluster, envName: 'dev', groups, kongImage: 'library/kong:0.14.1', ... });
 */
export class Gateways extends Construct {
  /** The internet-facing load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener the groups' rules are on (HTTPS when a certificate is given). */
  public readonly listener: elbv2.ApplicationListener;
  /** The groups by name. */
  public readonly groups: Readonly<Record<string, GatewayGroup>>;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - groups, image, network peers, TLS
   */
  public constructor(scope: Construct, id: string, props: GatewaysProps) {
    super(scope, id);
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.cluster.vpc,
      internetFacing: true,
      dropInvalidHeaderFields: true,
      // Deletion protection is turned on after the whole stack is created (see DeletionProtection): on here, a failed create could not roll back.
    });
    // The L2 writes deletion_protection.enabled=false when not asked: left in the template, a later update of the
    // attributes would turn off the protection DeletionProtection set after the create.
    this.loadBalancer.removeAttribute('deletion_protection.enabled');
    this.logAccessLogs(props.accessLogsBucket);
    this.listener = this.createListener(props);
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'The load balancer is the public entry point of the API gateway: it must accept HTTP(S) from anywhere.',
    });
    this.groups = Object.fromEntries(props.groups.map((group, index) => [group.name, this.createGroup(group, index, props)]));
  }

  private createListener(props: GatewaysProps): elbv2.ApplicationListener {
    const notFound = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' });
    if (props.certificateArn === undefined) {
      return this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction: notFound });
    }
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    return this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultAction: notFound,
    });
  }

  /**
   * Access logs without the L2 helper, which needs a concrete region: the ELB account of
   * the deploy region comes from a region map, and newer regions use the log-delivery
   * service principal; the statement names both.
   */
  private logAccessLogs(bucket: s3.IBucket): void {
    const stack = Stack.of(this);
    this.loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    this.loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
    this.loadBalancer.setAttribute('access_logs.s3.prefix', LOAD_BALANCER_LOG_PREFIX);
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      principals: [
        new iam.AccountPrincipal(stack.regionalFact(FactName.ELBV2_ACCOUNT, stack.account)),
        new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com'),
      ],
      resources: [bucket.arnForObjects(`${LOAD_BALANCER_LOG_PREFIX}/AWSLogs/${stack.account}/*`)],
    }));
    const policy = bucket.policy?.node.defaultChild as CfnResource | undefined;
    if (policy) (this.loadBalancer.node.defaultChild as CfnResource).addResourceDependency(policy);
  }

  private createGroup(group: ResolvedGatewayGroup, index: number, props: GatewaysProps): GatewayGroup {
    const scope = new Construct(this, group.name);
    const taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task', { cpu: group.cpu, memoryLimitMiB: group.memory, family: `wicked-${props.envName}-kong-${group.name}` });
    taskDefinition.addContainer('kong', {
      containerName: 'kong',
      image: kongImage(scope, props.kongImage, taskDefinition),
      environment: kongEnvironment(props.database),
      // Kong's own user, owner of the kong database (never the master): KONG_PG_* as wicked's Helm chart sets them (`wicked/templates/kong-deployment.yaml`).
      secrets: props.database ? {
        KONG_PG_HOST: ecs.Secret.fromSecretsManager(props.database.users.kong.secret, 'host'),
        KONG_PG_USER: ecs.Secret.fromSecretsManager(props.database.users.kong.secret, 'username'),
        KONG_PG_PASSWORD: ecs.Secret.fromSecretsManager(props.database.users.kong.secret, 'password'),
      } : {},
      portMappings: [{ containerPort: KONG_PROXY_PORT, name: 'proxy' }, { containerPort: KONG_ADMIN_PORT, name: 'admin' }],
      logging: ecs.LogDriver.awsLogs({ logGroup: props.logGroup, streamPrefix: `kong-${group.name}` }),
    });
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: "Kong's plain environment values are listen addresses, log targets and the database name; credentials are ECS secrets.",
    });
    const service = new ecs.FargateService(scope, 'Service', {
      cluster: props.cluster,
      serviceName: `kong-${group.name}`,
      taskDefinition,
      // No desiredCount: Application Auto Scaling owns it, and a later deploy must not reset it.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnets: props.cluster.vpc.privateSubnets },
      assignPublicIp: false,
      healthCheckGracePeriod: Duration.seconds(60),
      cloudMapOptions: { name: `kong-${group.name}` },
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    service.connections.allowFrom(props.kongAdapter, ec2.Port.tcp(KONG_ADMIN_PORT), 'kong-adapter configures Kong');
    for (const upstream of props.upstreams) upstream.peer.connections.allowFrom(service, ec2.Port.tcp(upstream.port), `kong-${group.name} proxies to wicked`);
    const targetGroup = this.createTargetGroup(scope, group, index, service, props.cluster.vpc);
    return { service, targetGroup, scaling: scale(service, group, targetGroup) };
  }

  private createTargetGroup(scope: Construct, group: ResolvedGatewayGroup, index: number, service: ecs.FargateService, vpc: ec2.IVpc): elbv2.ApplicationTargetGroup {
    const targetGroup = new elbv2.ApplicationTargetGroup(scope, 'Targets', {
      vpc,
      port: KONG_PROXY_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [service.loadBalancerTarget({ containerName: 'kong', containerPort: KONG_PROXY_PORT })],
      deregistrationDelay: DEREGISTRATION_DELAY,
      healthCheck: {
        path: '/', healthyHttpCodes: HEALTHY_HTTP_CODES, interval: Duration.seconds(15), timeout: Duration.seconds(5),
        healthyThresholdCount: 2, unhealthyThresholdCount: 3,
      },
    });
    this.listener.addTargetGroups(group.name, {
      priority: index + 1,
      conditions: group.hostHeaders ? [elbv2.ListenerCondition.hostHeaders(group.hostHeaders)] : [elbv2.ListenerCondition.pathPatterns(group.pathPatterns!)],
      targetGroups: [targetGroup],
    });
    return targetGroup;
  }
}

function scale(service: ecs.FargateService, group: ResolvedGatewayGroup, targetGroup: elbv2.ApplicationTargetGroup): ecs.ScalableTaskCount {
  const scaling = service.autoScaleTaskCount({ minCapacity: group.minTasks, maxCapacity: group.maxTasks });
  const cooldowns = { scaleInCooldown: SCALE_IN_COOLDOWN, scaleOutCooldown: SCALE_OUT_COOLDOWN };
  scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: group.cpuTargetPercent, ...cooldowns });
  scaling.scaleOnRequestCount('Requests', { requestsPerTarget: group.requestsPerTargetTarget, targetGroup, ...cooldowns });
  return scaling;
}

function kongImage(scope: Construct, image: string, taskDefinition: ecs.TaskDefinition): ecs.ContainerImage {
  const [repositoryPath, tag] = image.split(':') as [string, string];
  const repository = ecr.Repository.fromRepositoryName(scope, 'Repository', `${PULL_THROUGH_PREFIX}/${repositoryPath}`);
  taskDefinition.obtainExecutionRole().addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
    resources: [repository.repositoryArn],
  }));
  acknowledgeAuthorizationToken(taskDefinition);
  return ecs.ContainerImage.fromEcrRepository(repository, tag);
}

function kongEnvironment(database: Database | undefined): Record<string, string> {
  return {
    KONG_PROXY_LISTEN: `0.0.0.0:${KONG_PROXY_PORT}`,
    KONG_ADMIN_LISTEN: `0.0.0.0:${KONG_ADMIN_PORT}`,
    KONG_PROXY_ACCESS_LOG: '/dev/stdout',
    KONG_PROXY_ERROR_LOG: '/dev/stderr',
    KONG_ADMIN_ACCESS_LOG: '/dev/stdout',
    KONG_ADMIN_ERROR_LOG: '/dev/stderr',
    ...(database ? { KONG_DATABASE: 'postgres', KONG_PG_DATABASE: KONG_DATABASE, KONG_PG_SSL: 'on' } : {}),
  };
}
