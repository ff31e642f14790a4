import { BusNotifier, BusStuckCheckScheduler, NotificationDetailSchema, StuckCheckDueDetailSchema, StuckCheckScheduledDetailSchema } from '../../functions/deploy-services/stand-ins';
import { deployEnvironment, installOneShotScheduler } from '../../local/deploy-wiring';
import { LocalBus } from '../../local/bus';
import { scaledClock } from '../../local/kernel/clock';
import { readDeployEnvironment } from '../../shared/deploy';
import { EVENT_SOURCE } from '../../shared/events';
import { StandInDetailType } from '../../shared/events/rules';

/** A publisher that records what it was asked to put on the bus. */
function recorder(): { published: { detailType: string; detail: object }[]; publish: (detailType: string, detail: object) => Promise<string> } {
  const published: { detailType: string; detail: object }[] = [];
  return { published, publish: (detailType, detail) => { published.push({ detailType, detail }); return Promise.resolve(`id-${published.length}`); } };
}

describe('bus stand-ins for SNS and EventBridge Scheduler', () => {
  it('BusNotifier publishes a Portal Notification carrying subject, message, attributes and the topic', async () => {
    const events = recorder();
    await new BusNotifier(events, 'arn:aws:sns:eu-west-1:1:wicked').notify({ subject: 's', message: 'm', attributes: { env: 'dev', cause: 'stuck' } });
    await new BusNotifier(events).notify({ subject: 's2', message: 'm2', attributes: {} });
    expect(events.published.map((p) => p.detailType)).toEqual([StandInDetailType.Notification, StandInDetailType.Notification]);
    expect(NotificationDetailSchema.parse(events.published[0]!.detail)).toEqual({ subject: 's', message: 'm', attributes: { env: 'dev', cause: 'stuck' }, topicArn: 'arn:aws:sns:eu-west-1:1:wicked' });
    expect(events.published[1]!.detail).not.toHaveProperty('topicArn');
  });

  it('BusStuckCheckScheduler publishes the check with its instant', async () => {
    const events = recorder();
    await new BusStuckCheckScheduler(events).scheduleStuckCheck({ env: 'dev', deploymentId: 'd-1', at: new Date('2026-11-23T12:30:00Z') });
    expect(events.published).toEqual([{ detailType: StandInDetailType.StuckCheckScheduled, detail: { env: 'dev', deploymentId: 'd-1', at: '2026-11-23T12:30:00.000Z' } }]);
    expect(StuckCheckScheduledDetailSchema.safeParse(events.published[0]!.detail).success).toBe(true);
  });

  it('the emulator delivers Portal Stuck Check Due at the scheduled instant, not before, and cancels pending checks on stop', async () => {
    const bus = new LocalBus({ clock: scaledClock(1) });
    const stop = installOneShotScheduler(bus);
    const scheduled = Date.now();
    bus.put({ source: EVENT_SOURCE, 'detail-type': StandInDetailType.StuckCheckScheduled, resources: [], detail: { env: 'dev', deploymentId: 'd-1', at: new Date(scheduled + 150).toISOString() } });
    bus.put({ source: EVENT_SOURCE, 'detail-type': StandInDetailType.StuckCheckScheduled, resources: [], detail: { env: 'dev', deploymentId: 'd-2', at: new Date(scheduled + 60_000).toISOString() } });
    const due = await bus.waitFor((event) => event['detail-type'] === StandInDetailType.StuckCheckDue, 5_000, 'Portal Stuck Check Due');
    expect(Date.now() - scheduled).toBeGreaterThanOrEqual(140);
    expect(StuckCheckDueDetailSchema.parse(due.detail)).toEqual({ env: 'dev', deploymentId: 'd-1' });
    await stop();
    bus.stop();
    expect(bus.timeline.filter((entry) => entry.event['detail-type'] === StandInDetailType.StuckCheckDue)).toHaveLength(1);
  });

  it('deployEnvironment is an environment readDeployEnvironment accepts, targeting portal-api through the release tag', () => {
    const env = deployEnvironment({ env: 'dev', cluster: 'wicked-dev', ledgerTable: 'wicked-dev-ledger', releaseTag: 'dev-live' });
    expect(readDeployEnvironment(env, 'deploy-services')).toMatchObject({
      LEDGER_TABLE_NAME: 'wicked-dev-ledger',
      DEPLOY_TARGETS: { dev: { cluster: 'wicked-dev', service: 'portal-api', repositoryName: 'portal-api', releaseTag: 'dev-live', containerName: 'portal-api', strictSingleton: false } },
    });
  });
});
