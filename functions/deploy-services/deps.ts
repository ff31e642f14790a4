import { BackupClient } from '@aws-sdk/client-backup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventPublisher } from '../../shared/adapters/event-publisher';
import { EcrReleaseAdapter, EcsServiceAdapter, readDeployEnvironment } from '../../shared/deploy';
import type { DeployDeps } from '../../shared/deploy';
import { Ledger } from '../../shared/ledger';
import { BackupGateway } from '../../shared/snapshot/backup-adapter';
import { SnapshotStore } from '../../shared/snapshot/store';
import { SchedulerReconcileNudge, SchedulerStuckCheckScheduler, SnsNotifier } from '../../shared/notify';

/** Names of the deploy functions (for messages). */
export type DeployFunctionName = 'deploy-services' | 'track-deployment';

/**
 * Builds the deploy orchestration's dependencies from the environment: the
 * ledger on a DynamoDB document client, the ECS and ECR adapters, the event
 * publisher, the SNS notifier and the EventBridge Scheduler stuck checks. SDK
 * clients read endpoints, region and credentials from the environment, so
 * the same code runs in Lambda and against the local emulator.
 *
 * @example
 * const deps = deployDepsFromEnvironment(process.env, 'deploy-services');
 */
export function deployDepsFromEnvironment(env: NodeJS.ProcessEnv, fn: DeployFunctionName): DeployDeps {
  const config = readDeployEnvironment(env, fn);
  const containers = new Set(Object.values(config.DEPLOY_TARGETS).map((target) => target.containerName));
  const events = new EventPublisher({ busName: config.EVENT_BUS_NAME, client: new EventBridgeClient({}) });
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const scheduleTarget = { groupName: config.STUCK_CHECK_GROUP_NAME, eventBusArn: config.EVENT_BUS_ARN, roleArn: config.STUCK_CHECK_ROLE_ARN };
  const schedulerClient = new SchedulerClient({});
  return {
    ledger: new Ledger({ client: documents, tableName: config.LEDGER_TABLE_NAME, leaseMs: config.LEASE_SECONDS * 1000 }),
    // One container name for every target (the CDK stack names portal-api's container alike in every environment).
    ecs: new EcsServiceAdapter({ client: new ECSClient({}), containerName: containers.size === 1 ? [...containers][0] : undefined }),
    ecr: new EcrReleaseAdapter({ client: new ECRClient({}) }),
    events,
    notifier: new SnsNotifier({ topicArn: config.NOTIFY_TOPIC_ARN, client: new SNSClient({}) }),
    scheduler: new SchedulerStuckCheckScheduler({ client: schedulerClient, ...scheduleTarget }),
    nudge: new SchedulerReconcileNudge({ client: schedulerClient, ...scheduleTarget }),
    targets: config.DEPLOY_TARGETS,
    clock: Date.now,
    stuckAfterMs: config.STUCK_AFTER_SECONDS * 1000,
    waitForZeroMs: config.WAIT_FOR_ZERO_SECONDS * 1000,
    preDeploySnapshot: config.PRE_DEPLOY_SNAPSHOT,
    snapshotWaitMs: config.PRE_DEPLOY_SNAPSHOT_WAIT_SECONDS * 1000,
    snapshotResources: config.SNAPSHOT_RESOURCE_ARNS,
    // The snapshot module's job items share the ledger table: the gate reads every job of a deployment.
    snapshotJobs: new SnapshotStore({ client: documents, tableName: config.LEDGER_TABLE_NAME }),
    // What AWS Backup says of a job the ledger still shows pending: a lost or late outcome event does not hold a deployment.
    backupJobs: new BackupGateway({ client: new BackupClient({}) }),
  };
}

/** Variables that change what {@link deployDepsFromEnvironment} builds. */
const KEY_VARIABLES = /^(AWS_ENDPOINT_URL(_[A-Z_]+)?|AWS_REGION|AWS_ACCESS_KEY_ID|LEDGER_TABLE_NAME|EVENT_BUS_NAME|DEPLOY_TARGETS|LEASE_SECONDS|STUCK_AFTER_SECONDS|WAIT_FOR_ZERO_SECONDS|NOTIFY_TOPIC_ARN|STUCK_CHECK_GROUP_NAME|STUCK_CHECK_ROLE_ARN|EVENT_BUS_ARN|PRE_DEPLOY_SNAPSHOT|PRE_DEPLOY_SNAPSHOT_WAIT_SECONDS)$/;

const cache = new Map<string, DeployDeps>();

/**
 * The dependencies for the current environment, built once per distinct
 * environment: in Lambda once per cold start; in a process that starts
 * several emulators, once per emulator (their endpoints differ).
 *
 * @example
 * const deps = cachedDeployDeps(process.env, 'track-deployment');
 */
export function cachedDeployDeps(env: NodeJS.ProcessEnv, fn: DeployFunctionName): DeployDeps {
  const key = JSON.stringify([fn, ...Object.keys(env).filter((name) => KEY_VARIABLES.test(name)).sort().map((name) => [name, env[name]])]);
  let deps = cache.get(key);
  if (!deps) {
    deps = deployDepsFromEnvironment(env, fn);
    cache.set(key, deps);
  }
  return deps;
}

/** Forgets every cached dependency set (tests). */
export function resetDeployDeps(): void {
  cache.clear();
}
