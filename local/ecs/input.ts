/**
 * Typed readers for awsJson request fields. Each reader throws the error the
 * caller's service uses, naming the field, what was received and what was expected.
 */
export interface FieldReader {
  /** A string field; `fallback` when absent, an error when required and absent. */
  string(input: Readonly<Record<string, unknown>>, key: string, fallback?: string): string;
  /** An optional string field. */
  optionalString(input: Readonly<Record<string, unknown>>, key: string): string | undefined;
  /** An optional integer field within [min, max]. */
  optionalInteger(input: Readonly<Record<string, unknown>>, key: string, min?: number, max?: number): number | undefined;
  /** An optional number field. */
  optionalNumber(input: Readonly<Record<string, unknown>>, key: string): number | undefined;
  /** An optional boolean field. */
  optionalBoolean(input: Readonly<Record<string, unknown>>, key: string): boolean | undefined;
  /** An optional object field. */
  optionalObject(input: Readonly<Record<string, unknown>>, key: string): Record<string, unknown> | undefined;
  /** An optional list of strings. */
  optionalStrings(input: Readonly<Record<string, unknown>>, key: string): string[] | undefined;
}

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'a list' : `${typeof value} ${JSON.stringify(value)}`);

/** Builds a {@link FieldReader} whose failures are made by `fail`. */
export function fieldReader(fail: (message: string, context: Record<string, unknown>) => Error): FieldReader {
  const wrong = (key: string, value: unknown, expected: string): Error => fail(`${key}: expected ${expected}, received ${describe(value)}`, { field: key, received: value });
  const reader: FieldReader = {
    string(input, key, fallback) {
      const value = input[key];
      if (value === undefined || value === null) {
        if (fallback !== undefined) return fallback;
        throw fail(`${key}: a value is required and none was received`, { field: key });
      }
      if (typeof value !== 'string' || value.length === 0) throw wrong(key, value, 'a non-empty string');
      return value;
    },
    optionalString(input, key) {
      return input[key] === undefined || input[key] === null ? undefined : reader.string(input, key);
    },
    optionalInteger(input, key, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
      const value = input[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw wrong(key, value, `an integer from ${min} to ${max}`);
      return value;
    },
    optionalNumber(input, key) {
      const value = input[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong(key, value, 'a finite number');
      return value;
    },
    optionalBoolean(input, key) {
      const value = input[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'boolean') throw wrong(key, value, 'a boolean');
      return value;
    },
    optionalObject(input, key) {
      const value = input[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'object' || Array.isArray(value)) throw wrong(key, value, 'an object');
      return value as Record<string, unknown>;
    },
    optionalStrings(input, key) {
      const value = input[key];
      if (value === undefined || value === null) return undefined;
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw wrong(key, value, 'a list of strings');
      return value as string[];
    },
  };
  return reader;
}
