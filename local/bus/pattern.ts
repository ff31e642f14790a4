import { InvalidPatternError } from './errors';

/** An EventBridge event pattern as JSON (the form the CDK stack and the local bus share). */
export type EventPattern = Readonly<Record<string, unknown>>;

type Leaf = string | number | boolean | null;
type Json = Leaf | readonly unknown[] | { readonly [key: string]: unknown } | undefined;

const NUMERIC_OPERATORS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/**
 * Whether an event matches an EventBridge pattern, with the semantics the
 * "Amazon EventBridge event patterns" and "Content filtering in Amazon
 * EventBridge event patterns" pages describe: every key of the pattern must
 * match; nested objects match nested fields; a pattern leaf is an array whose
 * entries are alternatives (OR); an event field that is an array matches when
 * any of its elements does; `prefix`, `suffix`, `equals-ignore-case`,
 * `wildcard`, `anything-but` (values, lists, prefix, suffix), `exists`
 * (leaf fields only) and `numeric` ranges are supported. A malformed pattern
 * is refused with {@link InvalidPatternError}, as PutRule would refuse it.
 *
 * @example
 * matchesPattern({ source: ['aws.s3'], detail: { object: { key: [{ prefix: 'config/' }] } } }, event)
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, isObject(event) ? event : {}, '');
}

function matchObject(pattern: EventPattern, value: Readonly<Record<string, unknown>>, path: string): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    const actual = value[key] as Json;
    if (Array.isArray(expected)) {
      if (!matchField(expected, actual, at)) return false;
    } else if (isObject(expected)) {
      if (Array.isArray(actual)) return false;
      if (!matchObject(expected, isObject(actual) ? actual : {}, at)) return false;
    } else {
      throw new InvalidPatternError(at, expected, 'an array of alternatives or a nested object');
    }
  }
  return true;
}

function matchField(alternatives: readonly unknown[], actual: Json, path: string): boolean {
  if (alternatives.length === 0) throw new InvalidPatternError(path, alternatives, 'a non-empty array');
  return alternatives.some((alternative) => matchAlternative(alternative, actual, path));
}

function matchAlternative(alternative: unknown, actual: Json, path: string): boolean {
  if (isObject(alternative)) {
    const keys = Object.keys(alternative);
    if (keys.length !== 1) throw new InvalidPatternError(path, alternative, 'an object with exactly one operator');
    const operator = keys[0]!;
    if (operator === 'exists') return matchExists(alternative.exists, actual, path);
    matchOperator(operator, alternative[operator], null, path); // validates the operand even when the field is missing
    return someLeaf(actual, (leaf) => matchOperator(operator, alternative[operator], leaf, path));
  }
  if (!isLeaf(alternative)) throw new InvalidPatternError(path, alternative, 'a string, number, boolean, null or operator object');
  return someLeaf(actual, (leaf) => leaf === alternative);
}

/** A field matches a leaf test when it is that leaf, or an array with such an element. */
function someLeaf(actual: Json, test: (leaf: Leaf) => boolean): boolean {
  if (actual === undefined || isObject(actual)) return false;
  if (Array.isArray(actual)) return actual.some((element) => isLeaf(element) && test(element));
  return test(actual as Leaf);
}

function matchExists(operand: unknown, actual: Json, path: string): boolean {
  if (typeof operand !== 'boolean') throw new InvalidPatternError(`${path}.exists`, operand, 'true or false');
  // "exists" only works on leaf nodes: an intermediate object does not count as present.
  const present = actual !== undefined && !isObject(actual);
  return operand ? present : actual === undefined;
}

function matchOperator(operator: string, operand: unknown, leaf: Leaf, path: string): boolean {
  switch (operator) {
    case 'prefix': return isString(leaf, stringOperand(operand, path, operator), (l, o) => l.startsWith(o));
    case 'suffix': return isString(leaf, stringOperand(operand, path, operator), (l, o) => l.endsWith(o));
    case 'equals-ignore-case': return isString(leaf, stringOperand(operand, path, operator), (l, o) => l.toLowerCase() === o.toLowerCase());
    case 'wildcard': return isString(leaf, stringOperand(operand, path, operator), (l, o) => wildcardRegExp(o).test(l));
    case 'anything-but': return matchAnythingBut(operand, leaf, path);
    case 'numeric': return matchNumeric(operand, leaf, path);
    default: throw new InvalidPatternError(path, { [operator]: operand }, 'one of prefix, suffix, equals-ignore-case, wildcard, anything-but, exists, numeric');
  }
}

function matchAnythingBut(operand: unknown, leaf: Leaf, path: string): boolean {
  const at = `${path}.anything-but`;
  if (isObject(operand)) {
    const [operator, inner] = Object.entries(operand)[0] ?? [];
    if (Object.keys(operand).length !== 1 || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(operator ?? '')) {
      throw new InvalidPatternError(at, operand, 'a value, a list of values, or one of prefix, suffix, equals-ignore-case, wildcard');
    }
    const excluded = matchOperator(operator!, inner, leaf, at);
    return typeof leaf === 'string' && !excluded;
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  if (excluded.length === 0 || !excluded.every((value) => typeof value === 'string' || typeof value === 'number')) {
    throw new InvalidPatternError(at, operand, 'a string or number, or a non-empty list of them');
  }
  return !(excluded as readonly unknown[]).includes(leaf);
}

function matchNumeric(operand: unknown, leaf: Leaf, path: string): boolean {
  const at = `${path}.numeric`;
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4) {
    throw new InvalidPatternError(at, operand, 'one or two [operator, number] pairs');
  }
  let matches = typeof leaf === 'number';
  for (let i = 0; i < operand.length; i += 2) {
    const compare = NUMERIC_OPERATORS[String(operand[i])];
    const bound: unknown = operand[i + 1];
    if (!compare || typeof bound !== 'number') throw new InvalidPatternError(at, operand, 'operators =, <, <=, >, >= each followed by a number');
    matches = matches && compare(leaf as number, bound);
  }
  return matches;
}

function isString(leaf: Leaf, operand: string, test: (leaf: string, operand: string) => boolean): boolean {
  return typeof leaf === 'string' && test(leaf, operand);
}

function stringOperand(operand: unknown, path: string, operator: string): string {
  if (typeof operand !== 'string') throw new InvalidPatternError(`${path}.${operator}`, operand, 'a string');
  return operand;
}

function wildcardRegExp(text: string): RegExp {
  return new RegExp(`^${text.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
