/**
 * Pure decisions of the emulated ECS service scheduler: how many tasks a
 * rolling update may start or stop, and when the circuit breaker trips.
 * Source: AWS docs "Deploy Amazon ECS services by replacing tasks" and
 * "How the Amazon ECS deployment circuit breaker detects failures".
 */

/** Lower and upper task limits of a rolling update. */
export interface DeploymentBounds {
  /** Tasks that must stay RUNNING and healthy: desired × minimumHealthyPercent / 100, rounded up. */
  readonly minimumHealthy: number;
  /** Tasks allowed to exist (not STOPPED): desired × maximumPercent / 100, rounded down. */
  readonly maximumTotal: number;
}

/** The limits ECS derives from the deployment configuration (docs: minimum rounded up, maximum rounded down). */
export function deploymentBounds(desiredCount: number, minimumHealthyPercent: number, maximumPercent: number): DeploymentBounds {
  return {
    minimumHealthy: Math.max(0, Math.ceil((desiredCount * minimumHealthyPercent) / 100 - 1e-9)),
    maximumTotal: Math.floor((desiredCount * maximumPercent) / 100 + 1e-9),
  };
}

/**
 * The circuit breaker's failure threshold for the default BOUNDED_PERCENT 50
 * configuration: min(max(ceil(0.5 × desired), 3), 200).
 */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(Math.max(Math.ceil(0.5 * desiredCount), 3), 200);
}

/** Where a task is in its life, as the scheduler sees it. */
export type TaskPhase = 'starting' | 'healthy' | 'stopping';

/** One task that is not STOPPED yet. */
export interface PlannedTask {
  readonly id: string;
  /** Belongs to the PRIMARY deployment. */
  readonly primary: boolean;
  readonly phase: TaskPhase;
}

/** What the scheduler knows when it takes one step. */
export interface RolloutInput {
  readonly desiredCount: number;
  readonly minimumHealthyPercent: number;
  readonly maximumPercent: number;
  /** Every task of the service that is not STOPPED, of every deployment. */
  readonly tasks: readonly PlannedTask[];
  /** False when the PRIMARY deployment failed and nothing may be launched for it. */
  readonly allowStart: boolean;
}

/** One scheduler step: tasks to stop now and how many PRIMARY tasks to launch now. */
export interface RolloutStep {
  readonly stop: readonly string[];
  readonly start: number;
}

const stopPreference: Record<TaskPhase, number> = { stopping: 0, starting: 1, healthy: 2 };

/**
 * Decides one step of a rolling update. Tasks that are stopping still count
 * against `maximumTotal` until they are STOPPED, so 0/100 with desired 1
 * stops the old task and only launches the new one once it is gone, and
 * 100/200 launches the new task first and stops the old one once the new
 * one is healthy.
 */
export function planRolloutStep(input: RolloutInput): RolloutStep {
  const { minimumHealthy, maximumTotal } = deploymentBounds(input.desiredCount, input.minimumHealthyPercent, input.maximumPercent);
  const live = input.tasks.filter((task) => task.phase !== 'stopping');
  const ordered = [...live].sort((a, b) => stopPreference[a.phase] - stopPreference[b.phase]);
  const primary = ordered.filter((task) => task.primary);
  const excess = primary.slice(0, Math.max(0, primary.length - input.desiredCount));
  const stop = excess.map((task) => task.id);
  let healthy = live.filter((task) => task.phase === 'healthy' && !stop.includes(task.id)).length;
  if (input.allowStart) {
    for (const task of ordered.filter((candidate) => !candidate.primary)) {
      if (task.phase !== 'healthy') stop.push(task.id);
      else if (healthy - 1 >= minimumHealthy) {
        stop.push(task.id);
        healthy -= 1;
      }
    }
  }
  const primaryAfter = primary.length - excess.length;
  const room = maximumTotal - input.tasks.length;
  const start = input.allowStart ? Math.max(0, Math.min(input.desiredCount - primaryAfter, room)) : 0;
  return { stop, start };
}

/** One task's life as the history keeps it, reduced to what the overlap count needs. */
export interface TaskInterval {
  /** When the task was created (PROVISIONING), emulated epoch ms. */
  readonly from: number;
  /** When it reached STOPPED, or undefined while it is not STOPPED. */
  readonly to?: number;
}

/**
 * The largest number of tasks that were not STOPPED at the same instant.
 * A task that stops at the instant another is created does not overlap it.
 */
export function maxConcurrent(intervals: readonly TaskInterval[]): number {
  const edges = intervals.flatMap((interval) => [
    { at: interval.from, delta: 1 },
    ...(interval.to === undefined ? [] : [{ at: interval.to, delta: -1 }]),
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let peak = 0;
  for (const edge of edges) {
    current += edge.delta;
    peak = Math.max(peak, current);
  }
  return peak;
}
