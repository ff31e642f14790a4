import { Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { BASE_IMAGE_RESOURCE_TYPE } from '../../../infra/constructs/base-image-change';
import type { WickedPlatformProps } from '../../../infra/props';
import { BaseImageChangedDetailSchema, BASE_IMAGE_CHANGED, EVENT_SOURCE } from '../../../shared/events';
import { testApp, testStack } from '../helpers';

interface Announce { Properties: { Create: unknown; Update: unknown }; DependsOn?: string[] }

/** The resolved announcement resource of a fresh `wicked-dev` stack with these props. */
function announce(props: Partial<WickedPlatformProps> = {}): { resource: Announce; stack: Stack } {
  const stack = testStack({ envName: 'dev', ...props }, testApp());
  const resources = Template.fromStack(stack).findResources(BASE_IMAGE_RESOURCE_TYPE);
  expect(Object.keys(resources)).toHaveLength(1);
  return { resource: Object.values(resources)[0] as Announce, stack };
}

/** The SDK call of a Create/Update property with the stack's tokens named: `{ service, action, parameters }`. */
function callOf(property: unknown): { action: string; parameters: { Entries: { Source: string; DetailType: string; Detail: string; EventBusName: string }[] } } {
  const joined = property as { 'Fn::Join': [string, unknown[]] };
  const text = joined['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : `<${Object.keys(part as object)[0]}:${String(Object.values(part as object)[0])}>`)).join('');
  return JSON.parse(text) as ReturnType<typeof callOf>;
}

let dev: ReturnType<typeof announce>;
beforeAll(() => {
  dev = announce();
});

describe('BaseImageChange', () => {
  it('puts one Portal Base Image Changed {env, baseImage} on the default bus on create and on update, nothing on delete', () => {
    const { resource } = dev;
    expect(resource.Properties.Create).toEqual(resource.Properties.Update);
    const call = callOf(resource.Properties.Create);
    expect(call.action).toBe('PutEvents');
    expect(call.parameters.Entries).toHaveLength(1);
    const entry = call.parameters.Entries[0]!;
    expect(entry).toMatchObject({ EventBusName: 'default', Source: EVENT_SOURCE, DetailType: BASE_IMAGE_CHANGED });
    const detail = BaseImageChangedDetailSchema.parse(JSON.parse(entry.Detail));
    expect(detail).toMatchObject({ env: 'dev', requestedBy: 'cdk-deploy' });
    expect(detail.baseImage).toMatch(/\/docker-hub\/haufelexware\/wicked\.api:1\.0\.0$/);
    expect(resource.Properties).not.toHaveProperty('Delete');
  });

  it('changes its properties (so CloudFormation updates it and the event fires) when the wicked version changes, and only then', () => {
    const base = JSON.stringify(dev.resource.Properties);
    expect(JSON.stringify(announce().resource.Properties)).toBe(base);
    expect(JSON.stringify(announce({ buildImageRetentionCount: 7, configNoncurrentVersionDays: 90 }).resource.Properties)).toBe(base);
    const upgraded = announce({ wickedVersion: '1.0.1' }).resource.Properties;
    expect(JSON.stringify(upgraded)).not.toBe(base);
    expect(JSON.stringify(upgraded)).toBe(base.replace(/wicked\.api:1\.0\.0/g, 'wicked.api:1.0.1'));
  });

  it('fires after its consumer exists: it depends on build-image (with the base image and ledger in its environment) and on the BaseImageChanged rule', () => {
    const { resource, stack } = dev;
    const template = Template.fromStack(stack);
    const [fnId] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, fn]) => (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'build-image')!;
    const [ruleId] = Object.entries(template.findResources('AWS::Events::Rule')).find(([, rule]) => JSON.stringify(rule).includes(BASE_IMAGE_CHANGED))!;
    expect(resource.DependsOn).toEqual(expect.arrayContaining([fnId, ruleId]));
    const vars = (template.findResources('AWS::Lambda::Function')[fnId] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(['BASE_IMAGE', 'LEDGER_TABLE_NAME']));
  });

  it('lets the provider put events only on the default bus', () => {
    const template = Template.fromStack(dev.stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement)
      .filter((s) => s.Action === 'events:PutEvents' && JSON.stringify(s.Resource).includes('event-bus/default'));
    expect(statements.length).toBeGreaterThan(0);
  });
});
