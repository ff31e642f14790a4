/**
 * An error the CloudFormation API answers: its awsQuery code (`ValidationError`,
 * `ChangeSetNotFound`, ...), the message and the HTTP status.
 */
export class CfnApiError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
    this.name = code;
  }
}

/**
 * A template the emulator cannot run, or a resource that failed: names the
 * logical id, the property (a dotted path) and the reason, so a failed deploy
 * says exactly what to change.
 */
export class TemplateError extends Error {
  readonly code = 'TemplateError';
  constructor(readonly logicalId: string, readonly property: string, readonly reason: string) {
    super(`${logicalId}${property ? `.${property}` : ''}: ${reason}`);
    this.name = 'TemplateError';
  }
}

/** A resource provider failed to create, update or delete a resource (the service's own error as `cause`). */
export class ResourceFailure extends Error {
  readonly code = 'ResourceFailure';
  constructor(readonly logicalId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResourceFailure';
  }
}
