import { scaledClock } from '../../../local/kernel/clock';

describe('scaledClock', () => {
  it('runs speed times faster than the wall clock', async () => {
    const clock = scaledClock(1000);
    const start = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(clock.now() - start).toBeGreaterThanOrEqual(15_000);
  });

  it('a speed change applies to delays already scheduled: a 10 s emulated sleep from speed 1 ends soon after a switch to 1e5', async () => {
    const clock = scaledClock(1);
    const started = Date.now();
    const slept = clock.sleep(10_000);
    clock.setSpeed(1e5);
    await slept;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('slowing down postpones pending timers by the same emulated due time; cancel still cancels', async () => {
    const clock = scaledClock(1e4);
    const fired: string[] = [];
    clock.schedule(5_000, () => fired.push('slow'));
    const cancel = clock.schedule(1, () => fired.push('cancelled'));
    cancel();
    clock.setSpeed(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fired).toEqual([]);
    clock.setSpeed(1e6);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toEqual(['slow']);
  });

  it('a delay beyond what setTimeout can hold (35 days at speed 1) waits instead of firing at once, and fires once the clock catches up', async () => {
    const clock = scaledClock(1);
    const fired: string[] = [];
    clock.schedule(35 * 24 * 3600 * 1000, () => fired.push('retention'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toEqual([]);
    clock.setSpeed(1e9);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toEqual(['retention']);
  });

  it('refuses a speed that is not positive', () => {
    expect(() => scaledClock().setSpeed(0)).toThrow(/must be > 0, received 0/);
  });
});
