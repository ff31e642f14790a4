import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock';
import type { DeadLetterSink } from '../kernel/dead-letters';
import { FunctionError } from './functions';

/**
 * A function's asynchronous invocation settings: `AWS::Lambda::EventInvokeConfig`
 * and the function's own `DeadLetterConfig`.
 */
export interface AsyncInvokeConfig {
  /** Retries after a function error. @default 2 (0 to 2 on AWS) */
  readonly maximumRetryAttempts: number;
  /** How long an event may wait in the queue before Lambda discards it. @default 21600 (6 hours) */
  readonly maximumEventAgeSeconds: number;
  /** `DestinationConfig.OnFailure.Destination`. */
  readonly onFailure?: string;
  /** `DestinationConfig.OnSuccess.Destination`. */
  readonly onSuccess?: string;
  /** The function's `DeadLetterConfig.TargetArn`. */
  readonly deadLetterArn?: string;
}

/** One asynchronous invocation, from the queue to its outcome. */
export interface AsyncInvocation {
  readonly requestId: string;
  readonly functionName: string;
  readonly event: unknown;
  readonly queuedAt: number;
  attempts: number;
  status: 'queued' | 'succeeded' | 'failed' | 'expired';
  error?: string;
}

/** Options of {@link AsyncInvoker}. */
export interface AsyncInvokerOptions {
  readonly clock: Clock;
  /** Runs the function once (synchronously); rejects with a {@link FunctionError}. */
  readonly run: (name: string, event: unknown) => Promise<unknown>;
  /** The function's ARN, or undefined when no such function exists. */
  readonly functionArn: (name: string) => string | undefined;
  /** Where dead-letter messages and failure records go. */
  readonly deadLetters: DeadLetterSink;
}

/** Concurrent executions per account and Region by default ("Lambda quotas", AWS Lambda Developer Guide). */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

/** Concurrency Lambda keeps unreserved for the functions without a reservation ("Configuring reserved concurrency"). */
export const MIN_UNRESERVED_CONCURRENCY = 100;

/** An event waiting for an execution: resumed with `run`, or told its maximum age passed while it waited. */
interface Waiting {
  readonly name: string;
  readonly resume: (outcome: 'run' | 'expired') => void;
}

/** Waits between attempts after a function error: one minute, then two ("How Lambda handles errors and retries with asynchronous invocation"). */
const RETRY_WAITS_MS = [60_000, 120_000];
const DEFAULTS: AsyncInvokeConfig = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 };

/**
 * Lambda's asynchronous invocation (InvocationType `Event`), which EventBridge
 * rules and Scheduler use for Lambda targets: the event is queued and the call
 * succeeds at once (202); a function error is retried by Lambda, two more
 * times by default with a one-minute then a two-minute wait on the emulator
 * clock, fewer with `MaximumRetryAttempts`; an event older than
 * `MaximumEventAgeInSeconds` is discarded. Then the function's dead-letter
 * queue gets the event (attributes `RequestID`, `ErrorCode`, `ErrorMessage`)
 * and its on-failure destination gets an invocation record ("Capturing
 * records of Lambda asynchronous invocations", AWS Lambda Developer Guide).
 *
 * @example
 * const lambda = new AsyncInvoker({ clock, run: (n, e) => functions.invoke(n, e), functionArn, deadLetters });
 * lambda.configure('build-image', { maximumRetryAttempts: 2, onFailure: queueArn });
 * lambda.invoke('build-image', event); // { StatusCode: 202 }
 */
