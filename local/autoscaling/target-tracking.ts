/**
 * Pure target-tracking decisions (AWS docs "Target tracking scaling policies
 * for Application Auto Scaling"): capacity proportional to metric / target,
 * kept within the scalable target's bounds, with per-direction cooldowns.
 */

/** What one target-tracking evaluation needs. */
export interface TrackingInput {
  readonly current: number;
  readonly metric: number;
  readonly target: number;
  readonly min: number;
  readonly max: number;
}

/** ceil(current × metric / target), clamped to [min, max]. */
export function targetTrackingDesired(input: TrackingInput): number {
  const proportional = Math.ceil((input.current * input.metric) / input.target - 1e-9);
  return Math.min(input.max, Math.max(input.min, proportional));
}

/** The outcome of one evaluation. */
export type ScalingDecision = 'scale-out' | 'scale-in' | 'none' | 'cooldown' | 'scale-in-disabled';

/** What the cooldown check needs (times in emulated ms). */
export interface CooldownInput {
  readonly current: number;
  readonly proposed: number;
  readonly now: number;
  readonly lastScaleOutAt?: number;
  readonly lastScaleInAt?: number;
  readonly scaleOutCooldownMs: number;
  readonly scaleInCooldownMs: number;
  readonly disableScaleIn: boolean;
}

/**
 * Whether a proposed capacity may be applied now: scale-out waits for the
 * scale-out cooldown since the last scale-out, scale-in for the scale-in
 * cooldown since the last scale-in, and scale-in can be disabled.
 */
export function scalingDecision(input: CooldownInput): ScalingDecision {
  if (input.proposed === input.current) return 'none';
  if (input.proposed > input.current) {
    const waiting = input.lastScaleOutAt !== undefined && input.now - input.lastScaleOutAt < input.scaleOutCooldownMs;
    return waiting ? 'cooldown' : 'scale-out';
  }
  if (input.disableScaleIn) return 'scale-in-disabled';
  const waiting = input.lastScaleInAt !== undefined && input.now - input.lastScaleInAt < input.scaleInCooldownMs;
  return waiting ? 'cooldown' : 'scale-in';
}
