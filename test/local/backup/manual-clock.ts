import type { Clock } from '../../../local/kernel/clock';

/** A clock that only moves when the test says so: timers fire in order as it advances. */
export class ManualClock implements Clock {
  private current = Date.UTC(2026, 0, 1);
  private timers: { at: number; fn: () => void }[] = [];
  readonly speed = 1;

  now(): number {
    return this.current;
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer = { at: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return () => { this.timers = this.timers.filter((t) => t !== timer); };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => { this.schedule(ms, resolve); });
  }

  setSpeed(): void {
    // a manual clock has no speed
  }

  /** Timers waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > until) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.at;
      next.fn();
    }
    this.current = until;
  }
}

/** Lets pending I/O and promise callbacks run. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
