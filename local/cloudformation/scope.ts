import { TemplateError } from './errors';
import type { ResolveScope } from './intrinsics';
import type { DeployedResource, Stack, StackParameter } from './model';
import { conditionEvaluator, parameterValues } from './parameters';
import type { Template } from './template';

/** Account, region and partition the emulated CloudFormation reports. */
export interface CfnEnvironment {
  readonly account: string;
  readonly region: string;
}

/** Values of the pseudo parameters for a stack. */
export function pseudoParameters(stack: Pick<Stack, 'stackName' | 'stackId'>, environment: CfnEnvironment): Record<string, string> {
  return {
    'AWS::AccountId': environment.account,
    'AWS::Region': environment.region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stack.stackName,
    'AWS::StackId': stack.stackId,
  };
}

/** What a scope reads besides the template. */
export interface ScopeInputs {
  readonly stack: Pick<Stack, 'stackName' | 'stackId'>;
  readonly template: Template;
  readonly parameters: readonly StackParameter[];
  readonly resources: ReadonlyMap<string, DeployedResource>;
  readonly exports: ReadonlyMap<string, string>;
  readonly environment: CfnEnvironment;
}

/**
 * The scopes intrinsic functions resolve in, one per logical id (errors name
 * it): pseudo parameters, parameters, mappings, conditions (evaluated once
 * for all), and the resources created so far (Ref is the physical id, GetAtt
 * an attribute the provider reported).
 *
 * @example
 * const scopeOf = scopeFactory(inputs);
 * resolveValue(resource.Properties, scopeOf('Bucket'), '');
 */
export function scopeFactory(inputs: ScopeInputs): (logicalId: string) => ResolveScope {
  const base = {
    pseudo: pseudoParameters(inputs.stack, inputs.environment),
    parameters: parameterValues(inputs.parameters),
    mappings: inputs.template.Mappings ?? {},
  };
  const condition = conditionEvaluator(inputs.template, () => make('Conditions'));
  function make(logicalId: string): ResolveScope {
    const resource = (id: string, what: string): DeployedResource => {
      const found = inputs.resources.get(id);
      if (found) return found;
      const reason = id in inputs.template.Resources ? 'is not created (its Condition is false, or it failed)' : 'is neither a parameter nor a resource of the template';
      throw new TemplateError(logicalId, what, `${id} ${reason}`);
    };
    return {
      ...base,
      logicalId,
      condition,
      ref: (id) => resource(id, 'Ref').physicalId,
      getAtt: (id, attribute) => {
        const found = resource(id, 'Fn::GetAtt');
        const value = found.attributes[attribute];
        if (value === undefined) throw new TemplateError(logicalId, 'Fn::GetAtt', `attribute ${attribute} of ${id} (${found.type}) is not known to the emulator; known: ${Object.keys(found.attributes).join(', ') || 'none'}`);
        return value;
      },
      importValue: (name) => {
        const value = inputs.exports.get(name);
        if (value === undefined) throw new TemplateError(logicalId, 'Fn::ImportValue', `No export named ${name} found`);
        return value;
      },
    };
  }
  return make;
}
