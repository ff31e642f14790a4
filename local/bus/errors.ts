/** Base class of the local bus's errors: a stable `code` and the context that produced it. */
export class BusError extends Error {
  constructor(readonly code: string, message: string, readonly context: Readonly<Record<string, unknown>> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An event pattern that EventBridge would refuse (unknown operator, wrong operand). */
export class InvalidPatternError extends BusError {
  constructor(readonly path: string, received: unknown, expected: string) {
    super('INVALID_PATTERN', `event pattern at ${path || '(root)'}: received ${JSON.stringify(received)}, expected ${expected}`, { path, received });
  }
}

/** A rule or schedule names a target that no one registered. */
export class UnknownTargetError extends BusError {
  constructor(readonly targetId: string, known: readonly string[]) {
    super('UNKNOWN_TARGET', `target "${targetId}" is not registered; registered targets: ${known.length ? known.join(', ') : '(none)'}`, { targetId });
  }
}

/** A schedule expression the local bus cannot run. */
export class InvalidScheduleError extends BusError {
  constructor(readonly expression: string) {
    super('INVALID_SCHEDULE', `schedule expression ${JSON.stringify(expression)}: expected rate(<n> minute|minutes|hour|hours|day|days)`, { expression });
  }
}

/** A name (rule, schedule, target) used twice. */
export class DuplicateNameError extends BusError {
  constructor(kind: string, readonly duplicate: string) {
    super('DUPLICATE_NAME', `${kind} "${duplicate}" already exists`, { kind, name: duplicate });
  }
}

/** Waiting for an event timed out. */
export class WaitTimeoutError extends BusError {
  constructor(readonly description: string, readonly timeoutMs: number) {
    super('WAIT_TIMEOUT', `no event matching ${description} within ${timeoutMs} ms`, { description, timeoutMs });
  }
}
