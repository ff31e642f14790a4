/** One message to operators (an SNS topic in AWS). */
export interface Notification {
  readonly subject: string;
  readonly message: string;
  /** Structured fields for filtering (env, deploymentId, cause). */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Sends operator notifications: `SnsNotifier` (shared/notify) publishes them
 * to the operators' SNS topic; the handlers wire it.
 */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

/** Schedules the one-shot "is it stuck?" check of a deployment (`SchedulerStuckCheckScheduler` in shared/notify). */
export interface StuckCheckScheduler {
  scheduleStuckCheck(check: { env: string; deploymentId: string; at: Date }): Promise<void>;
}
