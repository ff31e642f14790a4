import { scaledClock } from '../../../local/kernel/clock';

// Wall time is jest's fake clock: each test moves it by exact amounts, so no assertion depends on how busy the machine is.
describe('scaledClock', () => {
  beforeEach(() => { jest.useFakeTimers({ now: 1_700_000_000_000 }); });
  afterEach(() => { jest.useRealTimers(); });

  it('runs speed times faster than the wall clock', () => {
    const clock = scaledClock(1000);
    const start = clock.now();
    jest.advanceTimersByTime(20);
    expect(clock.now() - start).toBe(20_000);
  });

  it('a speed change applies to delays already scheduled: a 10 s emulated sleep from speed 1 ends 0.1 ms of wall time after a switch to 1e5', async () => {
    const clock = scaledClock(1);
    let woke = false;
    const slept = clock.sleep(10_000).then(() => { woke = true; });
    jest.advanceTimersByTime(5);
    clock.setSpeed(1e5);
    // 5 ms at speed 1 passed 5 emulated ms; the 9 995 ms left take 0.1 ms of wall time at 1e5.
    await jest.advanceTimersByTimeAsync(1);
    expect(woke).toBe(true);
    await slept;
  });

  it('slowing down postpones pending timers by the same emulated due time; cancel still cancels', () => {
    const clock = scaledClock(1e4);
    const fired: string[] = [];
    clock.schedule(5_000, () => fired.push('slow'));
    const cancel = clock.schedule(1, () => fired.push('cancelled'));
    cancel();
    clock.setSpeed(1);
    jest.advanceTimersByTime(4_999);
    expect(fired).toEqual([]);
    clock.setSpeed(1e6);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual(['slow']);
  });

  it('a delay beyond what setTimeout can hold (35 days at speed 1) waits instead of firing at once, and fires once the clock catches up', () => {
    const clock = scaledClock(1);
    const fired: string[] = [];
    clock.schedule(35 * 24 * 3600 * 1000, () => fired.push('retention'));
    jest.advanceTimersByTime(30);
    expect(fired).toEqual([]);
    clock.setSpeed(1e9);
    // 35 days at 1e9 is 3.024 ms of wall time.
    jest.advanceTimersByTime(4);
    expect(fired).toEqual(['retention']);
  });

  it('a wall timer that fires before the wall clock has ticked does not run an emulated timer early (40 days at 1e10 is 0.35 ms)', () => {
    let wall = 1_700_000_000_000;
    const clock = scaledClock(1e10, () => wall);
    const fired: string[] = [];
    clock.schedule(40 * 86_400_000, () => fired.push('expiry'));
    // The timer's millisecond passes while Date.now() still reads the same millisecond: no emulated time has passed.
    jest.advanceTimersByTime(2);
    expect([fired, clock.now()]).toEqual([[], wall]);
    wall += 1;
    jest.advanceTimersByTime(2);
    expect(fired).toEqual(['expiry']);
  });

  it('refuses a speed that is not positive', () => {
    expect(() => scaledClock().setSpeed(0)).toThrow(/must be > 0, received 0/);
  });
});
