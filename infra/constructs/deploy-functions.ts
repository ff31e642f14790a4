import { Arn, Duration, Stack, Token, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEPLOYMENT_STUCK_METRIC } from '../../functions/deploy-services/outcome-metrics';
import { ControlPlaneFunction, METRICS_NAMESPACE } from './control-plane-function';
import type { LedgerTable } from './ledger-table';
import type { Notifications } from './notifications';
import { preDeploySnapshotOn } from '../../shared/deploy/snapshot-gate';

/** Container (and service) whose image the deploy functions roll. */
export const DEPLOYED_CONTAINER = 'portal-api';
/** ECR actions of the release-tag move: read the digest, put the tag on it. */
export const RELEASE_TAG_ACTIONS = ['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:PutImage'] as const;

/** Props of {@link DeployFunctions}. */
export interface DeployFunctionsProps {
  /** Environment name: the key of `DEPLOY_TARGETS`, the release tag `<envName>-live`. */
  readonly envName: string;
  /** Handler entries. */
  readonly entries: { readonly deployServices: string; readonly trackDeployment: string };
  /** The cluster the service runs in. */
  readonly cluster: ecs.ICluster;
  /** The portal-api service. */
  readonly service: ecs.IBaseService;
  /** The portal-api repository. */
  readonly repository: ecr.IRepository;
  /** The deployment ledger. */
  readonly ledger: LedgerTable;
  /** Operator notifications. */
  readonly notifications: Notifications;
  /** Failed invocations end up here. */
  readonly failureQueue: sqs.IQueue;
  /** Applied to the log groups. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Take a snapshot before rolling portal-api (`PRE_DEPLOY_SNAPSHOT`).
   *
   * @default - on when envName is `prod`
   */
  readonly preDeploySnapshot?: boolean;
  /**
   * The dynamic data the pre-deploy snapshot covers (`SNAPSHOT_RESOURCE_ARNS`): the gate lets a deployment
   * roll only with a recovery point of each.
   *
   * @default - each resource a backup job names
   */
  readonly snapshotResources?: readonly string[];
  /**
   * Further services of the cluster `wickedctl restart` may restart (the
   * other singletons): listed in `DEPLOY_TARGETS` and granted DescribeServices
   * and UpdateService.
   *
   * @default - only the portal-api service
   */
  readonly restartable?: readonly ecs.IBaseService[];
  /**
   * The other singletons (never a gateway): the stack creates them with no
   * task, and the reconcile loop sets each one at desired count 0 to 1 once
   * portal-api has a good deployment. Listed in `DEPLOY_TARGETS` and granted
   * DescribeServices and UpdateService (as `restartable` is).
   *
   * @default - none
   */
  readonly singletons?: readonly ecs.IBaseService[];
}

/**
 * deploy-services (moves the release tag, rolls portal-api through the ledger) and
 * track-deployment (decides outcomes from ECS deployment events). Both roles may
 * only touch the portal-api service, its cluster's tasks, the portal-api repository,
 * the ledger, the default bus, the topic, and create schedules in the stuck-check
 * schedule group, passing only the stuck-check role to EventBridge Scheduler.
 *
 * @example
 * new DeployFunctions(this, 'Deploy', { envName: 'prod', entries, cluster, service, repository, ledger, notifications, failureQueue, removalPolicy });
 */
