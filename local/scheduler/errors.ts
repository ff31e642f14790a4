/**
 * Base class of the Scheduler emulator's errors: the AWS error type the
 * restJson1 answer carries (`x-amzn-errortype`), its HTTP status and context.
 */
export class SchedulerEmulatorError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400, readonly context: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request EventBridge Scheduler refuses (`ValidationException`, 400). */
export class SchedulerValidationError extends SchedulerEmulatorError {
  constructor(readonly field: string, received: string, expected: string) {
    super('ValidationException', `${field}: received ${received}, expected ${expected}`, 400, { field });
  }
}

/** A schedule or group that does not exist (`ResourceNotFoundException`, 404). */
export class SchedulerNotFoundError extends SchedulerEmulatorError {
  constructor(kind: 'Schedule' | 'Schedule group', name: string) {
    super('ResourceNotFoundException', `${kind} ${name} does not exist.`, 404, { kind, name });
  }
}

/** A schedule or group name already taken (`ConflictException`, 409). */
export class SchedulerConflictError extends SchedulerEmulatorError {
  constructor(kind: 'Schedule' | 'Schedule group', name: string) {
    super('ConflictException', `${kind} ${name} already exists.`, 409, { kind, name });
  }
}

/** Waiting for an execution timed out. */
export class SchedulerWaitTimeoutError extends SchedulerEmulatorError {
  constructor(readonly description: string, readonly timeoutMs: number) {
    super('WAIT_TIMEOUT', `no schedule execution matching ${description} within ${timeoutMs} ms`, 500, { description, timeoutMs });
  }
}
