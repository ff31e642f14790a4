import { AwsServiceError } from '../kernel/aws-json';

/**
 * Base class of the SSM emulator's errors. `type` is the error shape of
 * `@aws-sdk/client-ssm`'s model (the `__type` the SDK maps to its exception
 * class), so `instanceof ParameterNotFound` works in a caller.
 */
export class SsmEmulatorError extends AwsServiceError {
  constructor(type: string, message: string, readonly context: Readonly<Record<string, unknown>> = {}, status = 400) {
    super(type, message, status);
  }
}

/** GetParameter, DeleteParameter or a version selector names a parameter that does not exist. */
export class ParameterNotFoundError extends SsmEmulatorError {
  constructor(readonly parameterName: string) {
    super('ParameterNotFound', `Parameter ${parameterName} not found`, { parameterName });
  }
}

/** PutParameter without `Overwrite: true` on a name that exists. */
export class ParameterAlreadyExistsError extends SsmEmulatorError {
  constructor(readonly parameterName: string) {
    super('ParameterAlreadyExists', `The parameter ${parameterName} already exists: received PutParameter without Overwrite, expected Overwrite: true to change it`, { parameterName });
  }
}

/** `name:version` names a version the parameter never had. */
export class ParameterVersionNotFoundError extends SsmEmulatorError {
  constructor(readonly parameterName: string, readonly version: string) {
    super('ParameterVersionNotFound', `Systems Manager could not find version ${version} of ${parameterName}`, { parameterName, version });
  }
}

/** A request field outside the API's constraints. */
export class SsmValidationError extends SsmEmulatorError {
  constructor(readonly field: string, received: string, expected: string) {
    super('ValidationException', `1 validation error detected: ${field}: received ${received}, expected ${expected}`, { field });
  }
}

/** A name deeper than fifteen levels. */
export class HierarchyLevelLimitExceededError extends SsmEmulatorError {
  constructor(readonly parameterName: string, levels: number) {
    super('HierarchyLevelLimitExceededException', `Parameter name ${parameterName} has ${levels} hierarchy levels; at most 15 are allowed`, { parameterName, levels });
  }
}

/** A NextToken this emulator did not hand out for the same request. */
export class InvalidNextTokenError extends SsmEmulatorError {
  constructor(received: string) {
    super('InvalidNextToken', `The specified token is not valid: received ${JSON.stringify(received.slice(0, 40))}, expected the NextToken of the previous page of the same request`);
  }
}

/** DescribeParameters / GetParametersByPath filter key, option or value outside the API's lists. */
export class InvalidFilterError extends SsmEmulatorError {
  constructor(kind: 'InvalidFilterKey' | 'InvalidFilterOption' | 'InvalidFilterValue', received: string, expected: string) {
    super(kind, `${kind}: received ${received}, expected ${expected}`);
  }
}
