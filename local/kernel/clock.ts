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

/** A clock that runs `speed` times faster than the wall clock, starting at the wall clock's now. */
export function scaledClock(initialSpeed = 1, wallNow: () => number = Date.now): Clock {
  let speed = initialSpeed;
  let wallAnchor = wallNow();
  let emulatedAnchor = wallAnchor;
  const now = (): number => emulatedAnchor + (wallNow() - wallAnchor) * speed;
  const schedule = (ms: number, fn: () => void): (() => void) => {
    const timer = setTimeout(fn, Math.max(0, ms / speed));
    timer.unref?.();
    return () => clearTimeout(timer);
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
    },
    get speed() { return speed; },
  };
}
