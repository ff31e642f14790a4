import { InvalidPropError, UnknownPropError } from './errors';

/** A check of one value: true when the value is allowed. */
export type Check = (value: unknown) => boolean;

/** A check and the description of what it allows, for the error message. */
export interface Rule {
  /** True when the value is allowed. */
  readonly check: Check;
  /** What is allowed, as the error message says it ("an integer from 1 to 10"). */
  readonly expected: string;
}

/** A string matching `pattern`. */
export const matches = (pattern: RegExp): Check => (v) => typeof v === 'string' && pattern.test(v);

/** An integer from `min` to `max`, both included. */
export const intBetween = (min: number, max: number): Check => (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/** `true` or `false`. */
export const isBoolean: Check = (v) => typeof v === 'boolean';

/** A plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty array whose every element passes `element`, without duplicates. */
export const listOf = (element: Check, maxLength = 100): Check => (v) =>
  Array.isArray(v) && v.length > 0 && v.length <= maxLength && v.every(element) && new Set(v).size === v.length;

/**
 * Checks an object prop: it must be an object, hold only `known` keys, and each given
 * value must pass its rule. Required keys are the ones in `required`.
 *
 * @param prop - the prop's dotted name, for error messages (`backup`, `gatewayGroups[0]`)
 * @param value - the value given
 * @param rules - one rule per known key
 * @param required - keys that must be present
 * @returns the value as a record
 * @throws InvalidPropError or UnknownPropError naming the nested prop
 */
export function checkObject(
  prop: string,
  value: unknown,
  rules: Readonly<Record<string, Rule>>,
  required: readonly string[] = [],
): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw new InvalidPropError(prop, value, `an object with the keys ${Object.keys(rules).join(', ')}`);
  }
  const known = Object.keys(rules);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new UnknownPropError(`${prop}.${key}`, known);
  }
  for (const [key, rule] of Object.entries(rules)) {
    const given = value[key];
    if (given === undefined && !required.includes(key)) continue;
    if (!rule.check(given)) throw new InvalidPropError(`${prop}.${key}`, given, rule.expected);
  }
  return value;
}

/** Drops the keys whose value is undefined, so spreading over defaults keeps the defaults. */
export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
