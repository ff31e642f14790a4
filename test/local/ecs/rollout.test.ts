import { circuitBreakerThreshold, deploymentBounds, maxConcurrent, planRolloutStep } from '../../../local/ecs';
import type { PlannedTask, RolloutInput } from '../../../local/ecs';

describe('deploymentBounds (AWS docs "Deploy Amazon ECS services by replacing tasks": minimum rounded up, maximum rounded down)', () => {
  it.each([
    // desired, min%, max%, minimumHealthy, maximumTotal
    [4, 50, 200, 2, 8], // the docs' example: 50% of four may stop two
    [2, 75, 200, 2, 4], // the docs' example: 75% of two rounds up to two
    [1, 0, 100, 0, 1],
    [1, 100, 200, 1, 2],
    [3, 50, 150, 2, 4],
    [5, 33, 110, 2, 5],
    [0, 100, 200, 0, 0],
  ])('desired %i with %i/%i → min healthy %i, max total %i', (desired, min, max, minimumHealthy, maximumTotal) => {
    expect(deploymentBounds(desired, min, max)).toEqual({ minimumHealthy, maximumTotal });
  });
});

describe('circuitBreakerThreshold (AWS docs "How the Amazon ECS deployment circuit breaker detects failures": 0.5 × desired, min 3, max 200)', () => {
  it.each([[0, 3], [1, 3], [5, 3], [6, 3], [7, 4], [10, 5], [399, 200], [400, 200], [1000, 200]])('desired %i → %i', (desired, threshold) => {
    expect(circuitBreakerThreshold(desired)).toBe(threshold);
  });
});

const old = (id: string, phase: PlannedTask['phase'] = 'healthy'): PlannedTask => ({ id, primary: false, phase });
const fresh = (id: string, phase: PlannedTask['phase'] = 'starting'): PlannedTask => ({ id, primary: true, phase });
const input = (min: number, max: number, desired: number, tasks: PlannedTask[], allowStart = true): RolloutInput =>
  ({ desiredCount: desired, minimumHealthyPercent: min, maximumPercent: max, tasks, allowStart });

describe('planRolloutStep', () => {
  it.each<[string, RolloutInput, string[], number]>([
    ['0/100 ×1: the old task is stopped first, nothing starts', input(0, 100, 1, [old('a')]), ['a'], 0],
    ['0/100 ×1: nothing starts while the old task is still stopping', input(0, 100, 1, [old('a', 'stopping')]), [], 0],
    ['0/100 ×1: the new task starts once the old one is STOPPED', input(0, 100, 1, []), [], 1],
    ['100/200 ×1: the new task starts before the old one stops', input(100, 200, 1, [old('a')]), [], 1],
    ['100/200 ×1: the old task stays while the new one is not healthy', input(100, 200, 1, [old('a'), fresh('b')]), [], 0],
    ['100/200 ×1: the old task stops once the new one is healthy', input(100, 200, 1, [old('a'), fresh('b', 'healthy')]), ['a'], 0],
    ['50/200 ×4: two old tasks stop and four new start', input(50, 200, 4, [old('a'), old('b'), old('c'), old('d')]), ['a', 'b'], 4],
    ['100/100 ×1 cannot make progress', input(100, 100, 1, [old('a')]), [], 0],
    ['an old task that is not healthy yet is always stopped', input(100, 200, 2, [old('a', 'starting'), old('b'), fresh('c', 'healthy')]), ['a'], 1],
    ['scale in stops starting primary tasks before healthy ones', input(100, 200, 1, [fresh('a', 'healthy'), fresh('b')]), ['b'], 0],
    ['scale out within the maximum', input(100, 200, 4, [fresh('a', 'healthy'), fresh('b', 'healthy')]), [], 2],
    ['a failed primary launches nothing and keeps the old tasks', input(0, 100, 1, [old('a')], false), [], 0],
    ['steady state: nothing to do', input(0, 100, 1, [fresh('a', 'healthy')]), [], 0],
  ])('%s', (_name, rollout, stop, start) => {
    expect(planRolloutStep(rollout)).toEqual({ stop, start });
  });

  it('never plans more non-STOPPED tasks than the maximum allows', () => {
    for (let desired = 0; desired <= 6; desired += 1) {
      for (const [min, max] of [[0, 100], [50, 200], [100, 200], [100, 150]] as const) {
        const tasks = Array.from({ length: desired }, (_, i) => old(`o${i}`));
        const step = planRolloutStep(input(min, max, desired, tasks));
        expect(tasks.length + step.start).toBeLessThanOrEqual(Math.max(tasks.length, Math.floor((desired * max) / 100)));
      }
    }
  });
});

describe('maxConcurrent', () => {
  it.each<[string, { from: number; to?: number }[], number]>([
    ['no tasks', [], 0],
    ['one task', [{ from: 0, to: 5 }], 1],
    ['stop-before-start: a stop at the same instant as a start does not overlap', [{ from: 0, to: 5 }, { from: 5, to: 9 }], 1],
    ['start-before-stop overlaps', [{ from: 0, to: 6 }, { from: 5, to: 9 }], 2],
    ['a task that never stopped', [{ from: 0 }, { from: 3, to: 4 }, { from: 10 }], 2],
  ])('%s', (_name, intervals, peak) => {
    expect(maxConcurrent(intervals)).toBe(peak);
  });
});
