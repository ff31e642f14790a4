import { CfnApiError } from './errors';
import { evaluateCondition } from './intrinsics';
import type { ResolveScope } from './intrinsics';
import type { StackParameter } from './model';
import type { Template } from './template';

/** The subset of Parameter Store that CloudFormation reads (SSM-typed parameters) and writes (AWS::SSM::Parameter). */
export interface ParameterStore {
  put(request: { name: string; value: string; type?: string; overwrite?: boolean; description?: string }): unknown;
  /** The newest version; throws when there is none. */
  latest(name: string): { readonly value: string };
  delete(name: string): void;
}

/** A parameter as CreateChangeSet receives it. */
export interface ParameterInput {
  readonly ParameterKey?: string;
  readonly ParameterValue?: string;
  readonly UsePreviousValue?: string;
}

const SSM_TYPE = /^AWS::SSM::Parameter::Value<(.+)>$/;

/**
 * Resolves a change set's parameters as CloudFormation does: the given value,
 * the previous value (`UsePreviousValue`), or the default; SSM-typed
 * parameters read from Parameter Store; list types split on commas; values
 * outside `AllowedValues` and keys the template does not declare rejected.
 *
 * @example
 * resolveParameters(template, [], [], store) // [{ key: 'BootstrapVersion', value: '/cdk-bootstrap/hnb659fds/version', resolved: '30', ssm: true }]
 */
export function resolveParameters(template: Template, given: readonly ParameterInput[], previous: readonly StackParameter[], store: ParameterStore | undefined): StackParameter[] {
  const declared = template.Parameters ?? {};
  const unknown = given.map((p) => p.ParameterKey ?? '').filter((key) => !(key in declared));
  if (unknown.length) throw new CfnApiError('ValidationError', `Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const missing: string[] = [];
  const unfetched: string[] = [];
  const out: StackParameter[] = [];
  for (const [key, declaration] of Object.entries(declared)) {
    const input = given.find((p) => p.ParameterKey === key);
    let value: string | undefined;
    if (input?.UsePreviousValue === 'true') {
      value = previous.find((p) => p.key === key)?.value;
      if (value === undefined) throw new CfnApiError('ValidationError', `Parameter ${key} has UsePreviousValue but the stack has no previous value for it`);
    } else value = input?.ParameterValue ?? (declaration.Default === undefined ? undefined : String(declaration.Default));
    if (value === undefined) {
      missing.push(key);
      continue;
    }
    if (declaration.AllowedValues && !declaration.AllowedValues.map(String).includes(value)) {
      throw new CfnApiError('ValidationError', `Parameter '${key}' must be one of AllowedValues (${declaration.AllowedValues.join(', ')}); received ${JSON.stringify(value)}`);
    }
    const ssmType = SSM_TYPE.exec(declaration.Type);
    let resolved: string | string[] = value;
    if (ssmType) {
      try {
        if (!store) throw new Error('no Parameter Store');
        resolved = store.latest(value).value;
      } catch {
        unfetched.push(value);
        continue;
      }
    }
    if (/^(List<.+>|CommaDelimitedList)$/.test(declaration.Type) || ssmType?.[1]?.startsWith('List<')) resolved = String(resolved).split(',').map((s) => s.trim());
    out.push({ key, value, resolved, ssm: !!ssmType });
  }
  // Messages as CloudFormation words them (the CDK CLI and users search for them).
  if (missing.length) throw new CfnApiError('ValidationError', `Parameters: [${missing.join(', ')}] must have values`);
  if (unfetched.length) throw new CfnApiError('ValidationError', `Unable to fetch parameters [${unfetched.join(',')}] from parameter store for this account.`);
  return out;
}

/** The parameters as intrinsic functions read them. */
export function parameterValues(parameters: readonly StackParameter[]): Record<string, string | string[]> {
  return Object.fromEntries(parameters.map((p) => [p.key, p.resolved]));
}

/**
 * Evaluates the template's `Conditions` (each once, memoized, a condition
 * naming itself is an error) and returns the lookup the scope uses.
 */
export function conditionEvaluator(template: Template, scope: () => ResolveScope): (name: string) => boolean {
  const values = new Map<string, boolean>();
  const evaluating = new Set<string>();
  return (name) => {
    const known = values.get(name);
    if (known !== undefined) return known;
    const expression = template.Conditions?.[name];
    if (expression === undefined) throw new CfnApiError('ValidationError', `Template format error: Unresolved dependencies [${name}]. Cannot reference resources in the Conditions block of the template`);
    if (evaluating.has(name)) throw new CfnApiError('ValidationError', `Template error: condition ${name} depends on itself`);
    evaluating.add(name);
    const value = evaluateCondition(expression, { ...scope(), logicalId: `Conditions.${name}` }, '');
    evaluating.delete(name);
    values.set(name, value);
    return value;
  };
}

/**
 * Checks the template's `Rules` (the CDK's `CheckBootstrapVersion`): a rule
 * whose condition holds and whose assertion fails rejects the change set with
 * the assertion's description, as CloudFormation does.
 */
export function checkRules(template: Template, scope: ResolveScope): void {
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    if (rule.RuleCondition !== undefined && !evaluateCondition(rule.RuleCondition, { ...scope, logicalId: `Rules.${name}` }, 'RuleCondition')) continue;
    for (const [i, assertion] of (rule.Assertions ?? []).entries()) {
      if (!evaluateCondition(assertion.Assert, { ...scope, logicalId: `Rules.${name}` }, `Assertions[${i}]`)) {
        throw new CfnApiError('ValidationError', assertion.AssertDescription ?? `Template error: rule ${name} failed`);
      }
    }
  }
}
