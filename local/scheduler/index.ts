import type { DeadLetterSink } from '../kernel/dead-letters';
import type { Clock } from '../kernel/clock';
import type { EventSink } from '../kernel/events';
import { LocalScheduler } from './scheduler';
import { startSchedulerServer } from './server';

export * from './errors';
export * from './expressions';
export * from './model';
export * from './scheduler';
export * from './server';

/** The Scheduler emulator's control surface. */
export type SchedulerControl = LocalScheduler;

/** Options of {@link startScheduler}. */
export interface SchedulerOptions {
  readonly clock: Clock;
  readonly bus: EventSink;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** A wall-speed clock that callers compute `at(...)` instants with (`callersNow` of {@link LocalScheduler}). @default the emulator clock */
  readonly callersNow?: () => number;
  /** Where targets' dead-letter queues receive what the schedule gave up on. */
  readonly deadLetters?: DeadLetterSink;
}

/**
 * Starts the EventBridge Scheduler emulator on 127.0.0.1.
 *
 * @example
 * const scheduler = await startScheduler({ clock, bus });
 * new SchedulerClient({ endpoint: scheduler.url });
 */
export async function startScheduler(options: SchedulerOptions): Promise<{ url: string; control: SchedulerControl; stop(): Promise<void> }> {
  const scheduler = new LocalScheduler({ clock: options.clock, bus: options.bus, ...(options.callersNow ? { callersNow: options.callersNow } : {}), ...(options.deadLetters ? { deadLetters: options.deadLetters } : {}) });
  const server = await startSchedulerServer(scheduler, options.port ?? 0);
  return {
    url: server.url,
    control: scheduler,
    stop: async () => {
      scheduler.stop();
      // Executions already running (a function target) finish before the services they call go away.
      await scheduler.idle();
      await server.stop();
    },
  };
}
