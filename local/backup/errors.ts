import { AwsServiceError } from '../kernel/aws-json';

/**
 * Base class of the emulated AWS Backup's errors: the AWS error type is the
 * stable `code`, and the HTTP status is the one the AWS Backup API reference
 * lists for it.
 */
export class BackupError extends AwsServiceError {
  readonly code: string;
  constructor(type: string, message: string, status = 400, readonly context: Readonly<Record<string, unknown>> = {}) {
    super(type, message, status);
    this.code = type;
  }
}

/** A job, vault, recovery point or resource that does not exist (HTTP 400, as the API reference lists it). */
export function resourceNotFound(kind: string, id: string): BackupError {
  return new BackupError('ResourceNotFoundException', `${kind} ${id} was not found`, 400, { kind, id });
}

/** A parameter with a value out of range or of the wrong form. */
export function invalidParameter(name: string, received: unknown, expected: string): BackupError {
  return new BackupError('InvalidParameterValueException', `${name}: received ${JSON.stringify(received)}, expected ${expected}`, 400, { name, received });
}

/** A required parameter that is missing. */
export function missingParameter(name: string): BackupError {
  return new BackupError('MissingParameterValueException', `${name} is required`, 400, { name });
}

/** A request the service refuses in the resource's current state. */
export function invalidRequest(message: string, context: Readonly<Record<string, unknown>> = {}): BackupError {
  return new BackupError('InvalidRequestException', message, 400, context);
}
