import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock';
import type { AwsEvent, EventSink } from '../kernel/events';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../kernel/events';
import type { DeadLetterSink } from '../kernel/dead-letters';
import { DuplicateNameError, UnknownTargetError, WaitTimeoutError } from './errors';
import type { EventPattern } from './pattern';
import { matchesPattern } from './pattern';
import { parseRate, retryDelay } from './schedule';
import { waitForItem } from '../kernel/wait';

/** An in-process function that receives events, registered by id (`build-image`). */
export type TargetHandler = (event: AwsEvent) => unknown;

/** A rule: events matching `pattern` go to the target `targetId`. */
export interface BusRule {
  readonly name: string;
  readonly description?: string;
  readonly pattern: EventPattern;
  readonly targetId: string;
  /** Retries after the first failed delivery, then the event is dead-lettered. @default 8 */
  readonly retryAttempts?: number;
  /** The target's `RetryPolicy.MaximumEventAgeInSeconds`: no retry once the event is older (emulated time). @default no limit (24 hours on AWS) */
  readonly maxEventAgeSeconds?: number;
  /** The target's `DeadLetterConfig.Arn`: gets the event once delivery is given up. */
  readonly deadLetterArn?: string;
  /** The target's ARN, for the dead letter's `TARGET_ARN`. @default the target id */
  readonly targetArn?: string;
}

/** A scheduled rule: a `Scheduled Event` goes to the target every period (or when fired by hand). */
export interface BusSchedule {
  readonly name: string;
  /** `rate(...)` runs through the clock; any other expression (cron) only fires by hand. */
  readonly expression: string;
  readonly targetId: string;
  readonly retryAttempts?: number;
}

/** One delivery of one event to one target. */
export interface Delivery {
  readonly rule: string;
  readonly target: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'dead-lettered';
  error?: string;
  result?: unknown;
}

/** One event as the bus received it, with where it went. */
export interface TimelineEntry {
  readonly event: AwsEvent;
  readonly deliveries: readonly Delivery[];
}

/** Options of {@link LocalBus}. */
export interface LocalBusOptions {
  readonly clock: Clock;
  /** First retry delay (emulated ms); doubles per retry. @default 1000 */
  readonly retryBaseMs?: number;
  /** Longest retry delay (emulated ms). @default 60000 */
  readonly retryMaxMs?: number;
  /**
   * Wall-clock floor of the first retry delay, doubling per retry up to 8
   * times this: a fast clock shortens the emulated back-off to nothing, yet a
   * target that waits for another event (a backup job's first event) needs
   * real time for it to be delivered, more so on a loaded machine.
   * @default 0 (the emulated back-off only)
   */
  readonly retryMinWallMs?: number;
  /** Where events of rules with a dead-letter queue go once delivery is given up. */
  readonly deadLetters?: DeadLetterSink;
}

type EventInput = Parameters<EventSink['put']>[0];

/**
 * The emulator's EventBridge bus: every event is recorded on a timeline,
 * matched against the rules, and delivered asynchronously to in-process
 * targets with retries through the clock; `rate(...)` schedules run through
 * the clock too.
 *
 * @example
 * const bus = new LocalBus({ clock: scaledClock(100) });
 * bus.registerTarget('build-image', buildImage);
 * bus.addRule({ name: 'config-uploaded', pattern: configUploadedPattern('cfg'), targetId: 'build-image' });
 */
export class LocalBus implements EventSink {
  private readonly clock: Clock;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly retryMinWallMs: number;
  private readonly deadLetters: DeadLetterSink | undefined;
  private readonly rules = new Map<string, BusRule>();
  private readonly schedules = new Map<string, BusSchedule & { cancel: () => void }>();
  private readonly targets = new Map<string, TargetHandler>();
  private readonly entries: TimelineEntry[] = [];
  private readonly listeners = new Set<(event: AwsEvent) => void>();
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<{ cancel: () => void; wake: () => void }>();
  private stopped = false;

  constructor(options: LocalBusOptions) {
    this.clock = options.clock;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.retryMaxMs = options.retryMaxMs ?? 60_000;
    this.retryMinWallMs = options.retryMinWallMs ?? 0;
    this.deadLetters = options.deadLetters;
  }

