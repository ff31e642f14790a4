import { LOCAL_ACCOUNT, LOCAL_REGION } from './kernel/events';
import type { DeploymentResources } from './provision';
import { PORTAL_API_REPOSITORY } from './provision';
import { preDeploySnapshotOn } from '../shared/deploy/snapshot-gate';

/** The notification topic, stuck-check group and role the emulated environment is provisioned with. */
export interface NotifyResources {
  /** ARN of the operators' SNS topic. */
  readonly topicArn: string;
  /** EventBridge Scheduler group of the stuck checks. */
  readonly stuckCheckGroup: string;
  /** Role the stuck-check schedules name (the emulator does not check roles). */
  readonly stuckCheckRoleArn: string;
}

/** ARN of the emulator's default event bus. */
export const LOCAL_EVENT_BUS_ARN = `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/default`;

/** What {@link deployEnvironment} reads of one environment. */
export type DeployWiringResources = Pick<DeploymentResources, 'env' | 'cluster' | 'ledgerTable' | 'releaseTag'> & NotifyResources
  & Partial<Pick<DeploymentResources, 'singletons' | 'gateway' | 'repositoryName'>>;

/**
 * The deploy functions' environment as the CDK stack would set it, for the
 * emulated environment: portal-api of `wicked-<env>` rolled through the
 * `<env>-live` tag of its portal-api repository, notifications to the
 * environment's topic, stuck checks in its Scheduler group; every singleton
 * and the gateway may be restarted, and the other singletons are brought up
 * after portal-api's first good deployment. Further environments (`others`) become
 * further targets of the same functions, on the first one's ledger table,
 * topic and Scheduler group.
 *
 * @example
 * Object.assign(process.env, deployEnvironment(emulator.resources));
 */
export function deployEnvironment(resources: DeployWiringResources, ...others: readonly DeployWiringResources[]): Record<string, string> {
  const targets = Object.fromEntries([resources, ...others].map((r) => [r.env, {
    cluster: r.cluster, service: 'portal-api', repositoryName: r.repositoryName ?? PORTAL_API_REPOSITORY, releaseTag: r.releaseTag, containerName: 'portal-api',
    ...(r.singletons ? { restartable: [...r.singletons, ...(r.gateway ? [r.gateway] : [])], singletons: r.singletons.filter((name) => name !== 'portal-api') } : {}),
  }]));
  return {
    LEDGER_TABLE_NAME: resources.ledgerTable,
    EVENT_BUS_NAME: 'default',
    DEPLOY_TARGETS: JSON.stringify(targets),
    NOTIFY_TOPIC_ARN: resources.topicArn,
    STUCK_CHECK_GROUP_NAME: resources.stuckCheckGroup,
    STUCK_CHECK_ROLE_ARN: resources.stuckCheckRoleArn,
    EVENT_BUS_ARN: LOCAL_EVENT_BUS_ARN,
    // As the CDK stack sets it by default: the pre-deploy snapshot gate is on for prod only. With several
    // environments only the first one's snapshot functions run in the emulator, so no environment is gated.
    PRE_DEPLOY_SNAPSHOT: String(others.length === 0 && preDeploySnapshotOn(resources.env, undefined)),
  };
}
