import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { stabilizeOutputNames } from '../../../infra/constructs/environment-parameters';
import { LIST_PARAMETERS, PARAMETER_KEYS } from '../../../shared/environment';
import { assertProps, testStack } from '../helpers';

describe('EnvironmentParameters in the platform stack', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(testStack({ envName: 'dev', notificationEmail: 'ops@example.com' }));
  });

  it.each(Object.entries(PARAMETER_KEYS).filter(([name]) => !(LIST_PARAMETERS as readonly string[]).includes(name)).map(([, key]) => key))('writes /wicked/dev/%s as a String parameter', (key) => {
    assertProps(template, 'AWS::SSM::Parameter', { Name: `/wicked/dev/${key}`, Type: 'String', Tier: 'Standard' });
  });

  it('writes the services as a StringList of every ECS service name, singletons and gateways', () => {
    const [services] = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/wicked/dev/services' } }));
    expect(services).toMatchObject({ Properties: { Type: 'StringList' } });
    const joined = (services as { Properties: { Value: { 'Fn::Join': [string, { 'Fn::GetAtt': [string, string] }[]] } } }).Properties.Value['Fn::Join'];
    expect(joined[0]).toBe(',');
    const ids = joined[1].map((part) => part['Fn::GetAtt']);
    expect(ids.every(([, attribute]) => attribute === 'Name')).toBe(true);
    expect(Object.keys(template.findResources('AWS::ECS::Service')).sort()).toEqual(ids.map(([id]) => id).sort());
  });

  it('names the live resources by reference, not by a guessed name', () => {
    assertProps(template, 'AWS::SSM::Parameter', { Name: '/wicked/dev/ledger-table', Value: { Ref: Match.stringLikeRegexp('Ledger') } });
    assertProps(template, 'AWS::SSM::Parameter', { Name: '/wicked/dev/config-bucket', Value: { Ref: Match.stringLikeRegexp('Config') } });
    assertProps(template, 'AWS::SSM::Parameter', { Name: '/wicked/dev/node-env', Value: 'dev' });
  });

  it('writes what build-image validates with: the variable names its task definition sets (StringList) and strictness', () => {
    const [build] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ WICKED_NODE_ENV: 'dev' }) } } })) as { Properties: { Environment: { Variables: Record<string, string> } } }[];
    const { WICKED_PLATFORM_VARIABLES: names, WICKED_STRICT_VALIDATION: strict } = build!.Properties.Environment.Variables;
    expect(names).toMatch(/^NODE_ENV,PORTAL_CONFIG_KEY(,|$)/);
    assertProps(template, 'AWS::SSM::Parameter', { Name: '/wicked/dev/platform-variables', Type: 'StringList', Tier: 'Standard', Value: names });
    assertProps(template, 'AWS::SSM::Parameter', { Name: '/wicked/dev/strict-validation', Type: 'String', Value: 'false' });
    expect(strict).toBe('false');
  });

  it('gives the outputs stable names an operator can read from describe-stacks', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(expect.arrayContaining(['ConfigBucketName', 'LedgerTableName', 'ClusterName', 'BackupVaultName', 'PortalApiRepositoryUri', 'NotificationTopicArn', 'ParameterPath']));
    expect(template.findOutputs('ParameterPath')).toEqual({ ParameterPath: expect.objectContaining({ Value: '/wicked/dev/' }) });
  });
});

describe('stabilizeOutputNames', () => {
  it('refuses two outputs with the same id, naming both paths', () => {
    const stack = new Stack(new App(), 'S');
    new CfnOutput(new Construct(stack, 'A'), 'Name', { value: 'a' });
    new CfnOutput(new Construct(stack, 'B'), 'Name', { value: 'b' });
    expect(() => stabilizeOutputNames(stack)).toThrow(/S\/B\/Name and S\/A\/Name are both named Name/);
  });
});
