import type * as events from 'aws-cdk-lib/aws-events';
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