  /** Every event received so far, in order, with its deliveries. */
  get timeline(): readonly TimelineEntry[] {
    return this.entries;
  }

  /** Registers the function that receives the events of rules naming `id`. */
  registerTarget(id: string, handler: TargetHandler): void {
    if (this.targets.has(id)) throw new DuplicateNameError('target', id);
    this.targets.set(id, handler);
  }

  /** Adds a rule; its target must be registered by the time an event matches. */
  addRule(rule: BusRule): void {
    if (this.rules.has(rule.name) || this.schedules.has(rule.name)) throw new DuplicateNameError('rule', rule.name);
    matchesPattern(rule.pattern, {}); // refuses a malformed pattern now, as PutRule does
    this.rules.set(rule.name, rule);
  }

  /** DeleteRule: removes a rule (or scheduled rule); false when there was none. */
  removeRule(name: string): boolean {
    const schedule = this.schedules.get(name);
    schedule?.cancel();
    return this.schedules.delete(name) || this.rules.delete(name);
  }

  /** Unregisters a target's function (its rules then fail delivery, as a deleted function does). */
  unregisterTarget(id: string): void {
    this.targets.delete(id);
  }

  /** Adds a scheduled rule; `rate(...)` expressions start running through the clock. */
  addSchedule(schedule: BusSchedule): void {
    if (this.rules.has(schedule.name) || this.schedules.has(schedule.name)) throw new DuplicateNameError('rule', schedule.name);
    const period = schedule.expression.startsWith('rate(') ? parseRate(schedule.expression) : undefined;
    let cancel = (): void => undefined;
    const tick = (): void => {
      if (this.stopped || period === undefined) return;
      cancel = this.clock.schedule(period, () => { this.fireSchedule(schedule.name); tick(); });
    };
    this.schedules.set(schedule.name, { ...schedule, cancel: () => cancel() });
    tick();
  }

