/**
 * Typed errors of the CDK app. Every error carries a stable `code`, the
 * context needed to fix it, and a message that says what was received and
 * what was expected.
 */

/** Stable codes of {@link InfraError}s. */
export type InfraErrorCode = 'INVALID_PROP' | 'UNKNOWN_PROP' | 'INVALID_CONTEXT' | 'ENTRY_NOT_FOUND';

/** Base class of every error the CDK app throws on purpose. */
export class InfraError extends Error {
  /** Stable machine-readable code. */
  public readonly code: InfraErrorCode;
  /** Configuration mistakes are never fixed by retrying. */
  public readonly retryable = false;

  /**
   * @param code - stable error code
   * @param message - what was received and what was expected
   * @param options - the underlying error, when there is one
   */
  public constructor(code: InfraErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Renders a received value for an error message (short, JSON where possible). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return String(value);
  }
}

/** A WickedPlatform prop has a value outside its allowed range or format. */
export class InvalidPropError extends InfraError {
  /**
   * @param prop - the prop's name, dotted for nested props (`functionEntries.buildImage`)
   * @param received - the value that was given
   * @param expected - a description of the allowed values
   */
  public constructor(
    public readonly prop: string,
    public readonly received: unknown,
    public readonly expected: string,
  ) {
    super('INVALID_PROP', `WickedPlatform prop "${prop}": received ${describeValue(received)}, expected ${expected}`);
  }
}

/** WickedPlatform props (usually from cdk.json context) contain a key it does not know. */
export class UnknownPropError extends InfraError {
  /**
   * @param prop - the unknown key
   * @param known - the keys WickedPlatform accepts
   */
  public constructor(
    public readonly prop: string,
    public readonly known: readonly string[],
  ) {
    super('UNKNOWN_PROP', `WickedPlatform prop "${prop}" is unknown: expected one of ${known.join(', ')}`);
  }
}

/** The `wicked` context in cdk.json is missing or is not shaped as `{ <env>: { ...props } }`. */
export class InvalidContextError extends InfraError {
  /**
   * @param path - where in the context the problem is (`wicked`, `wicked.dev`)
   * @param received - the value found there
   * @param expected - what should be there
   */
  public constructor(
    public readonly path: string,
    public readonly received: unknown,
    public readonly expected: string,
  ) {
    super('INVALID_CONTEXT', `cdk.json context "${path}": received ${describeValue(received)}, expected ${expected}`);
  }
}

/** A Lambda handler's entry file does not exist. */
export class EntryNotFoundError extends InfraError {
  /**
   * @param functionName - the control-plane function (`build-image`)
   * @param entry - the path that was looked up
   */
  public constructor(
    public readonly functionName: string,
    public readonly entry: string,
  ) {
    super(
      'ENTRY_NOT_FOUND',
      `${functionName} handler entry not found: received ${entry}, expected an existing .ts or .js file exporting \`handler\``,
    );
  }
}
