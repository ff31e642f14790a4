/** The local Application Auto Scaling emulator: ECS scalable targets and target tracking driven by simulated load. */
export { startAutoScaling } from './server';
export type { AutoScalingOptions, AutoScalingControl, AutoScalingEmulator } from './server';
export type { EcsScalingPort, SimulatedLoad, SimulatedScaling, PredefinedMetric } from './scaling-state';
export { targetTrackingDesired, scalingDecision } from './target-tracking';
export type { TrackingInput, CooldownInput, ScalingDecision } from './target-tracking';
export { AutoScalingEmulatorError, AAS_ERROR_TYPES } from './errors';
export type { AutoScalingErrorCode } from './errors';
export { DEFAULT_COOLDOWN_SECONDS } from './api';
