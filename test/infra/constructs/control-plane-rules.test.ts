import { InvalidPropError } from '../../../infra/errors';
import { toEventPattern } from '../../../infra/constructs/control-plane-rules';
import { configUploadedPattern } from '../../../shared/events';

describe('toEventPattern', () => {
  it.each<[Record<string, unknown>, Record<string, unknown>]>([
    [{ source: ['aws.s3'], 'detail-type': ['Object Created'] }, { source: ['aws.s3'], detailType: ['Object Created'] }],
    [{ account: ['1'], region: ['eu-west-1'], resources: ['r'] }, { account: ['1'], region: ['eu-west-1'], resources: ['r'] }],
    [{ detail: { a: [{ prefix: 'x' }] } }, { detail: { a: [{ prefix: 'x' }] } }],
    [{}, {}],
  ])('%j -> %j', (pattern, expected) => {
    expect(toEventPattern(pattern)).toEqual(expected);
  });

  it('maps the shared config-upload pattern without losing a key', () => {
    const shared = configUploadedPattern('b');
    const mapped = toEventPattern(shared) as Record<string, unknown>;
    expect(Object.keys(mapped)).toHaveLength(Object.keys(shared).length);
    expect(mapped.detailType).toEqual(shared['detail-type']);
    expect(mapped.detail).toEqual(shared.detail);
  });

  it('refuses a key EventBridge patterns do not have', () => {
    expect(() => toEventPattern({ source: ['x'], detailType: ['y'] })).toThrow(InvalidPropError);
    expect(() => toEventPattern({ source: ['x'], detailType: ['y'] })).toThrow('"eventPattern.detailType": received ["y"], expected only the keys');
  });
});
