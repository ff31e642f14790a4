import { CfnApiError, TemplateError } from '../../../local/cloudformation/errors';
import type { Template } from '../../../local/cloudformation/template';
import { creationOrder, parseTemplate, references } from '../../../local/cloudformation/template';

const template = (resources: Template['Resources']): Template => ({ Resources: resources });

describe('creationOrder', () => {
  it.each<[string, Template['Resources'], string[]]>([
    ['Ref', { B: { Type: 'T', Properties: { X: { Ref: 'A' } } }, A: { Type: 'T' } }, ['A', 'B']],
    ['GetAtt', { B: { Type: 'T', Properties: { X: { 'Fn::GetAtt': ['A', 'Arn'] } } }, A: { Type: 'T' } }, ['A', 'B']],
    ['Sub placeholder with attribute', { B: { Type: 'T', Properties: { X: { 'Fn::Sub': '${A.Arn}/x' } } }, A: { Type: 'T' } }, ['A', 'B']],
    ['DependsOn', { B: { Type: 'T', DependsOn: 'A' }, A: { Type: 'T' } }, ['A', 'B']],
    ['chains, ties in template order', { C: { Type: 'T', DependsOn: ['B'] }, B: { Type: 'T', Properties: { X: { Ref: 'A' } } }, A: { Type: 'T' }, D: { Type: 'T' } }, ['A', 'B', 'C', 'D']],
    ['parameters are not resources', { A: { Type: 'T', Properties: { X: { Ref: 'Param' }, Y: { Ref: 'AWS::Region' } } } }, ['A']],
  ])('orders by %s', (_name, resources, expected) => {
    expect(creationOrder(template(resources))).toEqual(expected);
  });

  it('fails on a cycle, naming the resources on it', () => {
    const run = () => creationOrder(template({ A: { Type: 'T', DependsOn: 'B' }, B: { Type: 'T', Properties: { X: { Ref: 'A' } } } }));
    expect(run).toThrow(TemplateError);
    expect(run).toThrow(/circular dependency between resources: A -> B -> A/);
  });

  it('fails on DependsOn naming no resource', () => {
    expect(() => creationOrder(template({ A: { Type: 'T', DependsOn: 'Ghost' } }))).toThrow(/A\.DependsOn: names "Ghost", which is not a resource of the template/);
  });
});

describe('references', () => {
  it('skips a Sub\'s own variables and escaped placeholders', () => {
    expect([...references({ 'Fn::Sub': ['${Own}-${Res}-${!Lit}-${AWS::Region}', { Own: 'x' }] })]).toEqual(['Res']);
  });
});

describe('parseTemplate', () => {
  it('reads the YAML the CDK CLI sends and JSON', () => {
    expect(parseTemplate('Resources:\n  B:\n    Type: AWS::S3::Bucket\n').Resources.B!.Type).toBe('AWS::S3::Bucket');
    expect(parseTemplate('{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}').Resources.B!.Type).toBe('AWS::S3::Bucket');
  });

  it.each<[string, string, RegExp]>([
    ['not YAML', '{ "Resources": ', /not valid JSON or YAML/],
    ['no resources', '{"Resources":{}}', /At least one Resources member must be defined/],
    ['a resource without Type', '{"Resources":{"B":{}}}', /resource B has no Type/],
    ['an unknown section', '{"Resources":{"B":{"Type":"T"}},"Extra":{}}', /unknown top-level section "Extra"/],
    ['a Transform', '{"Transform":"AWS::Serverless-2016-10-31","Resources":{"B":{"Type":"T"}}}', /Transform "AWS::Serverless-2016-10-31" is not emulated/],
  ])('refuses %s', (_name, body, message) => {
    const run = () => parseTemplate(body);
    expect(run).toThrow(CfnApiError);
    expect(run).toThrow(message);
  });
});
