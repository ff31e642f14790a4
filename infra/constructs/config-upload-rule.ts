import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeploymentNames } from '../../shared/events/rules';
import { CONFIG_UPLOADED_RULE } from '../../shared/events/rules';
import { InvalidPropError } from '../errors';

/** Props of {@link ConfigUploadRule}. */
export interface ConfigUploadRuleProps {
  /** The deployment's names the shared rule patterns are built from (tokens are fine). */
  readonly names: DeploymentNames;
  /** The build-image function. */
  readonly target: lambda.IFunction;
  /** Receives the events EventBridge could not deliver. */
  readonly deadLetterQueue: sqs.IQueue;
}

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

/**
 * The rule that starts a build: S3 "Object Created" for `config/` of the config
 * bucket. Pattern, description, retries and event age come from
 * `CONFIG_UPLOADED_RULE` in shared/events/rules.ts, the one list of rules the
 * local emulator routes by too. Delivery is retried, then dead-lettered.
 *
 * @example
 * new ConfigUploadRule(this, 'ConfigUploaded', { names: { configBucket: bucket.bucketName, cluster: cluster.clusterName }, target: fn, deadLetterQueue: dlq });
 */
export class ConfigUploadRule extends Construct {
  /** The rule on the default bus. */
  public readonly rule: events.Rule;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - bucket, target and dead-letter queue
   */
  public constructor(scope: Construct, id: string, props: ConfigUploadRuleProps) {
    super(scope, id);
    const definition = CONFIG_UPLOADED_RULE;
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