export class DeployFunctions extends Construct {
  /** deploy-services. */
  public readonly deployServices: ControlPlaneFunction;
  /** track-deployment. */
  public readonly trackDeployment: ControlPlaneFunction;
  /** Schedule group of the one-shot stuck checks (each deletes itself after it ran). */
  public readonly stuckCheckGroup: scheduler.ScheduleGroup;
  /** Role EventBridge Scheduler assumes to put `Portal Stuck Check Due` and `Portal Reconcile Due` on the default bus, and nothing else. */
  public readonly stuckCheckRole: iam.Role;
  /** The default bus the stuck checks are put on. */
  public readonly bus: events.IEventBus;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - entries and the resources the functions work on
   */
  public constructor(scope: Construct, id: string, props: DeployFunctionsProps) {
    super(scope, id);
    this.bus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.stuckCheckGroup = new scheduler.ScheduleGroup(this, 'StuckCheckGroup', { removalPolicy: props.removalPolicy });
    this.stuckCheckRole = new iam.Role(this, 'StuckCheckRole', {
      // The source-account condition keeps other accounts' schedules from using the role (confused deputy).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'EventBridge Scheduler: puts Portal Stuck Check Due and Portal Reconcile Due on the default bus',
    });
    this.bus.grantPutEventsTo(this.stuckCheckRole);
    const environment = deployEnvironment(Stack.of(this), props, { group: this.stuckCheckGroup, role: this.stuckCheckRole, bus: this.bus });
    const common = { environment, failureQueue: props.failureQueue, removalPolicy: props.removalPolicy };
    this.deployServices = new ControlPlaneFunction(this, 'DeployServices', {
      ...common, entry: props.entries.deployServices, service: 'deploy-services', timeout: Duration.minutes(2),
      description: 'deploy-services: moves the portal-api release tag and rolls the service',
    });
    this.trackDeployment = new ControlPlaneFunction(this, 'TrackDeployment', {
      ...common, entry: props.entries.trackDeployment, service: 'track-deployment',
      description: 'track-deployment: records the outcome of portal-api rollouts',
    });
    for (const fn of [this.deployServices, this.trackDeployment]) this.grantAccess(fn, props);
  }

  /**
   * Deployments deploy-services marked stuck (its Powertools metric, by the default `service` dimension).
   *
   * @param period - the alarm or graph period
   */
  public metricDeploymentsStuck(period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE, metricName: DEPLOYMENT_STUCK_METRIC, dimensionsMap: { service: 'deploy-services' }, statistic: 'Sum', period,
    });
  }

  private grantAccess(fn: ControlPlaneFunction, props: DeployFunctionsProps): void {
    props.ledger.grantLedgerAccess(fn.role);
    fn.grantPutEventsToDefaultBus();
    fn.grantPublish(props.notifications.topic, props.notifications.key);
    const clusterCondition = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
    // UpdateService: portal-api to deploy it, the restartable ones to restart them, the other singletons to bring them up.
    const services = [...new Set([props.service, ...(props.restartable ?? []), ...(props.singletons ?? [])])];
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: services.map((service) => service.serviceArn) }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:ListTasks'], resources: ['*'], conditions: clusterCondition }));
    // Whether the primary task definition defines a container health check (then a rollout counts only with HEALTHY tasks).
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: [tasksArn(this, props.cluster)], conditions: clusterCondition }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...RELEASE_TAG_ACTIONS], resources: [props.repository.repositoryArn] }));
    this.grantStuckChecks(fn);
    // The pre-deploy gate reads the jobs the ledger still shows pending from AWS Backup (their outcome event may be lost).
    const gated = preDeploySnapshotOn(props.envName, props.preDeploySnapshot);
    if (gated) fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['backup:DescribeBackupJob'], resources: ['*'] }));
    fn.acknowledgeWildcard('*', 'ecs:ListTasks and ecs:DescribeTaskDefinition have no resource-level permissions: AWS requires "*" (ListTasks is limited to the cluster by the ecs:cluster condition; DescribeTaskDefinition only reads definitions)'
      + `${gated ? '; so has backup:DescribeBackupJob, which only reads the state of a backup job' : ''}.`);
    fn.acknowledgeWildcard(
      `arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<${Stack.of(this).resolve((props.cluster.node.defaultChild as CfnElement).logicalId) as string}>/*`,
      'Task ids are generated by ECS at each rollout; the grant is limited to describing tasks of this cluster (also by the ecs:cluster condition).',
    );
  }

  /**
   * CreateSchedule in the stuck-check group only, DeleteSchedule of the safety-net nudges (`reconcile-<env>`) only,
   * and PassRole of the stuck-check role to EventBridge Scheduler only.
   */
  private grantStuckChecks(fn: ControlPlaneFunction): void {
    const stack = Stack.of(this);
    const schedules = Arn.format({ service: 'scheduler', resource: 'schedule', resourceName: `${this.stuckCheckGroup.scheduleGroupName}/*` }, stack);
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule'], resources: [schedules] }));
    const nudges = Arn.format({ service: 'scheduler', resource: 'schedule', resourceName: `${this.stuckCheckGroup.scheduleGroupName}/reconcile-*` }, stack);
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['scheduler:DeleteSchedule'], resources: [nudges] }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'], resources: [this.stuckCheckRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }));
    const groupName = this.stuckCheckGroup.scheduleGroupName;
    const group = Token.isUnresolved(groupName) ? `<${stack.resolve((this.stuckCheckGroup.node.defaultChild as CfnElement).logicalId) as string}>` : groupName;
    fn.acknowledgeWildcard(
      `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${group}/*`,
      'Schedule names derive from each deployment id at run time; the grant is limited to creating schedules in the stuck-check group.',
    );
    fn.acknowledgeWildcard(
      `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${group}/reconcile-*`,
      'The safety-net nudge of each environment is named reconcile-<env>; the grant is limited to deleting those in the stuck-check group.',
    );
  }
}