export class AsyncInvoker {
  private readonly configs = new Map<string, Partial<AsyncInvokeConfig>>();
  private readonly log: AsyncInvocation[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly waits = new Set<() => void>();
  private stopped = false;
  private concurrency = DEFAULT_ACCOUNT_CONCURRENCY;
  private executing = 0;
  /** Executions now, per function. */
  private readonly executingBy = new Map<string, number>();
  /** Reserved concurrency per function (`ReservedConcurrentExecutions`, PutFunctionConcurrency). */
  private readonly reserved = new Map<string, number>();
  private readonly throttled: Waiting[] = [];
  /** Invocations (by request id) queued for an execution or running an attempt, with whoever waits for that to end. */
  private readonly computing = new Map<string, (() => void)[]>();

  constructor(private readonly options: AsyncInvokerOptions) {}

  /**
   * Sets the account's concurrency quota (new accounts get less than the default 1,000). Events beyond it
   * stay in the asynchronous queue until an execution ends, as Lambda keeps throttled asynchronous events
   * and retries them within their maximum event age ("Asynchronous invocation", AWS Lambda Developer Guide).
   */
  setAccountConcurrency(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`account concurrency: received ${limit}, expected an integer >= 1`);
    this.concurrency = limit;
    this.drain();
  }

  /**
   * Reserves concurrency for a function (`ReservedConcurrentExecutions`), or removes the reservation
   * (`undefined`). The function never runs more executions at once than it reserved (0 stops it: its events
   * wait until their maximum age), and its executions no longer count against the pool the other functions
   * share. Refused, as Lambda refuses it, when less than {@link MIN_UNRESERVED_CONCURRENCY} of the account's
   * quota would stay unreserved ("Configuring reserved concurrency for a function", AWS Lambda Developer Guide),
   * or less than the whole quota when that is smaller: on a new account with a quota of 10, every reservation
   * but 0 is.
   *
   * @throws {FunctionError} `InvalidParameterValueException` with Lambda's message.
   */
  setReservedConcurrency(name: string, limit: number | undefined): void {
    if (limit === undefined) {
      this.reserved.delete(name);
      this.drain();
      return;
    }
    if (!Number.isInteger(limit) || limit < 0) throw new FunctionError(name, 'InvalidParameterValueException', `ReservedConcurrentExecutions must be an integer >= 0; received ${limit}`, '');
    const others = [...this.reserved].reduce((sum, [fn, n]) => (fn === name ? sum : sum + n), 0);
    // An account whose whole quota is below 100 keeps all of it unreserved (the error then names the quota: [10], [50]).
    const minimum = Math.min(MIN_UNRESERVED_CONCURRENCY, this.concurrency);
    if (this.concurrency - others - limit < minimum) {
      throw new FunctionError(name, 'InvalidParameterValueException', `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}].`, '');
    }
    this.reserved.set(name, limit);
    this.drain();
  }

  /** A function's reserved concurrency, or undefined when it has none. */
  reservedConcurrency(name: string): number | undefined {
    return this.reserved.get(name);
  }

  /** Concurrent executions now, and events waiting for one. */
  get load(): { readonly executing: number; readonly throttled: number } {
    return { executing: this.executing, throttled: this.throttled.length };
  }

  /** Sets (merges) a function's asynchronous settings; `undefined` fields fall back to Lambda's defaults. */
  configure(name: string, config: Partial<AsyncInvokeConfig>): void {
    this.configs.set(name, { ...this.configs.get(name), ...config });
  }

  /** Removes the EventInvokeConfig part of a function's settings (its dead-letter queue stays with the function). */
  removeInvokeConfig(name: string): void {
    const deadLetterArn = this.configs.get(name)?.deadLetterArn;
    this.configs.delete(name);
    if (deadLetterArn !== undefined) this.configs.set(name, { deadLetterArn });
  }

  /** The settings a new invocation of the function gets. */
  config(name: string): AsyncInvokeConfig {
    return { ...DEFAULTS, ...stripUndefined(this.configs.get(name) ?? {}) };
  }

  /** Every asynchronous invocation so far (of one function), oldest first. */
  invocations(name?: string): readonly AsyncInvocation[] {
    return name === undefined ? [...this.log] : this.log.filter((i) => i.functionName === name);
  }

