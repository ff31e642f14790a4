import { randomBytes } from 'node:crypto';
import { retryDelay } from '../bus/schedule';
import type { Clock } from '../kernel/clock';
import type { DeadLetterSink } from '../kernel/dead-letters';
import type { EventSink } from '../kernel/events';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../kernel/events';
import { SchedulerConflictError, SchedulerNotFoundError, SchedulerValidationError, SchedulerWaitTimeoutError } from './errors';
import { nextFireTime, parseScheduleExpression } from './expressions';
import type { Execution, ScheduledFunction, StoredSchedule } from './model';
import { withContextAttributes } from './model';
import { checkCreateSchedule, checkName } from './validate';
import { waitForItem } from '../kernel/wait';

/** Options of {@link LocalScheduler}. */
export interface LocalSchedulerOptions {
  readonly clock: Clock;
  /** Where event-bus targets put their events. */
  readonly bus: EventSink;
  /** Bus names event-bus targets may name besides `default`. @default [] */
  readonly busNames?: readonly string[];
  /** First retry delay (emulated ms); doubles per retry. @default 1000 */
  readonly retryBaseMs?: number;
  /** Longest retry delay (emulated ms). @default 60000 */
  readonly retryMaxMs?: number;
  /**
   * A wall-speed clock that callers computed `at(...)` instants with: a
   * one-time schedule fires when that clock reaches its instant. The emulator
   * passes the wall clock, which the in-process functions read (the emulator
   * clock runs ahead of it), so a stuck check never fires before the deadline
   * the function checks. @default the emulator clock
   */
  readonly callersNow?: () => number;
  /** Where the input of a target that never took it goes, when the schedule has a dead-letter queue. */
  readonly deadLetters?: DeadLetterSink;
}

