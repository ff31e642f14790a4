import { TemplateError } from './errors';

/** What `Ref: AWS::NoValue` resolves to: the property is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** What the intrinsic functions read while resolving one resource or output. */
export interface ResolveScope {
  /** The logical id (or `Outputs.X`, `Conditions.X`) being resolved, for error messages. */
  readonly logicalId: string;
  /** AWS::AccountId, AWS::Region, AWS::Partition, AWS::URLSuffix, AWS::StackName, AWS::StackId. */
  readonly pseudo: Readonly<Record<string, string>>;
  /** Parameter values (a `List<...>`/`CommaDelimitedList` parameter is an array). */
  readonly parameters: Readonly<Record<string, string | string[]>>;
  readonly mappings: Readonly<Record<string, Record<string, Record<string, unknown>>>>;
  /** Whether a named condition holds. */
  condition(name: string): boolean;
  /** `Ref` of a resource: its physical id; throws when it does not exist (yet). */
  ref(logicalId: string): string;
  /** `Fn::GetAtt` of a resource. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** `Fn::ImportValue`: another stack's export. */
  importValue(name: string): string;
}

const CONDITION_FUNCTIONS = ['Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or', 'Condition', 'Fn::Contains'];

/**
 * Resolves every intrinsic function in a value: Ref, Fn::GetAtt, Fn::Sub,
 * Fn::Join, Fn::Select, Fn::Split, Fn::GetAZs, Fn::If, Fn::ImportValue,
 * Fn::FindInMap, Fn::Base64 and the condition functions. Any other `Fn::`
 * key fails with the logical id, the property path and the reason.
 *
 * @example
 * resolveValue({ 'Fn::Join': ['-', ['a', { Ref: 'AWS::Region' }]] }, scope, 'BucketName') // 'a-us-east-1'
 */
export function resolveValue(value: unknown, scope: ResolveScope, path: string): unknown {
  if (Array.isArray(value)) return value.map((item, i) => resolveValue(item, scope, `${path}[${i}]`)).filter((item) => item !== NO_VALUE);
  if (!value || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return intrinsic(keys[0]!, record[keys[0]!], scope, path);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    const resolved = resolveValue(item, scope, path ? `${path}.${key}` : key);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function intrinsic(name: string, arg: unknown, scope: ResolveScope, path: string): unknown {
  const fail = (reason: string): never => { throw new TemplateError(scope.logicalId, path, `${name}: ${reason}`); };
  const resolved = (v: unknown): unknown => resolveValue(v, scope, path);
  const str = (v: unknown, what: string): string => {
    const r = resolved(v);
    if (typeof r === 'number' || typeof r === 'boolean') return String(r);
    return typeof r === 'string' ? r : fail(`${what} must resolve to a string; received ${JSON.stringify(r)}`);
  };
  switch (name) {
    case 'Ref': return ref(typeof arg === 'string' ? arg : fail(`expected a logical id; received ${JSON.stringify(arg)}`), scope);
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? [arg[0], resolved(arg[1])] : typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : [];
      if (typeof id !== 'string' || typeof attribute !== 'string' || !id || !attribute) return fail(`expected [logicalId, attribute]; received ${JSON.stringify(arg)}`);
      return scope.getAtt(id, attribute);
    }
    case 'Fn::Sub': return sub(arg, scope, path, fail);
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return fail(`expected [delimiter, [values]]; received ${JSON.stringify(arg)}`);
      const list = resolved(arg[1]);
      if (!Array.isArray(list)) return fail(`the values must resolve to a list; received ${JSON.stringify(list)}`);
      return list.map((item) => (typeof item === 'string' || typeof item === 'number' ? String(item) : fail(`cannot join ${JSON.stringify(item)}`))).join(arg[0]);
    }
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2) return fail(`expected [index, list]; received ${JSON.stringify(arg)}`);
      const index = Number(resolved(arg[0]));
      const list = resolved(arg[1]);
      if (!Array.isArray(list)) return fail(`the list must resolve to a list; received ${JSON.stringify(list)}`);
      if (!Number.isInteger(index) || index < 0 || index >= list.length) return fail(`index ${String(arg[0])} is outside the list of ${list.length}`);
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return fail(`expected [delimiter, string]; received ${JSON.stringify(arg)}`);
      return str(arg[1], 'the source').split(arg[0]);
    }
    case 'Fn::GetAZs': {
      const region = str(arg, 'the region') || scope.pseudo['AWS::Region']!;
      return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
    }
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return fail(`expected [condition, whenTrue, whenFalse]; received ${JSON.stringify(arg)}`);
      return resolveValue(scope.condition(arg[0]) ? arg[1] : arg[2], scope, path);
    }
    case 'Fn::ImportValue': return scope.importValue(str(arg, 'the export name'));
    case 'Fn::FindInMap': {
      if (!Array.isArray(arg) || arg.length < 3) return fail(`expected [map, topKey, secondKey]; received ${JSON.stringify(arg)}`);
      const [map, top, second] = arg.slice(0, 3).map((part, i) => str(part, ['the map name', 'the top-level key', 'the second-level key'][i]!));
      const found = scope.mappings[map!]?.[top!]?.[second!];
      if (found === undefined) return arg.length > 3 && (arg[3] as { DefaultValue?: unknown })?.DefaultValue !== undefined ? resolved((arg[3] as { DefaultValue: unknown }).DefaultValue) : fail(`no value at ${map}/${top}/${second} of Mappings`);
      return found;
    }
    case 'Fn::Base64': return Buffer.from(str(arg, 'the value')).toString('base64');
    default:
      if (CONDITION_FUNCTIONS.includes(name)) return evaluateCondition({ [name]: arg }, scope, path);
      return fail('this intrinsic function is not emulated; supported: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::GetAZs, Fn::If, Fn::ImportValue, Fn::FindInMap, Fn::Base64, Fn::Equals/Not/And/Or');
  }
}