  /**
   * Invoke with InvocationType `Event`: queues the event and answers 202; only
   * a function that does not exist fails the call (the caller's own retry
   * policy, EventBridge's or Scheduler's, applies to that).
   */
  invoke(name: string, event: unknown): { StatusCode: 202; requestId: string } {
    if (this.stopped) throw new FunctionError(name, 'ServiceException', 'the local Lambda service has stopped', '');
    if (!this.options.functionArn(name)) throw new FunctionError(name, 'ResourceNotFoundException', `Function not found: ${name}`, '');
    const invocation: AsyncInvocation = { requestId: randomUUID(), functionName: name, event, queuedAt: this.options.clock.now(), attempts: 0, status: 'queued' };
    this.log.push(invocation);
    this.compute(invocation.requestId, true);
    const done = this.process(invocation).finally(() => { this.compute(invocation.requestId, false); this.pending.delete(done); });
    this.pending.add(done);
    return { StatusCode: 202, requestId: invocation.requestId };
  }

  /**
   * Resolves once the invocation (its `requestId` from {@link invoke}) neither runs an attempt nor waits in the
   * queue for an execution: it waits for a retry, or has its outcome. Those two take wall time (the function's
   * own work, or other functions' executions), a retry wait emulated time; a caller's deadline on the emulated
   * clock (CloudFormation's ServiceTimeout) is met only then, as no attempt here is as long as the deadline.
   */
  betweenAttempts(requestId: string): Promise<void> {
    const waiters = this.computing.get(requestId);
    if (!waiters) return Promise.resolve();
    return new Promise((resolve) => { waiters.push(resolve); });
  }

  /** Resolves when no invocation is queued or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Runs nothing more: invocations waiting for a retry end as they are (the emulator is going away); resolves once running ones finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.waits]) wake();
    await this.idle();
  }

  private async process(invocation: AsyncInvocation): Promise<void> {
    await Promise.resolve(); // never inside the caller's Invoke
    const { clock } = this.options;
    const config = this.config(invocation.functionName);
    let failure: FunctionError | Error | undefined;
    for (;;) {
      if (this.stopped) return;
      if (clock.now() - invocation.queuedAt > config.maximumEventAgeSeconds * 1000) {
        invocation.status = 'expired';
        return this.giveUp(invocation, config, 'EventAgeExceeded', failure);
      }
      if (!this.startExecution(invocation.functionName)) {
        // Throttled: the event stays queued until an execution is free, or until its maximum age passes.
        const left = invocation.queuedAt + config.maximumEventAgeSeconds * 1000 - clock.now();
        if (await this.waitForExecution(invocation.functionName, left) === 'expired') {
          if (this.stopped) return;
          invocation.status = 'expired';
          return this.giveUp(invocation, config, 'EventAgeExceeded', failure);
        }
      }
      if (this.stopped) { this.endExecution(invocation.functionName); return; }
      invocation.attempts += 1;
      try {
        const result = await this.options.run(invocation.functionName, invocation.event).finally(() => this.endExecution(invocation.functionName));
        invocation.status = 'succeeded';
        delete invocation.error;
        if (config.onSuccess) this.record(invocation, config.onSuccess, 'Success', { statusCode: 200, executedVersion: '$LATEST' }, result);
        return;
      } catch (error) {
        failure = error as Error;
        invocation.error = failure.message;
      }
      if (invocation.attempts > config.maximumRetryAttempts) {
        invocation.status = 'failed';
        return this.giveUp(invocation, config, 'RetriesExhausted', failure);
      }
      const wait = RETRY_WAITS_MS[Math.min(invocation.attempts - 1, RETRY_WAITS_MS.length - 1)]!;
      this.compute(invocation.requestId, false);
      await this.sleep(wait);
      if (this.stopped) return;
      this.compute(invocation.requestId, true);
    }
  }

  /** Whether a function may start one more execution: within its reservation, else within the unreserved pool. */
  private canStart(name: string): boolean {
    const reservation = this.reserved.get(name);
    if (reservation !== undefined) return (this.executingBy.get(name) ?? 0) < reservation;
    let reservedTotal = 0;
    let reservedExecuting = 0;
    for (const [fn, n] of this.reserved) {
      reservedTotal += n;
      reservedExecuting += this.executingBy.get(fn) ?? 0;
    }
    return this.executing - reservedExecuting < this.concurrency - reservedTotal;
  }

  /** Takes an execution if one is free for the function; otherwise the event waits in the queue for {@link endExecution}. */
  private startExecution(name: string): boolean {
    if (!this.canStart(name)) return false;
    this.executing += 1;
    this.executingBy.set(name, (this.executingBy.get(name) ?? 0) + 1);
    return true;
  }