const BUS_ARN = /^arn:aws[a-z-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/;
/** Longest delay of one Node timer: longer ones fire at once. */
const MAX_TIMER_MS = 2_000_000_000;
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/;

/** The group (`default` when the request names none) and store key of schedule `name`, once the name is checked. */
function scheduleKey(name: string, body: Record<string, unknown>): { groupName: string; key: string } {
  checkName('Name', name);
  const groupName = typeof body.GroupName === 'string' && body.GroupName ? body.GroupName : 'default';
  return { groupName, key: `${groupName}/${name}` };
}

/**
 * The emulator's EventBridge Scheduler: schedule groups and schedules kept
 * in memory; `at(...)`, `rate(...)` and `cron(...)` (UTC) fire on the
 * emulator clock; targets are an event bus (PutEvents with the schedule's
 * source, detail-type and input as detail) or an in-process function (invoked
 * with the input as payload); failed invocations are retried with the
 * schedule's retry policy and then dead-lettered; one-time schedules with
 * `ActionAfterCompletion: DELETE` delete themselves after their run.
 *
 * @example
 * const scheduler = new LocalScheduler({ clock, bus });
 * scheduler.registerFunction('snapshot-data', snapshotData);
 * scheduler.createSchedule('SnapshotSchedule', { ScheduleExpression: 'cron(0 3 * * ? *)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn, RoleArn } });
 */
export class LocalScheduler {
  private readonly groups = new Map<string, { Arn: string; Name: string; State: 'ACTIVE'; CreationDate: Date; LastModificationDate: Date }>();
  private readonly schedules = new Map<string, StoredSchedule & { readonly armedAt: number }>();
  private readonly timers = new Map<string, () => void>();
  private readonly functions = new Map<string, ScheduledFunction>();
  private readonly runs: Execution[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly listeners = new Set<(execution: Execution) => void>();
  private readonly busNames: ReadonlySet<string>;
  private stopped = false;

  constructor(private readonly options: LocalSchedulerOptions) {
    this.busNames = new Set(['default', ...(options.busNames ?? [])]);
    this.createGroup('default');
  }

  /** Every execution so far, in the order they started. */
  get executions(): readonly Execution[] {
    return this.runs;
  }

  /** Registers the in-process function that `arn:aws:lambda:...:function:<name>` targets invoke. */
  registerFunction(name: string, handler: ScheduledFunction): void {
    this.functions.set(name, handler);
  }

  /** CreateScheduleGroup: returns the group ARN; ConflictException when it exists. */
  createGroup(name: string): string {
    checkName('Name', name);
    if (this.groups.has(name)) throw new SchedulerConflictError('Schedule group', name);
    const now = new Date(this.options.clock.now());
    const Arn = `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule-group/${name}`;
    this.groups.set(name, { Arn, Name: name, State: 'ACTIVE', CreationDate: now, LastModificationDate: now });
    return Arn;
  }

  /** DeleteScheduleGroup: the group and every schedule in it ("DeleteScheduleGroup", EventBridge Scheduler API Reference); the default group cannot be deleted. */
  deleteGroup(name: string): void {
    if (name === 'default') throw new SchedulerValidationError('Name', 'default', 'a group other than default (the default group cannot be deleted)');
    if (!this.groups.delete(name)) throw new SchedulerNotFoundError('Schedule group', name);
    for (const schedule of this.listSchedules({ groupName: name })) this.deleteSchedule(schedule.Name, name);
  }

  /** GetScheduleGroup. */
  getGroup(name: string): { Arn: string; Name: string; State: string; CreationDate: Date; LastModificationDate: Date } {
    const group = this.groups.get(name);
    if (!group) throw new SchedulerNotFoundError('Schedule group', name);
    return group;
  }

  /**
   * UpdateSchedule: replaces the whole definition (the API takes every field again; what a request leaves out
   * takes its default), keeps CreationDate, and arms the schedule anew (a DISABLED one stops firing); returns its ARN.
   */
  updateSchedule(name: string, body: Record<string, unknown>): string {
    const { groupName, key } = scheduleKey(name, body);
    const current = this.schedules.get(key);
    if (!current) throw new SchedulerNotFoundError('Schedule', name);
    const fields = checkCreateSchedule(body);
    const now = this.options.clock.now();
    this.timers.get(key)?.();
    this.timers.delete(key);
    this.schedules.set(key, { ...fields, Arn: current.Arn, Name: name, GroupName: groupName, CreationDate: current.CreationDate, LastModificationDate: new Date(now), armedAt: now });
    this.arm(key);
    return current.Arn;
  }

  /** CreateSchedule: checks the request, stores the schedule and arms it; returns its ARN. */
  createSchedule(name: string, body: Record<string, unknown>): string {
    const { groupName, key } = scheduleKey(name, body);
    if (!this.groups.has(groupName)) throw new SchedulerNotFoundError('Schedule group', groupName);
    if (this.schedules.has(key)) throw new SchedulerConflictError('Schedule', name);
    const fields = checkCreateSchedule(body);
    const now = this.options.clock.now();
    const schedule = { ...fields, Arn: `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${key}`, Name: name, GroupName: groupName, CreationDate: new Date(now), LastModificationDate: new Date(now), armedAt: now };
    this.schedules.set(key, schedule);
    this.arm(key);
    return schedule.Arn;
  }

  /** GetSchedule. */
  getSchedule(name: string, groupName = 'default'): StoredSchedule {
    const stored = this.schedules.get(`${groupName}/${name}`);
    if (!stored) throw new SchedulerNotFoundError('Schedule', name);
    const { armedAt: _armedAt, ...schedule } = stored;
    return schedule;
  }

  /** DeleteSchedule: disarms and forgets the schedule. */
  deleteSchedule(name: string, groupName = 'default'): void {
    const key = `${groupName}/${name}`;
    if (!this.schedules.delete(key)) throw new SchedulerNotFoundError('Schedule', name);
    this.timers.get(key)?.();
    this.timers.delete(key);
  }

  /** ListSchedules, filtered by group, name prefix and state, sorted by name. */
  listSchedules(filter: { groupName?: string; namePrefix?: string; state?: string } = {}): StoredSchedule[] {
    return [...this.schedules.keys()].sort().map((key) => this.getSchedule(key.slice(key.indexOf('/') + 1), key.slice(0, key.indexOf('/'))))
      .filter((s) => (filter.groupName === undefined || s.GroupName === filter.groupName) && (filter.namePrefix === undefined || s.Name.startsWith(filter.namePrefix)) && (filter.state === undefined || s.State === filter.state));
  }

  /** Runs a schedule now, whatever its expression (the demo and tests fire the daily snapshot by hand). */
  fire(name: string, groupName = 'default'): Execution {
    const schedule = this.getSchedule(name, groupName);
    return this.execute(schedule, this.options.clock.now());
  }

  /** Resolves with the first finished execution (already or still to come) that satisfies `predicate`; rejects after `timeoutMs` of wall time. */
  waitFor(predicate: (execution: Execution) => boolean, timeoutMs = 10_000, description = 'the predicate'): Promise<Execution> {
    return waitForItem({ find: (p) => this.runs.find((run) => run.status !== 'pending' && p(run)), listeners: this.listeners }, predicate, timeoutMs, () => new SchedulerWaitTimeoutError(description, timeoutMs));
  }

  /** Resolves when no execution is in flight or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Disarms every schedule; executions waiting for a retry are dead-lettered. */
  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  private arm(key: string): void {
    const schedule = this.schedules.get(key);
    if (!schedule || schedule.State !== 'ENABLED' || this.stopped) return;
    const expression = parseScheduleExpression(schedule.ScheduleExpression);
    const { clock, callersNow } = this.options;
    // A one-time schedule whose instant has passed runs at once: the emulator never drops a deadline.
    const due = expression.kind === 'at' ? expression.at : nextFireTime(expression, clock.now(), schedule.armedAt);
    if (due === undefined) return;
    const fire = (): void => {
      this.timers.delete(key);
      const current = this.schedules.get(key);
      if (!current) return;
      const deleteAfterRun = expression.kind === 'at' && current.ActionAfterCompletion === 'DELETE';
      this.execute(current, due, () => { if (deleteAfterRun && this.schedules.get(key) === current) this.schedules.delete(key); });
      if (expression.kind !== 'at') this.arm(key);
    };
    if (expression.kind === 'at' && callersNow) {
      // The callers' clock runs at wall speed: wait in wall time, whatever the emulator clock's speed does meanwhile.
      const wait = Math.max(0, due - callersNow());
      const timer = wait > MAX_TIMER_MS ? setTimeout(() => this.arm(key), MAX_TIMER_MS) : setTimeout(fire, wait);
      timer.unref();
      this.timers.set(key, () => clearTimeout(timer));
    } else {
      this.timers.set(key, clock.schedule(Math.max(0, due - clock.now()), fire));
    }
  }

  private execute(schedule: StoredSchedule, due: number, onDone: () => void = () => undefined): Execution {
    const execution: Execution = {
      executionId: executionId(), scheduleArn: schedule.Arn, name: schedule.Name, groupName: schedule.GroupName,
      scheduledTime: new Date(due).toISOString().replace(/\.\d{3}Z$/, 'Z'), targetArn: schedule.Target.Arn, attempts: 0, status: 'pending',
    };
    this.runs.push(execution);
    const done = this.deliver(schedule, execution, due).finally(() => {
      this.pending.delete(done);
      onDone();
      for (const listener of [...this.listeners]) listener(execution);
    });
    this.pending.add(done);
    return execution;
  }

  private async deliver(schedule: StoredSchedule, execution: Execution, due: number): Promise<void> {
    await Promise.resolve(); // asynchronous, as on AWS
    const maxRetries = schedule.Target.RetryPolicy?.MaximumRetryAttempts ?? 185;
    const maxAgeMs = (schedule.Target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400) * 1000;
    for (;;) {
      execution.attempts += 1;
      try {
        execution.result = await this.invoke(schedule, execution);
        execution.status = 'delivered';
        delete execution.error;
        return;
      } catch (error) {
        execution.error = error instanceof Error ? error.message : String(error);
      }
      const delay = retryDelay(execution.attempts, this.options.retryBaseMs ?? 1000, this.options.retryMaxMs ?? 60_000);
      if (execution.attempts > maxRetries || this.options.clock.now() + delay - due > maxAgeMs || this.stopped) break;
      await new Promise<void>((resolve) => { this.options.clock.schedule(delay, resolve); });
      if (this.stopped) break;
    }
    execution.status = 'dead-lettered';
    const deadLetterArn = schedule.Target.DeadLetterConfig?.Arn;
    if (!deadLetterArn) return;
    execution.deadLetterArn = deadLetterArn;
    // "Configuring a dead-letter queue for EventBridge Scheduler": the target's input, with the error and the schedule in the attributes.
    this.options.deadLetters?.put({
      destination: deadLetterArn, source: 'scheduler-target', body: parsePayload(withContextAttributes(schedule.Target.Input ?? '', execution)), at: this.options.clock.now(),
      attributes: {
        ERROR_CODE: 'TargetInvocationFailed', ERROR_MESSAGE: execution.error ?? '', EXHAUSTED_RETRY_CONDITION: execution.attempts > maxRetries ? 'MaximumRetryAttemptsExhausted' : 'MaximumEventAgeExceeded',
        RETRY_ATTEMPTS: String(execution.attempts - 1), SCHEDULE_ARN: schedule.Arn, TARGET_ARN: schedule.Target.Arn,
      },
    });
  }

  private async invoke(schedule: StoredSchedule, execution: Execution): Promise<unknown> {
    const { Target } = schedule;
    const input = withContextAttributes(Target.Input ?? '', execution);
    const bus = BUS_ARN.exec(Target.Arn);
    if (bus) {
      if (!this.busNames.has(bus[1]!)) throw new Error(`target ${Target.Arn}: event bus ${bus[1]!} does not exist`);
      if (!Target.EventBridgeParameters) throw new Error(`target ${Target.Arn}: an event bus target needs EventBridgeParameters (DetailType, Source)`);
      const detail: unknown = input ? JSON.parse(input) : {};
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) throw new Error(`target ${Target.Arn}: the input must be a JSON object (the event detail), received ${input.slice(0, 80)}`);
      this.options.bus.put({ source: Target.EventBridgeParameters.Source, 'detail-type': Target.EventBridgeParameters.DetailType, resources: [schedule.Arn], detail: detail as Record<string, unknown> });
      return { putEvents: 1 };
    }
    const fn = FUNCTION_ARN.exec(Target.Arn);
    if (fn) {
      const handler = this.functions.get(fn[1]!);
      if (!handler) throw new Error(`target ${Target.Arn}: function ${fn[1]!} does not exist; functions: ${[...this.functions.keys()].join(', ') || '(none)'}`);
      return handler(parsePayload(input));
    }
    throw new Error(`target ${Target.Arn}: only event bus and Lambda function targets are emulated`);
  }
}

/** An execution id as Scheduler writes it ("Adding context attributes": `d32c5kddcf5bb8c3`, 16 lower-case letters and digits). */
function executionId(): string {
  return [...randomBytes(16)].map((byte) => (byte % 36).toString(36)).join('');
}

function parsePayload(input: string): unknown {
  if (input === '') return {};
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}
