/** One message to operators (an SNS topic in AWS). */
export interface Notification {
  readonly subject: string;
  readonly message: string;
  /** Structured fields for filtering (env, deploymentId, cause). */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Sends operator notifications. The SNS implementation is wired by the
 * handler (the SNS client package is not a dependency of this module).
 */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

/** Schedules the one-shot "is it stuck?" check of a deployment (EventBridge Scheduler in AWS). */
export interface StuckCheckScheduler {
  scheduleStuckCheck(check: { env: string; deploymentId: string; at: Date }): Promise<void>;
}
