import { TemplateError } from '../../../local/cloudformation/errors';
import type { ResolveScope } from '../../../local/cloudformation/intrinsics';
import { NO_VALUE, evaluateCondition, resolveValue } from '../../../local/cloudformation/intrinsics';

const scope: ResolveScope = {
  logicalId: 'Thing',
  pseudo: { 'AWS::AccountId': '000000000000', 'AWS::Region': 'us-east-1', 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': 'wicked-dev', 'AWS::StackId': 'arn:stack' },
  parameters: { Env: 'prod', Subnets: ['a', 'b'] },
  mappings: { Regions: { 'us-east-1': { Ami: 'ami-1' } } },
  condition: (name) => ({ IsProd: true, IsDev: false } as Record<string, boolean>)[name] ?? (() => { throw new Error(`no condition ${name}`); })(),
  ref: (id) => ({ Bucket: 'bucket-1', Role: 'role-1' } as Record<string, string>)[id] ?? (() => { throw new TemplateError('Thing', 'Ref', `${id} unknown`); })(),
  getAtt: (id, attribute) => `${id}.${attribute}-value`,
  importValue: (name) => (name === 'Shared-Vpc' ? 'vpc-1' : (() => { throw new TemplateError('Thing', 'Fn::ImportValue', `No export named ${name} found`); })()),
};

describe('resolveValue', () => {
  it.each<[string, unknown, unknown]>([
    ['Ref of a parameter', { Ref: 'Env' }, 'prod'],
    ['Ref of a list parameter', { Ref: 'Subnets' }, ['a', 'b']],
    ['Ref of a pseudo parameter', { Ref: 'AWS::Region' }, 'us-east-1'],
    ['Ref of a resource', { Ref: 'Bucket' }, 'bucket-1'],
    ['GetAtt as a list', { 'Fn::GetAtt': ['Role', 'Arn'] }, 'Role.Arn-value'],
    ['GetAtt as a dotted string', { 'Fn::GetAtt': 'Role.Arn' }, 'Role.Arn-value'],
    ['Sub with pseudo, resource, attribute', { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/${Role.Arn}' }, 'arn:aws:s3:::bucket-1/Role.Arn-value'],
    ['Sub with its own variables', { 'Fn::Sub': ['${Prefix}-${AWS::Region}', { Prefix: { Ref: 'Env' } }] }, 'prod-us-east-1'],
    ['Sub keeps ${!Literal}', { 'Fn::Sub': 'a-${!Literal}' }, 'a-${Literal}'],
    ['Join', { 'Fn::Join': [':', ['a', { Ref: 'Env' }, 3]] }, 'a:prod:3'],
    ['Select from Split (the ECR URI idiom)', { 'Fn::Select': [4, { 'Fn::Split': [':', 'arn:aws:ecr:us-east-1:000000000000:repository/x'] }] }, '000000000000'],
    ['GetAZs of the stack region', { 'Fn::GetAZs': '' }, ['us-east-1a', 'us-east-1b', 'us-east-1c']],
    ['If true branch', { 'Fn::If': ['IsProd', 'big', 'small'] }, 'big'],
    ['If false branch', { 'Fn::If': ['IsDev', 'big', 'small'] }, 'small'],
    ['ImportValue', { 'Fn::ImportValue': 'Shared-Vpc' }, 'vpc-1'],
    ['FindInMap', { 'Fn::FindInMap': ['Regions', { Ref: 'AWS::Region' }, 'Ami'] }, 'ami-1'],
    ['Base64', { 'Fn::Base64': 'hi' }, 'aGk='],
    ['nested objects and lists', { A: [{ Ref: 'Env' }, { B: { Ref: 'Bucket' } }] }, { A: ['prod', { B: 'bucket-1' }] }],
    ['AWS::NoValue removes a property', { Keep: 1, Drop: { 'Fn::If': ['IsDev', 'x', { Ref: 'AWS::NoValue' }] } }, { Keep: 1 }],
    ['AWS::NoValue removes a list item', ['a', { 'Fn::If': ['IsDev', 'x', { Ref: 'AWS::NoValue' }] }], ['a']],
  ])('%s', (_name, input, expected) => {
    expect(resolveValue(input, scope, 'Properties')).toEqual(expected);
  });

  it('resolves Ref AWS::NoValue at the top to the marker', () => {
    expect(resolveValue({ Ref: 'AWS::NoValue' }, scope, 'Properties.X')).toBe(NO_VALUE);
  });

  it.each<[string, unknown, RegExp]>([
    ['an intrinsic the emulator does not run', { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] }, /^Thing\.Properties\.Cidr: Fn::Cidr: this intrinsic function is not emulated/],
    ['Select outside the list', { 'Fn::Select': [5, ['a']] }, /Fn::Select: index 5 is outside the list of 1/],
    ['Join of a non-list', { 'Fn::Join': ['-', 'ab'] }, /Fn::Join: the values must resolve to a list; received "ab"/],
    ['FindInMap of a missing key', { 'Fn::FindInMap': ['Regions', 'eu-west-1', 'Ami'] }, /no value at Regions\/eu-west-1\/Ami of Mappings/],
    ['ImportValue of a missing export', { 'Fn::ImportValue': 'Nope' }, /No export named Nope found/],
    ['Sub naming an unknown resource', { 'Fn::Sub': '${Missing}' }, /Missing unknown/],
    ['Ref of an unknown pseudo parameter', { Ref: 'AWS::Nope' }, /unknown pseudo parameter AWS::Nope/],
  ])('fails on %s, naming the logical id and property', (_name, input, message) => {
    const run = () => resolveValue({ Cidr: input }, scope, 'Properties');
    expect(run).toThrow(TemplateError);
    expect(run).toThrow(message);
  });
});

describe('evaluateCondition', () => {
  it.each<[string, unknown, boolean]>([
    ['Equals of a parameter', { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, true],
    ['Not', { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }] }, false],
    ['And', { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] }, false],
    ['Or', { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] }, true],
    // The CDK's CheckBootstrapVersion rule.
    ['Contains (rule function)', { 'Fn::Not': [{ 'Fn::Contains': [['1', '2', '3', '4', '5'], '30'] }] }, true],
  ])('%s', (_name, expression, expected) => {
    expect(evaluateCondition(expression, scope, 'Conditions.X')).toBe(expected);
  });

  it('refuses a non-condition function, naming it', () => {
    expect(() => evaluateCondition({ 'Fn::Join': ['', []] }, scope, 'Conditions.X')).toThrow(/Fn::Join is not a condition function/);
  });
});
