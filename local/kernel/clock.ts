/**
 * The emulator's time. `speed` > 1 makes modelled delays (task start-up,
 * backup duration) pass faster than wall time; tests use large speeds.
 */
export interface Clock {
  /** Emulated epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` emulated milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Runs `fn` after `ms` emulated milliseconds; returns a cancel function. */
  schedule(ms: number, fn: () => void): () => void;
  /** Changes the speed from now on. */
  setSpeed(speed: number): void;
  readonly speed: number;
}

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A clock that runs `speed` times faster than the wall clock, starting at the
 * wall clock's now. A speed change also applies to delays already scheduled:
 * each pending timer fires at its emulated due time under the new speed (a
 * 30 s emulated backup started at speed 1 ends 0.15 s of wall time after a
 * switch to 200, as the emulated timeline says).
 */
export function scaledClock(initialSpeed = 1, wallNow: () => number = Date.now): Clock {
  let speed = initialSpeed;
  let wallAnchor = wallNow();
  let emulatedAnchor = wallAnchor;
  const pending = new Set<{ due: number; fn: () => void; timer?: NodeJS.Timeout }>();
  const now = (): number => emulatedAnchor + (wallNow() - wallAnchor) * speed;
  const arm = (entry: { due: number; fn: () => void; timer?: NodeJS.Timeout }): void => {
    const wait = Math.max(0, (entry.due - now()) / speed);
    // setTimeout fires at once for delays beyond 2^31 - 1 ms (24.8 days): wait that long at most, then look again.
    entry.timer = wait > MAX_TIMER_MS
      ? setTimeout(() => arm(entry), MAX_TIMER_MS)
      // A wall timer may fire before the wall clock's millisecond ticks over (Date.now() has 1 ms steps, timers a monotonic clock):
      // at a high speed that is days of emulated time, so a timer that fires early looks again instead of running before it is due.
      : setTimeout(() => { if (now() < entry.due) { arm(entry); return; } pending.delete(entry); entry.fn(); }, wait);
    entry.timer.unref?.();
  };
  const schedule = (ms: number, fn: () => void): (() => void) => {
    const entry: { due: number; fn: () => void; timer?: NodeJS.Timeout } = { due: now() + ms, fn };
    pending.add(entry);
    arm(entry);
    return () => { clearTimeout(entry.timer); pending.delete(entry); };
  };
  return {
    now,
    schedule,
    sleep: (ms) => new Promise((resolve) => { schedule(ms, resolve); }),
    setSpeed: (next) => {
      if (!(next > 0)) throw new RangeError(`clock speed must be > 0, received ${next}`);
      emulatedAnchor = now();
      wallAnchor = wallNow();
      speed = next;
      for (const entry of pending) {
        clearTimeout(entry.timer);
        arm(entry);
      }
    },
    get speed() { return speed; },
  };
}