/** `arn:<partition>:ecs:<region>:<account>:task/<cluster>/*`: the cluster's tasks. */
function tasksArn(scope: Construct, cluster: ecs.ICluster): string {
  return Arn.format({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` }, Stack.of(scope));
}

/**
 * The deploy functions' environment (read by `readDeployEnvironment`): one target,
 * this environment's portal-api, rolled by its release tag `<envName>-live`.
 * `strictSingleton` is off: the service's deployment configuration (0 % / 100 %)
 * already stops the old task before the new one starts.
 *
 * @param stack - the stack, to render tokens into the `DEPLOY_TARGETS` JSON
 * @param props - the functions' props
 * @param stuckChecks - the stuck-check schedule group, the role schedules pass and the bus they put events on
 */
export function deployEnvironment(
  stack: Stack, props: DeployFunctionsProps, stuckChecks: { group: scheduler.IScheduleGroup; role: iam.IRole; bus: events.IEventBus },
): Record<string, string> {
  const target = {
    cluster: props.cluster.clusterName,
    service: props.service.serviceName,
    repositoryName: props.repository.repositoryName,
    releaseTag: `${props.envName}-live`,
    strictSingleton: false,
    containerName: DEPLOYED_CONTAINER,
    ...(props.restartable?.length ? { restartable: props.restartable.map((service) => service.serviceName) } : {}),
    ...(props.singletons?.length ? { singletons: props.singletons.map((service) => service.serviceName) } : {}),
  };
  return {
    LEDGER_TABLE_NAME: props.ledger.table.tableName,
    EVENT_BUS_NAME: 'default',
    DEPLOY_TARGETS: stack.toJsonString({ [props.envName]: target }),
    NOTIFY_TOPIC_ARN: props.notifications.topic.topicArn,
    PRE_DEPLOY_SNAPSHOT: String(preDeploySnapshotOn(props.envName, props.preDeploySnapshot)),
    ...(props.snapshotResources?.length ? { SNAPSHOT_RESOURCE_ARNS: stack.toJsonString(props.snapshotResources) } : {}),
    STUCK_CHECK_GROUP_NAME: stuckChecks.group.scheduleGroupName,
    STUCK_CHECK_ROLE_ARN: stuckChecks.role.roleArn,
    EVENT_BUS_ARN: stuckChecks.bus.eventBusArn,
  };
}
