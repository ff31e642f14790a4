import { StuckCheckScheduledDetailSchema } from '../functions/deploy-services/stand-ins';
import { EVENT_SOURCE } from '../shared/events';
import { StandInDetailType } from '../shared/events/rules';
import type { LocalBus } from './bus';
import type { DeploymentResources } from './provision';
import { PORTAL_API_REPOSITORY } from './provision';

/** Target id of the emulator's one-shot scheduler (EventBridge Scheduler's stand-in). */
export const LOCAL_SCHEDULER_TARGET = 'local-one-shot-scheduler';

/** What {@link deployEnvironment} reads of one environment. */
export type DeployWiringResources = Pick<DeploymentResources, 'env' | 'cluster' | 'ledgerTable' | 'releaseTag'>
  & Partial<Pick<DeploymentResources, 'singletons' | 'gateway' | 'repositoryName'>>;

/**
 * The deploy functions' environment as the CDK stack would set it, for the
 * emulated environment: portal-api of `wicked-<env>` rolled through the
 * `<env>-live` tag of its portal-api repository; every singleton and the
 * gateway may be restarted. Further environments (`others`) become further
 * targets of the same functions, on the first one's ledger table.
 *
 * @example
 * Object.assign(process.env, deployEnvironment(emulator.resources));
 */
export function deployEnvironment(resources: DeployWiringResources, ...others: readonly DeployWiringResources[]): Record<string, string> {
  const targets = Object.fromEntries([resources, ...others].map((r) => [r.env, {
    cluster: r.cluster, service: 'portal-api', repositoryName: r.repositoryName ?? PORTAL_API_REPOSITORY, releaseTag: r.releaseTag, containerName: 'portal-api',
    ...(r.singletons ? { restartable: [...r.singletons, ...(r.gateway ? [r.gateway] : [])] } : {}),
  }]));
  return { LEDGER_TABLE_NAME: resources.ledgerTable, EVENT_BUS_NAME: 'default', DEPLOY_TARGETS: JSON.stringify(targets) };
}

/**
 * Installs the stand-in for EventBridge Scheduler's one-shot `at(...)`
 * schedules: a `Portal Stuck Check Scheduled` event on the bus becomes a
 * `Portal Stuck Check Due` event at its `at` instant. The instant is wall
 * time, as the functions' clock is. Returns a function that cancels every
 * pending schedule.
 *
 * @example
 * stops.push(installOneShotScheduler(bus));
 */
export function installOneShotScheduler(bus: LocalBus): () => Promise<void> {
  const timers = new Set<NodeJS.Timeout>();
  bus.registerTarget(LOCAL_SCHEDULER_TARGET, (event) => {
    const detail = StuckCheckScheduledDetailSchema.parse(event.detail);
    const timer = setTimeout(() => {
      timers.delete(timer);
      bus.put({ source: EVENT_SOURCE, 'detail-type': StandInDetailType.StuckCheckDue, resources: [], detail: { env: detail.env, deploymentId: detail.deploymentId } });
    }, Math.max(0, Date.parse(detail.at) - Date.now()));
    timer.unref();
    timers.add(timer);
    return { scheduled: detail.at };
  });
  bus.addRule({
    name: 'LocalOneShotScheduler',
    description: 'Stand-in for EventBridge Scheduler one-shot schedules of stuck checks',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [StandInDetailType.StuckCheckScheduled] },
    targetId: LOCAL_SCHEDULER_TARGET,
  });
  return async () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}
