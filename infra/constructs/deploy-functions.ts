import { Arn, Duration, Stack, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ControlPlaneFunction } from './control-plane-function';
import type { LedgerTable } from './ledger-table';
import type { Notifications } from './notifications';

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
   * Further services of the cluster `wickedctl restart` may restart (the
   * other singletons): listed in `DEPLOY_TARGETS` and granted DescribeServices
   * and UpdateService. @default only the portal-api service
   */
  readonly restartable?: readonly ecs.IBaseService[];
}

/**
 * deploy-services (moves the release tag, rolls portal-api through the ledger) and
 * track-deployment (decides outcomes from ECS deployment events). Both roles may
 * only touch the portal-api service, its cluster's tasks, the portal-api repository,
 * the ledger, the default bus and the topic.
 *
 * @example
 * new DeployFunctions(this, 'Deploy', { envName: 'prod', entries, cluster, service, repository, ledger, notifications, failureQueue, removalPolicy });
 */
export class DeployFunctions extends Construct {
  /** deploy-services. */
  public readonly deployServices: ControlPlaneFunction;
  /** track-deployment. */
  public readonly trackDeployment: ControlPlaneFunction;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - entries and the resources the functions work on
   */
  public constructor(scope: Construct, id: string, props: DeployFunctionsProps) {
    super(scope, id);
    const environment = deployEnvironment(Stack.of(this), props);
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

  private grantAccess(fn: ControlPlaneFunction, props: DeployFunctionsProps): void {
    props.ledger.grantLedgerAccess(fn.role);
    fn.grantPutEventsToDefaultBus();
    fn.grantPublish(props.notifications.topic, props.notifications.key);
    const clusterCondition = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
    const services = [props.service, ...(props.restartable ?? [])];
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: services.map((service) => service.serviceArn) }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:ListTasks'], resources: ['*'], conditions: clusterCondition }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: [tasksArn(this, props.cluster)], conditions: clusterCondition }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...RELEASE_TAG_ACTIONS], resources: [props.repository.repositoryArn] }));
    fn.acknowledgeWildcard('*', 'ecs:ListTasks has no resource-level permissions: AWS requires "*"; the statement is limited to the cluster by the ecs:cluster condition.');
    fn.acknowledgeWildcard(
      `arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<${Stack.of(this).resolve((props.cluster.node.defaultChild as CfnElement).logicalId) as string}>/*`,
      'Task ids are generated by ECS at each rollout; the grant is limited to describing tasks of this cluster (also by the ecs:cluster condition).',
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
 */
export function deployEnvironment(stack: Stack, props: DeployFunctionsProps): Record<string, string> {
  const target = {
    cluster: props.cluster.clusterName,
    service: props.service.serviceName,
    repositoryName: props.repository.repositoryName,
    releaseTag: `${props.envName}-live`,
    strictSingleton: false,
    containerName: DEPLOYED_CONTAINER,
    ...(props.restartable?.length ? { restartable: props.restartable.map((service) => service.serviceName) } : {}),
  };
  return {
    LEDGER_TABLE_NAME: props.ledger.table.tableName,
    EVENT_BUS_NAME: 'default',
    DEPLOY_TARGETS: stack.toJsonString({ [props.envName]: target }),
    NOTIFY_TOPIC_ARN: props.notifications.topic.topicArn,
  };
}
