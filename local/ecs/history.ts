import { maxConcurrent } from './rollout';
import type { TaskRecord, TaskStatus } from './types';

/** One task's whole life, kept for invariant checks after a run. */
export interface TaskLifetime {
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly serviceName: string;
  readonly deploymentId: string;
  readonly taskDefinitionArn: string;
  readonly images: readonly string[];
  /** Digest per container, in container order; undefined where the image could not be resolved. */
  readonly digests: readonly (string | undefined)[];
  /** Each status entered, with its emulated epoch ms, in order. */
  readonly statuses: readonly { readonly status: TaskStatus; readonly at: number }[];
  readonly lastStatus: TaskStatus;
  readonly healthStatus: TaskRecord['healthStatus'];
  readonly stoppedReason?: string;
  readonly stopCode?: string;
}

const ORDER: readonly TaskStatus[] = ['PROVISIONING', 'PENDING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'STOPPED'];

/** A copy of a task record as a {@link TaskLifetime}. */
export function toLifetime(task: TaskRecord): TaskLifetime {
  return {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    serviceName: task.serviceName,
    deploymentId: task.deploymentId,
    taskDefinitionArn: task.taskDefinitionArn,
    images: task.containers.map((container) => container.image),
    digests: task.containers.map((container) => container.imageDigest),
    statuses: ORDER.flatMap((status) => (task.statusTimes[status] === undefined ? [] : [{ status, at: task.statusTimes[status] as number }])),
    lastStatus: task.lastStatus,
    healthStatus: task.healthStatus,
    ...(task.stoppedReason === undefined ? {} : { stoppedReason: task.stoppedReason }),
    ...(task.stopCode === undefined ? {} : { stopCode: task.stopCode }),
  };
}

/**
 * The largest number of tasks of one service that were not STOPPED at the
 * same instant over a recorded history (the singleton invariant: at most 1).
 *
 * @example
 * maxConcurrentTasks(control.taskHistory(), 'portal-api') // 1 for stop-before-start
 */
export function maxConcurrentTasks(history: readonly TaskLifetime[], serviceName: string, clusterArn?: string): number {
  const intervals = history
    .filter((task) => task.serviceName === serviceName && (clusterArn === undefined || task.clusterArn === clusterArn))
    .map((task) => {
      const from = task.statuses[0]?.at ?? 0;
      const to = task.statuses.find((entry) => entry.status === 'STOPPED')?.at;
      return to === undefined ? { from } : { from, to };
    });
  return maxConcurrent(intervals);
}
