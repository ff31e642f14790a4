import * as z from 'zod';
import type { EventPublisher } from '../../shared/adapters/event-publisher';
import type { Notification, Notifier, StuckCheckScheduler } from '../../shared/deploy';
import { StandInDetailType } from '../../shared/events/rules';

/** Detail of `Portal Notification`: what an SNS publish would carry. */
export const NotificationDetailSchema = z.strictObject({
  subject: z.string(),
  message: z.string(),
  attributes: z.record(z.string(), z.string()),
  /** The SNS topic the notification is meant for, when configured. */
  topicArn: z.string().optional(),
});
/** Detail of `Portal Notification`. */
export type NotificationDetail = z.infer<typeof NotificationDetailSchema>;

/** Detail of `Portal Stuck Check Scheduled`: deliver the check of `deploymentId` at `at`. */
export const StuckCheckScheduledDetailSchema = z.strictObject({
  env: z.string().min(1),
  deploymentId: z.string().min(1),
  /** ISO 8601 instant. */
  at: z.iso.datetime(),
});
/** Detail of `Portal Stuck Check Scheduled`. */
export type StuckCheckScheduledDetail = z.infer<typeof StuckCheckScheduledDetailSchema>;

/** Detail of `Portal Stuck Check Due`. */
export const StuckCheckDueDetailSchema = z.strictObject({ env: z.string().min(1), deploymentId: z.string().min(1) });
/** Detail of `Portal Stuck Check Due`. */
export type StuckCheckDueDetail = z.infer<typeof StuckCheckDueDetailSchema>;

type Publisher = Pick<EventPublisher, 'publish'>;

/**
 * Stand-in for an SNS notifier until `@aws-sdk/client-sns` is a dependency:
 * each notification becomes a `Portal Notification` event on the bus (a rule
 * can forward it to a topic).
 *
 * @example
 * await new BusNotifier(publisher, topicArn).notify({ subject, message, attributes: { env } });
 */
export class BusNotifier implements Notifier {
  constructor(private readonly events: Publisher, private readonly topicArn?: string) {}

  /** Publishes the notification; rejects when the bus refused it. */
  async notify(notification: Notification): Promise<void> {
    const detail: NotificationDetail = { subject: notification.subject, message: notification.message, attributes: { ...notification.attributes } };
    if (this.topicArn) detail.topicArn = this.topicArn;
    await this.events.publish(StandInDetailType.Notification, detail);
  }
}

/**
 * Stand-in for EventBridge Scheduler one-shot schedules until
 * `@aws-sdk/client-scheduler` is a dependency: the request goes on the bus as
 * `Portal Stuck Check Scheduled`; the local emulator turns it into `Portal
 * Stuck Check Due` at `at`. In AWS an `at(...)` schedule targeting the bus
 * replaces it.
 *
 * @example
 * await new BusStuckCheckScheduler(publisher).scheduleStuckCheck({ env: 'dev', deploymentId, at });
 */
export class BusStuckCheckScheduler implements StuckCheckScheduler {
  constructor(private readonly events: Publisher) {}

  /** Publishes the schedule request. */
  async scheduleStuckCheck(check: { env: string; deploymentId: string; at: Date }): Promise<void> {
    const detail: StuckCheckScheduledDetail = { env: check.env, deploymentId: check.deploymentId, at: check.at.toISOString() };
    await this.events.publish(StandInDetailType.StuckCheckScheduled, detail);
  }
}
