/** The local ECS emulator: services, rolling deployments, circuit breaker, task events. */
export { startEcs } from './server';
export type { EcsOptions, EcsEmulator } from './server';
export type { EcsControl, DeploymentSnapshot } from './control';
export type { ImageResolver } from './scheduler';
export type { TaskTimings } from './task-lifecycle';
export { DEFAULT_TASK_TIMINGS } from './task-lifecycle';
export { maxConcurrentTasks } from './history';
export type { TaskLifetime } from './history';
export { circuitBreakerThreshold, deploymentBounds, planRolloutStep, maxConcurrent } from './rollout';
export type { DeploymentBounds, PlannedTask, RolloutInput, RolloutStep, TaskPhase, TaskInterval } from './rollout';
export { EcsEmulatorError, ECS_ERROR_TYPES } from './errors';
export type { EcsErrorCode } from './errors';
export type { TaskStatus, DeploymentStatus, RolloutState, PinnedContainer } from './types';