function ref(name: string, scope: ResolveScope): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name === 'AWS::NotificationARNs') return [];
  if (name.startsWith('AWS::')) {
    const value = scope.pseudo[name];
    if (value === undefined) throw new TemplateError(scope.logicalId, 'Ref', `unknown pseudo parameter ${name}`);
    return value;
  }
  if (name in scope.parameters) return scope.parameters[name];
  return scope.ref(name);
}

function sub(arg: unknown, scope: ResolveScope, path: string, fail: (reason: string) => never): string {
  const [text, rawVars] = Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [arg, {}];
  if (typeof text !== 'string' || !rawVars || typeof rawVars !== 'object') return fail(`expected a string or [string, {variables}]; received ${JSON.stringify(arg)}`);
  const vars = resolveValue(rawVars, scope, path) as Record<string, unknown>;
  return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in vars) return String(vars[name]);
    const dot = name.indexOf('.');
    const value = dot > 0 && !name.startsWith('AWS::') ? scope.getAtt(name.slice(0, dot), name.slice(dot + 1)) : ref(name, scope);
    if (typeof value !== 'string' && typeof value !== 'number') return fail(`\${${name}} in ${JSON.stringify(whole)} resolves to ${JSON.stringify(value)}, not a string`);
    return String(value);
  });
}

/**
 * Evaluates a condition expression (Fn::Equals, Fn::Not, Fn::And, Fn::Or,
 * Condition, and the rule function Fn::Contains) to a boolean.
 *
 * @example
 * evaluateCondition({ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, scope, 'Conditions.IsProd') // true when Env is prod
 */
export function evaluateCondition(expression: unknown, scope: ResolveScope, path: string): boolean {
  const fail = (reason: string): never => { throw new TemplateError(scope.logicalId, path, reason); };
  if (typeof expression === 'boolean') return expression;
  if (expression === 'true' || expression === 'false') return expression === 'true';
  if (!expression || typeof expression !== 'object' || Array.isArray(expression)) return fail(`a condition must be a condition function; received ${JSON.stringify(expression)}`);
  const [name, arg] = Object.entries(expression as Record<string, unknown>)[0] ?? [];
  const list = (n: number): unknown[] => (Array.isArray(arg) && (n < 0 || arg.length === n) ? arg : fail(`${name} expects ${n < 0 ? 'a list' : `${n} arguments`}; received ${JSON.stringify(arg)}`));
  switch (name) {
    case 'Condition': return scope.condition(typeof arg === 'string' ? arg : fail(`Condition expects a name; received ${JSON.stringify(arg)}`));
    case 'Fn::Equals': {
      const [a, b] = list(2).map((v) => resolveValue(v, scope, path));
      return JSON.stringify(a) === JSON.stringify(b) || String(a) === String(b);
    }
    case 'Fn::Not': return !evaluateCondition(list(1)[0], scope, path);
    case 'Fn::And': return list(-1).every((c) => evaluateCondition(c, scope, path));
    case 'Fn::Or': return list(-1).some((c) => evaluateCondition(c, scope, path));
    case 'Fn::Contains': {
      const [haystack, needle] = list(2).map((v) => resolveValue(v, scope, path));
      if (!Array.isArray(haystack)) return fail(`Fn::Contains expects a list first; received ${JSON.stringify(haystack)}`);
      return haystack.map(String).includes(String(needle));
    }
    default: return fail(`${String(name)} is not a condition function; expected Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition or Fn::Contains`);
  }
}
