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

/**
 * The safety-net nudge of one environment (`SchedulerReconcileNudge` in
 * shared/notify): a recurring schedule that wakes reconcile while something
 * is in flight, so a lost event costs at most one interval. Both calls are
 * idempotent: arming an armed environment and disarming an idle one change nothing.
 */
export interface ReconcileNudge {
  arm(env: string): Promise<void>;
  disarm(env: string): Promise<void>;
}
