import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { PutScalingPolicyCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand, DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateScheduleCommand, CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import type { SNSClient } from '@aws-sdk/client-sns';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { createHash } from 'node:crypto';
import { SNAPSHOT_SCHEDULE_INPUT, SNAPSHOT_SCHEDULE_NAME } from '../shared/events/rules';
import { createRegistryRepository } from '../shared/oci/registry/registry-repository';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './kernel/events';
import type { EcrControl } from './ecr';
import { writeStandInBase } from './stand-in-base';
import { localValidationSettings } from './environment-parameters';

/**
 * The singletons of the wicked deployment guide: minimum healthy 0, maximum 100. portal-api is created
 * with one task (running the stand-in under its release tag); the others with none, as the stack creates
 * them, and the reconcile loop brings them up after portal-api's first good deployment.
 */
export const SINGLETONS = ['portal-api', 'portal', 'portal-mailer', 'portal-kong-adapter', 'portal-chatbot'] as const;
/** The Kong gateway service: awsvpc, autoscaled within these bounds. */
export const GATEWAY = { name: 'kong', min: 2, max: 10, targetCpu: 50 } as const;
/** wicked version of the stock images. */
export const WICKED_VERSION = '1.0.0';
/** Repository of the pull-through cached base image, as the stack names it. */
export const BASE_REPOSITORY = 'docker-hub/haufelexware/wicked.api';
/** Repository of the built portal-api images. */
export const PORTAL_API_REPOSITORY = 'portal-api';

/** What the CDK stack would create for one environment, as the emulator names it. */
export interface DeploymentResources {
  readonly env: string;
  readonly cluster: string;
  readonly singletons: readonly string[];
  readonly gateway: string;
  readonly configBucket: string;
  readonly ledgerTable: string;
  readonly backupVault: string;
  readonly dynamicData: { readonly fileSystemId: string; readonly arn: string; readonly path: string };
  /** `127.0.0.1:PORT/portal-api`. */
  readonly targetRepositoryUri: string;
  /** `127.0.0.1:PORT/docker-hub/haufelexware/wicked.api:stand-in`. */
  readonly baseImage: string;
  /** The release tag the portal-api task definition names (`<env>-live`). */
  readonly releaseTag: string;
  /** Name of the operators' SNS topic. */
  readonly notificationTopic: string;
  /** ARN of the operators' SNS topic. */
  readonly topicArn: string;
  /** EventBridge Scheduler group of the stuck checks. */
  readonly stuckCheckGroup: string;
  /** Role the stuck-check schedules name. */
  readonly stuckCheckRoleArn: string;
  /** The portal-api repository: `portal-api` for one environment, `wicked-<env>/portal-api` (as the stack names it) for several. */
  readonly repositoryName: string;
}

/** Names of one environment's resources. */
export function resourceNames(env: string): ResourceNames {
  return {
    env,
    cluster: `wicked-${env}`,
    singletons: [...SINGLETONS],
    gateway: GATEWAY.name,
    configBucket: `wicked-${env}-config`,
    ledgerTable: `wicked-${env}-ledger`,
    backupVault: `wicked-${env}`,
    releaseTag: `${env}-live`,
    notificationTopic: `wicked-${env}-notifications`,
    stuckCheckGroup: `wicked-${env}-stuck-checks`,
    stuckCheckRoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/wicked-${env}-stuck-check`,
    repositoryName: PORTAL_API_REPOSITORY,
  };
}

/** Names of one environment's resources (what {@link resourceNames} returns); the rest is known once provisioned. */
export type ResourceNames = Pick<DeploymentResources, 'env' | 'cluster' | 'singletons' | 'gateway' | 'configBucket' | 'ledgerTable' | 'backupVault' | 'releaseTag' | 'repositoryName' | 'notificationTopic' | 'stuckCheckGroup' | 'stuckCheckRoleArn'>;

/** Shared ledger table of an emulator with several environments: one control plane's ledger holds them all, as `wickedctl promote` expects. */
export const SHARED_LEDGER_TABLE = 'wicked-ledger';

/**
 * Names of several environments provisioned side by side: one per
 * environment as {@link resourceNames}, except one ledger table for all and
 * one portal-api repository per environment (`wicked-<env>/portal-api`, as
 * the stack names it), so a promotion must copy the image between them.
 * One environment keeps {@link resourceNames} unchanged.
 *
 * @example
 * environmentNames(['dev', 'prod']).map((n) => n.repositoryName) // ['wicked-dev/portal-api', 'wicked-prod/portal-api']
 */
export function environmentNames(envs: readonly string[]): ResourceNames[] {
  if (envs.length === 1) return [resourceNames(envs[0]!)];
  return envs.map((env) => ({ ...resourceNames(env), ledgerTable: SHARED_LEDGER_TABLE, repositoryName: `wicked-${env}/${PORTAL_API_REPOSITORY}` }));
}

/** The image a service's task definition names. */
export function serviceImage(service: string, registry: string, releaseTag: string, repositoryName: string = PORTAL_API_REPOSITORY): string {
  if (service === 'portal-api') return `${registry}/${repositoryName}:${releaseTag}`;
  if (service === GATEWAY.name) return `haufelexware/wicked.kong:${WICKED_VERSION}`;
  return `haufelexware/wicked.${service}:${WICKED_VERSION}`;
}

/**
 * Resolves image references to digests for the ECS emulator: images of the
 * local registry from the ECR emulator (undefined when absent, so tasks fail
 * to pull as on ECS); stock images of public registries, which the emulator
 * cannot reach, to a digest derived from the reference.
 */
export function imageResolver(ecr: EcrControl): (image: string) => Promise<string | undefined> {
  return async (image) => {
    if (!image.startsWith(`${ecr.registry}/`)) return `sha256:${createHash('sha256').update(image).digest('hex')}`;
    const rest = image.slice(ecr.registry.length + 1);
    const at = rest.indexOf('@');
    if (at >= 0) return rest.slice(at + 1);
    const colon = rest.lastIndexOf(':');
    const [repository, tag] = colon > 0 ? [rest.slice(0, colon), rest.slice(colon + 1)] : [rest, 'latest'];
    try {
      return ecr.listImages(repository).find((described) => described.imageTags?.includes(tag))?.imageDigest;
    } catch {
      return undefined;
    }
  };
}

/**
 * Pushes the stand-in base into the base repository, and into portal-api as
 * the release tag, so that portal-api runs before the first config upload.
 */
export async function pushStandInImages(ecr: EcrControl, releaseTag: string, repositoryName: string = PORTAL_API_REPOSITORY): Promise<string> {
  if (!hasRepository(ecr, BASE_REPOSITORY)) await ecr.createRepository(BASE_REPOSITORY);
  await ecr.createRepository(repositoryName, { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['*-live'] });
  const credentials = { get: async () => ({ username: 'AWS', password: ecr.issueCredentials().password }) };
  const open = (repository: string) => createRegistryRepository({ host: ecr.registry, repository, insecure: true, credentials });
  const base = await writeStandInBase(open(BASE_REPOSITORY));
  const portalApi = open(repositoryName);
  const stand = await writeStandInBase(portalApi);
  const manifest = await portalApi.fetchManifest(stand.digest);
  if (!manifest) throw new Error(`stand-in manifest ${stand.digest} missing from ${repositoryName} right after the push`);
  await portalApi.putManifest(releaseTag, manifest.mediaType, manifest.bytes);
  return `${ecr.registry}/${BASE_REPOSITORY}:${base.reference}`;
}

/**
 * Publishes another stand-in base (`version` changes its digest) under `tag`
 * in the emulated pull-through repository, as a new wicked version appears
 * in the cache; resolves its reference and digest.
 *
 * @example
 * const next = await pushStandInBase(emulator.control.ecr, '1.0.1', '1.0.1'); // next.image: '127.0.0.1:PORT/docker-hub/haufelexware/wicked.api:1.0.1'
 */
export async function pushStandInBase(ecr: EcrControl, tag: string, version: string): Promise<{ image: string; digest: string }> {
  const credentials = { get: async () => ({ username: 'AWS', password: ecr.issueCredentials().password }) };
  const written = await writeStandInBase(createRegistryRepository({ host: ecr.registry, repository: BASE_REPOSITORY, insecure: true, credentials }), { tag, version });
  return { image: `${ecr.registry}/${BASE_REPOSITORY}:${written.reference}`, digest: written.digest };
}

/** Whether the ECR emulator holds a repository (listing a missing one fails, as DescribeImages does). */
function hasRepository(ecr: EcrControl, name: string): boolean {
  try {
    ecr.listImages(name);
    return true;
  } catch {
    return false;
  }
}

/** Clients of the services provisioning talks to, pointed at the emulator. */
export interface ProvisionClients {
  readonly ecs: ECSClient;
  readonly autoscaling: ApplicationAutoScalingClient;
  readonly dynamodb: DynamoDBClient;
}

/** Creates the cluster, the five singletons (see {@link initialCount}) and the autoscaled gateway, as the CDK stack would, through the ECS and Application Auto Scaling APIs. */
export async function provisionServices(clients: ProvisionClients, names: ResourceNames, registry: string): Promise<void> {
  await clients.ecs.send(new CreateClusterCommand({ clusterName: names.cluster }));
  for (const service of [...names.singletons, names.gateway]) {
    const gateway = service === names.gateway;
    const family = `${names.cluster}-${service}`;
    await clients.ecs.send(new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '512',
      memory: '1024',
      containerDefinitions: [{
        name: service, image: serviceImage(service, registry, names.releaseTag, names.repositoryName), essential: true, environment: [{ name: 'NODE_ENV', value: localValidationSettings(names).nodeEnv }],
        // portal-api answers GET /ping once it has read its configuration (wicked's Helm chart probes /ping on port 3001).
        ...(service === 'portal-api' ? { healthCheck: { command: ['CMD-SHELL', 'curl -fsS http://localhost:3001/ping || exit 1'], interval: 10, timeout: 5, retries: 3, startPeriod: 30 } } : {}),
      }],
    }));
    await clients.ecs.send(new CreateServiceCommand({
      cluster: names.cluster,
      serviceName: service,
      taskDefinition: family,
      launchType: 'FARGATE',
      desiredCount: gateway ? GATEWAY.min : initialCount(service),
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-local-a', 'subnet-local-b'], assignPublicIp: 'DISABLED' } },
      deploymentConfiguration: {
        minimumHealthyPercent: gateway ? 100 : 0,
        maximumPercent: gateway ? 200 : 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
    }));
  }
  await provisionGatewayScaling(clients.autoscaling, names);
  const tables = await clients.dynamodb.send(new ListTablesCommand({}));
  if (tables.TableNames?.includes(names.ledgerTable)) return;
  await clients.dynamodb.send(new CreateTableCommand({
    TableName: names.ledgerTable,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
  }));
  await waitForActiveTable(clients.dynamodb, names.ledgerTable);
}

/** A singleton's desired count at creation: 0 as in the stack, but portal-api runs the stand-in under its release tag. */
export function initialCount(service: string): number {
  return service === 'portal-api' ? 1 : 0;
}

/**
 * Waits until the table is ACTIVE, as CloudFormation does before a stack is
 * complete: while it is CREATING, item operations answer ResourceNotFoundException.
 */
async function waitForActiveTable(client: DynamoDBClient, tableName: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} is still ${Table?.TableStatus ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function provisionGatewayScaling(client: ApplicationAutoScalingClient, names: ResourceNames): Promise<void> {
  const target = { ServiceNamespace: 'ecs' as const, ResourceId: `service/${names.cluster}/${names.gateway}`, ScalableDimension: 'ecs:service:DesiredCount' as const };
  await client.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: GATEWAY.min, MaxCapacity: GATEWAY.max }));
  await client.send(new PutScalingPolicyCommand({
    ...target,
    PolicyName: `${names.cluster}-${names.gateway}-cpu`,
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: { TargetValue: GATEWAY.targetCpu, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
  }));
}

/** Clients of the services the notification provisioning talks to, pointed at the emulator. */
export interface NotifyProvisionClients {
  readonly sns: SNSClient;
  readonly scheduler: SchedulerClient;
}

/** Local ARN of a function the emulator runs in process (the Scheduler invokes it by name). */
export function localFunctionArn(name: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
}

/**
 * Creates the operators' topic, the stuck-check schedule group and, when
 * `snapshotSchedule` is given, the snapshot schedule (default group, invoking snapshot-data with the
 * `Scheduled Event` input the CDK stack gives it) through the SNS and
 * Scheduler APIs, as the CDK stack would. Returns the topic ARN.
 */
export async function provisionNotifications(clients: NotifyProvisionClients, names: ResourceNames, snapshotSchedule: string | undefined): Promise<string> {
  const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: names.notificationTopic }));
  if (!TopicArn) throw new Error(`CreateTopic ${names.notificationTopic} answered no TopicArn`);
  await clients.scheduler.send(new CreateScheduleGroupCommand({ Name: names.stuckCheckGroup }));
  if (snapshotSchedule === undefined) return TopicArn;
  await clients.scheduler.send(new CreateScheduleCommand({
    Name: SNAPSHOT_SCHEDULE_NAME,
    Description: `Scheduled snapshot of the wicked data of ${names.env}`,
    ScheduleExpression: snapshotSchedule,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: localFunctionArn('snapshot-data'),
      RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/wicked-${names.env}-snapshot-schedule`,
      Input: JSON.stringify(SNAPSHOT_SCHEDULE_INPUT),
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:wicked-${names.env}-failures` },
    },
  }));
  return TopicArn;
}

/**
 * The snapshot functions' environment (snapshot-data, track-backup) as the
 * CDK stack would set it, for the emulated environment: its vault, its
 * dynamic-data file system, its topic and a daily cron schedule (fire it by
 * hand with the Scheduler's `fire`).
 */
export function snapshotEnvironment(resources: Pick<DeploymentResources, 'env' | 'ledgerTable' | 'backupVault' | 'dynamicData' | 'topicArn'>): Record<string, string> {
  return {
    WICKED_ENV: resources.env,
    LEDGER_TABLE_NAME: resources.ledgerTable,
    EVENT_BUS_NAME: 'default',
    BACKUP_VAULT_NAME: resources.backupVault,
    BACKUP_ROLE_ARN: `arn:aws:iam::000000000000:role/wicked-${resources.env}-backup`,
    EFS_FILE_SYSTEM_ARN: resources.dynamicData.arn,
    SNAPSHOT_SCHEDULE: 'cron(0 3 * * ? *)',
    SNAPSHOT_DELETE_AFTER_DAYS: '35',
    NOTIFY_TOPIC_ARN: resources.topicArn,
  };
}
