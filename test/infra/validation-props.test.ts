import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { InvalidPropError } from '../../infra/errors';
import { platformVariableNames, resolveValidationProps, validationLambdaEnvironment } from '../../infra/validation-props';
import { testStack } from './helpers';

const secret = (): ecs.Secret => ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(new Stack(new App(), 'S'), 'P', { parameterName: '/smtp/password' }));

describe('resolveValidationProps', () => {
  it('defaults NODE_ENV to the environment name, nothing extra, not strict', () => {
    expect(resolveValidationProps({}, 'prod')).toEqual({ nodeEnv: 'prod', portalApiEnvironment: {}, portalApiSecrets: {}, strictValidation: false });
  });

  it('lists every variable the task definition sets, for the validator', () => {
    const props = resolveValidationProps({ nodeEnv: 'k8s', portalApiEnvironment: { SMTP_HOST: 'smtp.acme.example' }, portalApiSecrets: { SMTP_PASSWORD: secret() }, strictValidation: true }, 'prod');
    expect(platformVariableNames(props, true)).toEqual(['NODE_ENV', 'PORTAL_CONFIG_KEY', 'PORTAL_STORAGE_PGHOST', 'PORTAL_STORAGE_PGUSER', 'PORTAL_STORAGE_PGPASSWORD', 'PORTAL_STORAGE_PGDATABASE', 'PGSSLMODE', 'SMTP_HOST', 'SMTP_PASSWORD']);
    expect(validationLambdaEnvironment(props, false)).toEqual({ WICKED_NODE_ENV: 'k8s', WICKED_PLATFORM_VARIABLES: 'NODE_ENV,PORTAL_CONFIG_KEY,SMTP_HOST,SMTP_PASSWORD', WICKED_STRICT_VALIDATION: 'true' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a nodeEnv with a slash', { nodeEnv: '../prod' }, 'nodeEnv'],
    ['a variable name with a dash', { portalApiEnvironment: { 'SMTP-HOST': 'x' } }, 'portalApiEnvironment.SMTP-HOST'],
    ['a variable the platform sets itself', { portalApiEnvironment: { NODE_ENV: 'x' } }, 'portalApiEnvironment.NODE_ENV'],
    ['a non-string value', { portalApiEnvironment: { PORT: 8080 } }, 'portalApiEnvironment.PORT'],
    ['a secret that is not an ecs.Secret', { portalApiSecrets: { TOKEN: 'plain' } }, 'portalApiSecrets.TOKEN'],
    ['a string strictValidation', { strictValidation: 'yes' }, 'strictValidation'],
  ])('refuses %s, naming the prop', (_name, props, prop) => {
    const act = (): unknown => resolveValidationProps(props as never, 'dev');
    expect(act).toThrow(InvalidPropError);
    expect(act).toThrow(prop);
  });
});

describe('a platform whose configuration calls its environment k8s', () => {
  let template: Template;

  beforeAll(() => {
    template = Template.fromStack(testStack({ envName: 'prod', nodeEnv: 'k8s', portalApiEnvironment: { SMTP_HOST: 'smtp.acme.example' }, strictValidation: true }));
  });

  it('runs the singletons with NODE_ENV=k8s and portal-api with the extra variable', () => {
    const portalApi = template.findResources('AWS::ECS::TaskDefinition', { Properties: { Family: 'wicked-prod-portal-api' } });
    const container = (Object.values(portalApi)[0] as { Properties: { ContainerDefinitions: Array<{ Environment: Array<{ Name: string; Value: string }> }> } }).Properties.ContainerDefinitions[0]!;
    expect(container.Environment).toEqual(expect.arrayContaining([{ Name: 'NODE_ENV', Value: 'k8s' }, { Name: 'SMTP_HOST', Value: 'smtp.acme.example' }]));
    const portal = template.findResources('AWS::ECS::TaskDefinition', { Properties: { Family: 'wicked-prod-portal' } });
    expect(JSON.stringify(portal)).toContain('{"Name":"NODE_ENV","Value":"k8s"}');
  });

  it('validates uploads for k8s with the same variables, strictly', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: Match.objectLike({ WICKED_NODE_ENV: 'k8s', WICKED_STRICT_VALIDATION: 'true', WICKED_PLATFORM_VARIABLES: Match.stringLikeRegexp('^NODE_ENV,PORTAL_CONFIG_KEY,.*SMTP_HOST$') }) } },
    });
    expect(Object.keys(functions)).toHaveLength(1);
  });

  it('writes the same NODE_ENV, variable names and strictness under /wicked/prod/ for wickedctl upload and promote', () => {
    const [build] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ WICKED_NODE_ENV: 'k8s' }) } } })) as { Properties: { Environment: { Variables: Record<string, string> } } }[];
    const variables = build!.Properties.Environment.Variables;
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/wicked/prod/node-env', Type: 'String', Value: variables.WICKED_NODE_ENV });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/wicked/prod/platform-variables', Type: 'StringList', Value: variables.WICKED_PLATFORM_VARIABLES });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/wicked/prod/strict-validation', Type: 'String', Value: 'true' });
    expect(variables.WICKED_STRICT_VALIDATION).toBe('true');
  });
});
