import { InvalidPatternError, matchesPattern } from '../../../local/bus';
import { configUploadedPattern } from '../../../shared/events';

// Semantics pinned to the "Amazon EventBridge event patterns" and
// "Content filtering in Amazon EventBridge event patterns" pages of the EventBridge User Guide.
const s3Event = {
  source: 'aws.s3',
  'detail-type': 'Object Created',
  resources: ['arn:aws:s3:::cfg'],
  detail: { bucket: { name: 'cfg' }, object: { key: 'config/dev/a.tgz', size: 120, 'version-id': 'v1' }, reason: 'PutObject', flag: null, tags: ['a', 'b'] },
};

describe('matchesPattern (EventBridge event patterns: content filtering)', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['exact value', { source: ['aws.s3'] }, true],
    ['exact value, no match', { source: ['aws.ecs'] }, false],
    ['array entries are alternatives (OR)', { source: ['aws.ecs', 'aws.s3'] }, true],
    ['every key must match (AND)', { source: ['aws.s3'], 'detail-type': ['Object Deleted'] }, false],
    ['nested object', { detail: { bucket: { name: ['cfg'] } } }, true],
    ['nested object, no match', { detail: { bucket: { name: ['other'] } } }, false],
    ['nested pattern on a missing object', { detail: { missing: { name: ['x'] } } }, false],
    ['prefix', { detail: { object: { key: [{ prefix: 'config/' }] } } }, true],
    ['prefix, no match', { detail: { object: { key: [{ prefix: 'static/' }] } } }, false],
    ['suffix', { detail: { object: { key: [{ suffix: '.tgz' }] } } }, true],
    ['equals-ignore-case', { detail: { reason: [{ 'equals-ignore-case': 'putobject' }] } }, true],
    ['wildcard', { detail: { object: { key: [{ wildcard: 'config/*/a.tgz' }] } } }, true],
    ['wildcard, no match', { detail: { object: { key: [{ wildcard: 'config/*/b.tgz' }] } } }, false],
    ['anything-but value', { detail: { reason: [{ 'anything-but': 'CopyObject' }] } }, true],
    ['anything-but value, excluded', { detail: { reason: [{ 'anything-but': 'PutObject' }] } }, false],
    ['anything-but list', { detail: { reason: [{ 'anything-but': ['CopyObject', 'PutObject'] }] } }, false],
    ['anything-but prefix', { detail: { object: { key: [{ 'anything-but': { prefix: 'static/' } }] } } }, true],
    ['anything-but prefix, excluded', { detail: { object: { key: [{ 'anything-but': { prefix: 'config/' } }] } } }, false],
    ['anything-but does not match a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['exists true', { detail: { object: { size: [{ exists: true }] } } }, true],
    ['exists true on a missing field', { detail: { object: { etag: [{ exists: true }] } } }, false],
    ['exists false on a missing field', { detail: { object: { etag: [{ exists: false }] } } }, true],
    ['exists false on a present field', { detail: { object: { size: [{ exists: false }] } } }, false],
    ['exists only on leaf nodes: an object is not a leaf', { detail: { bucket: [{ exists: true }] } }, false],
    ['numeric range', { detail: { object: { size: [{ numeric: ['>', 100, '<=', 120] }] } } }, true],
    ['numeric range, outside', { detail: { object: { size: [{ numeric: ['>', 120] }] } } }, false],
    ['numeric equality', { detail: { object: { size: [{ numeric: ['=', 120] }] } } }, true],
    ['numeric on a string field', { detail: { reason: [{ numeric: ['>', 0] }] } }, false],
    ['null value', { detail: { flag: [null] } }, true],
    ['null does not match a missing field', { detail: { missing: [null] } }, false],
    ['event array: any element matches', { detail: { tags: ['b'] } }, true],
    ['event array: no element matches', { detail: { tags: ['c'] } }, false],
    ['event array: resources', { resources: ['arn:aws:s3:::cfg'] }, true],
    ['number vs string are different values', { detail: { object: { size: ['120'] } } }, false],
    ['the project config upload rule', configUploadedPattern('cfg'), true],
    ['the project config upload rule, another bucket', configUploadedPattern('other'), false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, s3Event)).toBe(expected);
  });

  it('does not match a non-config key with the project rule', () => {
    const event = { ...s3Event, detail: { ...s3Event.detail, object: { key: 'static/a.tgz' } } };
    expect(matchesPattern(configUploadedPattern('cfg'), event)).toBe(false);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a leaf that is not an array', { source: 'aws.s3' }],
    ['an empty array', { source: [] }],
    ['an unknown operator', { source: [{ 'starts-with': 'aws' }] }],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['exists with a non-boolean', { source: [{ exists: 'yes' }] }],
    ['numeric with an odd operand list', { detail: { n: [{ numeric: ['>'] }] } }],
    ['numeric with an unknown operator', { detail: { n: [{ numeric: ['!=', 1] }] } }],
    ['prefix with a number', { source: [{ prefix: 1 }] }],
    ['anything-but with an empty list', { source: [{ 'anything-but': [] }] }],
  ])('refuses a malformed pattern: %s', (_name, pattern) => {
    const event = { source: 'aws.s3', detail: { n: 1 } };
    expect(() => matchesPattern(pattern, event)).toThrow(InvalidPatternError);
    // refused even when the event lacks the field, as PutRule refuses it before any event
    expect(() => matchesPattern(pattern, {})).toThrow(InvalidPatternError);
  });

  it('names the path and what was expected in the error', () => {
    expect(() => matchesPattern({ detail: { key: [{ bogus: 1 }] } }, { detail: { key: 'x' } })).toThrow(/detail\.key: received \{"bogus":1\}, expected one of prefix/);
  });
});
