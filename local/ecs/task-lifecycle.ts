import type { Clock } from '../kernel/clock';
import type { TaskRecord, TaskStatus } from './types';

/**
 * Emulated durations of each task transition, in emulated milliseconds.
 * Every delay goes through the Clock, so tests run fast with a high speed.
 */
export interface TaskTimings {
  /** PROVISIONING → PENDING. @default 2000 */
  readonly provisioningMs: number;
  /** PENDING (image pull) → RUNNING. @default 3000 */
  readonly pendingMs: number;
  /** RUNNING → health check result (HEALTHY or UNHEALTHY). @default 5000 */
  readonly healthCheckMs: number;
  /** DEACTIVATING (connection draining) → STOPPING; 0 skips DEACTIVATING. @default 1000 */
  readonly deactivatingMs: number;
  /** STOPPING → STOPPED. @default 2000 */
  readonly stoppingMs: number;
}

/** Default task timings (emulated milliseconds). */
export const DEFAULT_TASK_TIMINGS: TaskTimings = { provisioningMs: 2000, pendingMs: 3000, healthCheckMs: 5000, deactivatingMs: 1000, stoppingMs: 2000 };

/** What the lifecycle reports back to the scheduler. */
export interface TaskLifecycleHooks {
  /** The task entered a new status (emit an event, reconcile on STOPPED). */
  changed(task: TaskRecord): void;
  /** The task passed its first health check. */
  healthy(task: TaskRecord): void;
  /** The task failed to start or failed its health check (it is being stopped). */
  failed(task: TaskRecord): void;
  /** True when the task's image (reference or digest) is set to fail health checks. */
  failsHealth(task: TaskRecord): boolean;
}

/** Stop codes ECS reports on stopped tasks. */
export type StopCode = 'TaskFailedToStart' | 'ServiceSchedulerInitiated' | 'EssentialContainerExited';

/**
 * Drives one task through PROVISIONING → PENDING → RUNNING → (DEACTIVATING →)
 * STOPPING → STOPPED on the emulated clock.
 */
export class TaskLifecycle {
  constructor(private readonly clock: Clock, private readonly timings: TaskTimings, private readonly hooks: TaskLifecycleHooks) {}

  /** Starts a freshly created task (already in PROVISIONING). */
  launch(task: TaskRecord): void {
    this.enter(task, 'PROVISIONING');
    this.after(task, this.timings.provisioningMs, () => {
      task.pullStartedAt = this.clock.now();
      this.enter(task, 'PENDING');
      this.after(task, this.timings.pendingMs, () => this.pulled(task));
    });
  }

  /** Stops a task (no-op when it is already on its way down). */
  stop(task: TaskRecord, reason: string, code: StopCode): void {
    if (task.desiredStatus === 'STOPPED') return;
    task.cancelNext?.();
    task.desiredStatus = 'STOPPED';
    task.stoppedReason = reason;
    task.stopCode = code;
    task.stoppingAt = this.clock.now();
    const stopping = (): void => {
      this.enter(task, 'STOPPING');
      this.after(task, this.timings.stoppingMs, () => {
        task.stoppedAt = this.clock.now();
        this.enter(task, 'STOPPED');
      });
    };
    if (task.lastStatus === 'RUNNING' && this.timings.deactivatingMs > 0) {
      this.enter(task, 'DEACTIVATING');
      this.after(task, this.timings.deactivatingMs, stopping);
    } else stopping();
  }

  private pulled(task: TaskRecord): void {
    if (task.containers.some((container) => container.imageDigest === undefined)) {
      const missing = task.containers.find((container) => container.imageDigest === undefined);
      this.stop(task, `CannotPullContainerError: pull image manifest has been retried 1 time(s): ${missing?.image ?? '?'}: not found`, 'TaskFailedToStart');
      this.hooks.failed(task);
      return;
    }
    task.pullStoppedAt = this.clock.now();
    task.startedAt = this.clock.now();
    this.enter(task, 'RUNNING');
    this.after(task, this.timings.healthCheckMs, () => this.checkHealth(task));
  }

  private checkHealth(task: TaskRecord): void {
    if (this.hooks.failsHealth(task)) {
      task.healthStatus = 'UNHEALTHY';
      this.stop(task, 'Task failed container health checks', 'TaskFailedToStart');
      this.hooks.failed(task);
      return;
    }
    task.healthStatus = 'HEALTHY';
    this.hooks.healthy(task);
  }

  private enter(task: TaskRecord, status: TaskStatus): void {
    const now = this.clock.now();
    task.lastStatus = status;
    task.statusTimes[status] = now;
    task.updatedAt = now;
    task.version += 1;
    task.cancelNext = undefined;
    this.hooks.changed(task);
  }

  private after(task: TaskRecord, ms: number, next: () => void): void {
    task.cancelNext = this.clock.schedule(ms, () => {
      task.cancelNext = undefined;
      next();
    });
  }
}