  /** Puts the `Scheduled Event` of a scheduled rule on the bus now, as EventBridge does at each period. */
  fireSchedule(name: string): AwsEvent {
    const schedule = this.schedules.get(name);
    if (!schedule) throw new UnknownTargetError(`schedule ${name}`, [...this.schedules.keys()]);
    const event = this.record({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${name}`],
      detail: {},
    });
    this.deliverAll(event, [{ name, targetId: schedule.targetId, retryAttempts: schedule.retryAttempts }]);
    return event;
  }

  /** Puts an event on the bus: recorded now, delivered asynchronously to every matching rule's target. */
  put(input: EventInput): AwsEvent {
    const event = this.record(input);
    const matched = [...this.rules.values()].filter((rule) => matchesPattern(rule.pattern, event));
    this.deliverAll(event, matched);
    return event;
  }

  /**
   * Resolves with the first event (already on the timeline, or still to come)
   * that satisfies `predicate`; rejects after `timeoutMs` of wall time.
   */
  waitFor(predicate: (event: AwsEvent) => boolean, timeoutMs = 10_000, description = 'the predicate'): Promise<AwsEvent> {
    return waitForItem({ find: (p) => this.entries.find((entry) => p(entry.event))?.event, listeners: this.listeners }, predicate, timeoutMs, () => new WaitTimeoutError(description, timeoutMs));
  }

  /** Resolves when no delivery is in flight or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Cancels schedules and pending retries; events put afterwards are still recorded. */
  stop(): void {
    this.stopped = true;
    for (const schedule of this.schedules.values()) schedule.cancel();
    for (const timer of [...this.timers]) {
      timer.cancel();
      timer.wake();
    }
    this.timers.clear();
  }

  private record(input: EventInput): AwsEvent {
    const event: AwsEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': input['detail-type'],
      source: input.source,
      account: LOCAL_ACCOUNT,
      // The envelope's time has whole seconds ("2020-05-23T12:31:14Z" in every AWS example event), whatever precision the service gave.
      time: (input.time ?? new Date(this.clock.now()).toISOString()).replace(/\.\d+Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: [...input.resources],
      detail: input.detail,
    };
    this.entries.push({ event, deliveries: [] });
    for (const listener of [...this.listeners]) listener(event);
    return event;
  }

  private deliverAll(event: AwsEvent, routes: readonly Pick<BusRule, 'name' | 'targetId' | 'retryAttempts' | 'maxEventAgeSeconds' | 'deadLetterArn' | 'targetArn'>[]): void {
    const entry = this.entries[this.entries.length - 1]!;
    for (const route of routes) {
      const delivery: Delivery = { rule: route.name, target: route.targetId, attempts: 0, status: 'pending' };
      (entry.deliveries as Delivery[]).push(delivery);
      const done = this.deliver(event, delivery, route).finally(() => this.pending.delete(done));
      this.pending.add(done);
    }
  }

  private async deliver(event: AwsEvent, delivery: Delivery, route: Pick<BusRule, 'retryAttempts' | 'maxEventAgeSeconds' | 'deadLetterArn' | 'targetArn'>): Promise<void> {
    await Promise.resolve(); // asynchronous, as on AWS: never inside the caller's put()
    const retryAttempts = route.retryAttempts ?? 8;
    const firstTry = this.clock.now();
    const maxAgeMs = route.maxEventAgeSeconds === undefined ? Infinity : route.maxEventAgeSeconds * 1000;
    for (;;) {
      delivery.attempts += 1;
      try {
        const handler = this.targets.get(delivery.target);
        if (!handler) throw new UnknownTargetError(delivery.target, [...this.targets.keys()]);
        delivery.result = await handler(event);
        delivery.status = 'delivered';
        delete delivery.error;
        return;
      } catch (error) {
        delivery.error = error instanceof Error ? error.message : String(error);
        if (delivery.attempts > retryAttempts || this.stopped) {
          this.deadLetter(event, delivery, route, 'MaximumRetryAttemptsExhausted');
          return;
        }
      }
      const delay = retryDelay(delivery.attempts, this.retryBaseMs, this.retryMaxMs);
      if (this.clock.now() + delay - firstTry > maxAgeMs) {
        this.deadLetter(event, delivery, route, 'MaximumEventAgeExceeded');
        return;
      }
      const wallFloor = this.retryMinWallMs > 0 ? retryDelay(delivery.attempts, this.retryMinWallMs, this.retryMinWallMs * 8) : 0;
      await this.sleep(delay, wallFloor);
      if (this.stopped) {
        delivery.status = 'dead-lettered';
        return;
      }
    }
  }

  /**
   * Gives a delivery up. With a dead-letter queue on the target, the event goes
   * there with the attributes EventBridge sets ("Using dead-letter queues to
   * process undelivered events", EventBridge User Guide).
   */
  private deadLetter(event: AwsEvent, delivery: Delivery, route: Pick<BusRule, 'deadLetterArn' | 'targetArn'>, condition: string): void {
    delivery.status = 'dead-lettered';
    if (!route.deadLetterArn || !this.deadLetters) return;
    this.deadLetters.put({
      destination: route.deadLetterArn, source: 'eventbridge-target', body: event, at: this.clock.now(),
      attributes: {
        ERROR_CODE: 'TargetInvocationFailed', ERROR_MESSAGE: delivery.error ?? '', EXHAUSTED_RETRY_CONDITION: condition,
        RETRY_ATTEMPTS: String(delivery.attempts - 1), RULE_ARN: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${delivery.rule.split('/')[0]!}`, TARGET_ARN: route.targetArn ?? delivery.target,
      },
    });
  }

  /** Resolves once `ms` emulated and at least `wallMs` wall milliseconds passed (or the bus stopped). */
  private sleep(ms: number, wallMs = 0): Promise<void> {
    return new Promise((resolve) => {
      let waiting = wallMs > 0 ? 2 : 1;
      const timer = { cancel: (): void => undefined, wake: resolve };
      const done = (): void => {
        waiting -= 1;
        if (waiting > 0) return;
        this.timers.delete(timer);
        resolve();
      };
      const cancelClock = this.clock.schedule(ms, done);
      const wall = wallMs > 0 ? setTimeout(done, wallMs) : undefined;
      wall?.unref();
      timer.cancel = () => { cancelClock(); if (wall) clearTimeout(wall); };
      this.timers.add(timer);
    });
  }
}