  /** Frees an ended execution and starts the waiting events it lets run, oldest first. */
  private endExecution(name: string): void {
    this.executing -= 1;
    const left = (this.executingBy.get(name) ?? 1) - 1;
    if (left > 0) this.executingBy.set(name, left);
    else this.executingBy.delete(name);
    this.drain();
  }

  /** Starts every waiting event that may run now, oldest first (a throttled function does not hold up the others). */
  private drain(): void {
    for (let i = 0; i < this.throttled.length;) {
      const waiting = this.throttled[i]!;
      if (this.startExecution(waiting.name)) {
        this.throttled.splice(i, 1);
        waiting.resume('run');
      } else {
        i += 1;
      }
    }
  }

  /** Waits in the queue for an execution of the function, at most `ms` on the emulator clock (the event's age left). */
  private waitForExecution(name: string, ms: number): Promise<'run' | 'expired'> {
    return new Promise((resolve) => {
      const cancel = this.options.clock.schedule(Math.max(0, ms), () => leave('expired'));
      const leave = (outcome: 'run' | 'expired'): void => {
        cancel();
        this.waits.delete(stop);
        const at = this.throttled.indexOf(waiting);
        if (at >= 0) this.throttled.splice(at, 1);
        resolve(outcome);
      };
      const waiting: Waiting = { name, resume: leave };
      const stop = (): void => leave('expired');
      this.waits.add(stop);
      this.throttled.push(waiting);
    });
  }

  /** Marks an invocation as queued or running (`true`), or as between attempts or done (`false`: its waiters resume). */
  private compute(requestId: string, busy: boolean): void {
    if (busy) { if (!this.computing.has(requestId)) this.computing.set(requestId, []); return; }
    const waiters = this.computing.get(requestId);
    this.computing.delete(requestId);
    for (const resume of waiters ?? []) resume();
  }

  /** Waits `ms` on the emulator clock, or until {@link stop}. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = this.options.clock.schedule(ms, () => wake());
      const wake = (): void => { cancel(); this.waits.delete(wake); resolve(); };
      this.waits.add(wake);
    });
  }

  private giveUp(invocation: AsyncInvocation, config: AsyncInvokeConfig, condition: 'RetriesExhausted' | 'EventAgeExceeded', failure: Error | undefined): void {
    const errorType = failure instanceof FunctionError ? failure.errorType : 'Error';
    const errorMessage = failure instanceof FunctionError ? failure.errorMessage : (failure?.message ?? 'the event expired in the queue');
    if (config.deadLetterArn) {
      // "Dead-letter queues": the body is the event; the attributes say which request failed and why.
      this.options.deadLetters.put({
        destination: config.deadLetterArn, source: 'lambda-dead-letter-queue', body: invocation.event, at: this.options.clock.now(),
        attributes: { RequestID: invocation.requestId, ErrorCode: '200', ErrorMessage: errorMessage },
      });
    }
    if (config.onFailure) {
      const response = condition === 'EventAgeExceeded' && invocation.attempts === 0
        ? undefined
        : { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' };
      this.record(invocation, config.onFailure, condition, response, failure ? { errorType, errorMessage } : undefined);
    }
  }

  /** The invocation record a destination receives. */
  private record(invocation: AsyncInvocation, destination: string, condition: string, responseContext: Record<string, unknown> | undefined, responsePayload: unknown): void {
    const { clock } = this.options;
    this.options.deadLetters.put({
      destination, source: 'lambda-destination', at: clock.now(), attributes: {},
      body: {
        version: '1.0',
        timestamp: new Date(clock.now()).toISOString(),
        requestContext: { requestId: invocation.requestId, functionArn: `${this.options.functionArn(invocation.functionName) ?? invocation.functionName}:$LATEST`, condition, approximateInvokeCount: invocation.attempts },
        requestPayload: invocation.event,
        ...(responseContext ? { responseContext } : {}),
        ...(responsePayload !== undefined ? { responsePayload } : {}),
      },
    });
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
