/**
 * Base class of the SNS emulator's errors: the AWS error code SNS answers
 * with (`NotFound`, `InvalidParameter`...), its HTTP status and a stable code.
 */
export class SnsEmulatorError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400, readonly context: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = new.target.name;
  }
}

/** Publish or a topic call names a topic that does not exist (`NotFound`, 404). */
export class TopicNotFoundError extends SnsEmulatorError {
  constructor(readonly topicArn: string) {
    super('NotFound', `Topic does not exist: received ${topicArn}, expected the ARN of a created topic`, 404, { topicArn });
  }
}

/** A parameter SNS refuses (`InvalidParameter`, 400). */
export class InvalidSnsParameterError extends SnsEmulatorError {
  constructor(readonly parameter: string, received: string, expected: string) {
    super('InvalidParameter', `Invalid parameter: ${parameter}: received ${received}, expected ${expected}`, 400, { parameter });
  }
}

/** Waiting for a message timed out. */
export class SnsWaitTimeoutError extends SnsEmulatorError {
  constructor(readonly description: string, readonly timeoutMs: number) {
    super('WAIT_TIMEOUT', `no SNS message matching ${description} within ${timeoutMs} ms`, 500, { description, timeoutMs });
  }
}
