import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONTROL_PLANE_RULES, type ControlPlaneRule, type DeploymentNames, type TargetFunctionId } from '../../shared/events/rules';
import { InvalidPropError } from '../errors';

/** Top-level keys of an EventBridge pattern and their names in the CDK `EventPattern`. */
const PATTERN_KEYS: Readonly<Record<string, keyof events.EventPattern>> = {
  version: 'version', id: 'id', 'detail-type': 'detailType', source: 'source', account: 'account',
  time: 'time', region: 'region', resources: 'resources', detail: 'detail',
};

/**
 * Converts an EventBridge pattern as JSON (`detail-type`, the form the shared rule
 * definitions and the local emulator use) into the CDK `EventPattern` (`detailType`).
 * Unknown top-level keys are refused: they would be dropped silently by CloudFormation.
 *
 * @example
 * toEventPattern({ source: ['aws.s3'], 'detail-type': ['Object Created'] })
 * // { source: ['aws.s3'], detailType: ['Object Created'] }
 */
export function toEventPattern(pattern: Record<string, unknown>): events.EventPattern {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    const cdkKey = PATTERN_KEYS[key];
    if (cdkKey === undefined) {
      throw new InvalidPropError(`eventPattern.${key}`, value, `only the keys ${Object.keys(PATTERN_KEYS).join(', ')}`);
    }
    out[cdkKey] = value;
  }
  return out as events.EventPattern;
}

/** Props of {@link RoutedRule}. */
export interface RoutedRuleProps {
  /** The rule as data, from shared/events/rules.ts. */
  readonly definition: ControlPlaneRule;
  /** The deployment's names the pattern is built from (tokens are fine). */
  readonly names: DeploymentNames;
  /** The function the rule's `target` id names. */
  readonly target: lambda.IFunction;
  /** Receives the events EventBridge could not deliver. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * One rule of the shared list on the default bus: pattern, description, retries and
 * event age come from the definition; delivery is retried, then dead-lettered.
 * The rule is the child `Rule`, so `<definition.name>/Rule` is its stable path.
 *
 * @example
 * new RoutedRule(this, IMAGE_BUILT_RULE.name, { definition: IMAGE_BUILT_RULE, names, target: fn, deadLetterQueue });
 */
export class RoutedRule extends Construct {
  /** The rule on the default bus. */
  public readonly rule: events.Rule;

  /**
   * @param scope - parent construct
   * @param id - construct id, by convention the definition's name
   * @param props - definition, names, target and dead-letter queue
   */
  public constructor(scope: Construct, id: string, props: RoutedRuleProps) {
    super(scope, id);
    const definition = props.definition;
    this.rule = new events.Rule(this, 'Rule', {
      description: definition.description,
      eventPattern: toEventPattern(definition.pattern(props.names)),
    });
    this.rule.addTarget(new targets.LambdaFunction(props.target, {
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: definition.retryAttempts,
      maxEventAge: Duration.seconds(definition.maxEventAgeSeconds),
    }));
  }
}

/** Props of {@link addControlPlaneRules}. */
export interface ControlPlaneRulesProps {
  /** The deployment's names the patterns are built from. */
  readonly names: DeploymentNames;
  /** The stack's functions by their id in the rule list; rules of absent functions are skipped. */
  readonly functions: Readonly<Partial<Record<TargetFunctionId, lambda.IFunction>>>;
  /** Receives the events EventBridge could not deliver. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The rule list.
   *
   * @default CONTROL_PLANE_RULES
   */
  readonly rules?: readonly ControlPlaneRule[];
}

/**
 * The rules of the shared list whose target function is in the stack, one
 * {@link RoutedRule} each, created directly in `scope` under the rule's name
 * (so the config-upload rule keeps its path `ConfigUploaded/Rule`).
 *
 * @returns the created rules by name
 * @example
 * const rules = addControlPlaneRules(this, { names, functions: { 'build-image': build.function }, deadLetterQueue });
 * rules.ConfigUploaded?.rule;
 */
export function addControlPlaneRules(scope: Construct, props: ControlPlaneRulesProps): Readonly<Record<string, RoutedRule>> {
  const created: Record<string, RoutedRule> = {};
  for (const definition of props.rules ?? CONTROL_PLANE_RULES) {
    const target = props.functions[definition.target];
    if (target === undefined) continue;
    created[definition.name] = new RoutedRule(scope, definition.name, { definition, names: props.names, target, deadLetterQueue: props.deadLetterQueue });
  }
  return created;
}
