import { scalingDecision, targetTrackingDesired } from '../../../local/autoscaling';
import type { CooldownInput } from '../../../local/autoscaling';

describe('targetTrackingDesired (AWS docs "Target tracking scaling policies for Application Auto Scaling")', () => {
  it.each([
    // current, metric, target, min, max, desired
    [2, 90, 50, 2, 10, 4], // ceil(3.6)
    [2, 50, 50, 2, 10, 2], // on target
    [4, 20, 50, 2, 10, 2], // ceil(1.6) = 2
    [4, 10, 50, 2, 10, 2], // ceil(0.8) clamped to min
    [8, 100, 50, 2, 10, 10], // 16 clamped to max
    [3, 70, 70, 1, 5, 3],
    [3, 1000, 500, 1, 5, 5], // requests per target
    [0, 90, 50, 2, 10, 2], // nothing running yet: the minimum
  ])('current %i, metric %d, target %d, bounds %i..%i → %i', (current, metric, target, min, max, desired) => {
    expect(targetTrackingDesired({ current, metric, target, min, max })).toBe(desired);
  });
});

describe('scalingDecision (cooldowns per direction, DisableScaleIn)', () => {
  const base: CooldownInput = { current: 2, proposed: 4, now: 1_000_000, scaleOutCooldownMs: 60_000, scaleInCooldownMs: 300_000, disableScaleIn: false };
  it.each<[string, Partial<CooldownInput>, string]>([
    ['same capacity', { proposed: 2 }, 'none'],
    ['first scale-out', {}, 'scale-out'],
    ['scale-out inside the scale-out cooldown', { lastScaleOutAt: 1_000_000 - 59_999 }, 'cooldown'],
    ['scale-out after the scale-out cooldown', { lastScaleOutAt: 1_000_000 - 60_000 }, 'scale-out'],
    ['scale-out is not held by a recent scale-in', { lastScaleInAt: 1_000_000 - 1 }, 'scale-out'],
    ['scale-in inside the scale-in cooldown', { proposed: 1, lastScaleInAt: 1_000_000 - 299_999 }, 'cooldown'],
    ['scale-in after the scale-in cooldown', { proposed: 1, lastScaleInAt: 1_000_000 - 300_000 }, 'scale-in'],
    ['scale-in disabled', { proposed: 1, disableScaleIn: true }, 'scale-in-disabled'],
  ])('%s', (_name, change, decision) => {
    expect(scalingDecision({ ...base, ...change })).toBe(decision);
  });
});
