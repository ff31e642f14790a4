import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { SINGLETON_COUNTS_RESOURCE_TYPE, SingletonCounts } from '../../../infra/constructs/singleton-counts';
import { logicalId, testApp, testStack } from '../helpers';

type Resource = { Type: string; Properties: Record<string, unknown> };

/** The one counts resource of a template. */
function countsOf(template: Template): Resource {
  const found = Object.values(template.findResources(SINGLETON_COUNTS_RESOURCE_TYPE)) as Resource[];
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Property names in lower case (the L1 `enableEcsManagedTags` is CloudFormation's `EnableECSManagedTags`), intrinsics untouched. */
function lowerNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerNames);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => (/^(Ref|Fn::)/.test(k) ? [k, v] : [k.toLowerCase(), lowerNames(v)])));
}

interface Variant { readonly image?: string; readonly minHealthyPercent?: number; readonly services?: readonly string[] }

/** A small stack with the counts and one Fargate service per name, the variant's knobs applied. */
function small(variant: Variant = {}): { stack: Stack; counts: SingletonCounts; services: Record<string, ecs.FargateService> } {
  const stack = new Stack(new App(), 'small');
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 }) });
  const names = variant.services ?? ['portal-api', 'portal'];
  const counts = new SingletonCounts(stack, 'Counts', { cluster, services: names, removalPolicy: RemovalPolicy.DESTROY });
  const services = Object.fromEntries(names.map((name) => {
    const task = new ecs.FargateTaskDefinition(stack, `${name}Task`);
    task.addContainer(name, { image: ecs.ContainerImage.fromRegistry(variant.image ?? 'haufelexware/wicked.portal:1.0.0') });
    const service = new ecs.FargateService(stack, `${name}Service`, {
      cluster, taskDefinition: task, serviceName: name, desiredCount: counts.countOf(name), minHealthyPercent: variant.minHealthyPercent ?? 0, maxHealthyPercent: 100,
    });
    counts.watch(name, service);
    return [name, service];
  }));
  return { stack, counts, services };
}

describe('the singleton counts resource in the template', () => {
  it('is the same, byte for byte, in two synths of the same app (an unchanged app deploys as "(no changes)")', () => {
    const first = Template.fromStack(testStack({ envName: 'dev' }, testApp())).toJSON();
    const second = Template.fromStack(testStack({ envName: 'dev' }, testApp())).toJSON();

    expect(JSON.stringify(countsOf(Template.fromJSON(second)))).toBe(JSON.stringify(countsOf(Template.fromJSON(first))));
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('carries each service\'s own properties without DesiredCount, so CloudFormation runs it exactly when it updates a service', () => {
    const { stack, services } = small();
    const template = Template.fromStack(stack);
    const props = countsOf(template).Properties;
    const serviceProps = (name: string) => (template.findResources('AWS::ECS::Service') as Record<string, Resource>)[logicalId(stack, services[name]!)]!.Properties;

    expect(props.Services).toEqual(['portal-api', 'portal']);
    const carried = props.ServiceProperties as Record<string, Record<string, unknown>>;
    expect(Object.keys(carried)).toEqual(['portal-api', 'portal']);
    for (const name of ['portal-api', 'portal']) {
      const { DesiredCount, ...rest } = serviceProps(name);
      expect(DesiredCount).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.node.findChild('Counts').node.findChild('Resource')), name.replace('-', '')] });
      // The same properties under the L1 names (taskDefinition for TaskDefinition, ...): nothing left out but the count.
      expect(lowerNames(carried[name])).toEqual(lowerNames(rest));
      expect(carried[name]).not.toHaveProperty('desiredCount');
      // The task definition by reference: a changed task definition is a new revision, whose ARN CloudFormation resolves here at deploy time.
      expect(carried[name]!.taskDefinition).toEqual({ Ref: logicalId(stack, services[name]!.taskDefinition) });
    }
  });

  it.each<[string, Variant]>([
    ['a service property', { minHealthyPercent: 50 }],
    ['the list of services (a component added)', { services: ['portal-api', 'portal', 'portal-auth'] }],
  ])('changes with %s', (_, variant) => {
    const before = countsOf(Template.fromStack(small().stack)).Properties;
    const after = countsOf(Template.fromStack(small(variant).stack)).Properties;

    expect(JSON.stringify(after.ServiceProperties)).not.toBe(JSON.stringify(before.ServiceProperties));
  });

  it('changes at deploy time with a task definition: its text stays, the task definition it refers to changes (and is replaced)', () => {
    const before = Template.fromStack(small().stack).toJSON() as { Resources: Record<string, Resource> };
    const after = Template.fromStack(small({ image: 'haufelexware/wicked.portal:1.0.1' }).stack).toJSON() as { Resources: Record<string, Resource> };
    const counts = (t: typeof before) => Object.values(t.Resources).find((r) => r.Type === SINGLETON_COUNTS_RESOURCE_TYPE)!;
    const referenced = (t: typeof before) => ((counts(t).Properties.ServiceProperties as Record<string, { taskDefinition: { Ref: string } }>).portal!.taskDefinition.Ref);

    expect(JSON.stringify(counts(after))).toBe(JSON.stringify(counts(before)));
    expect(referenced(after)).toBe(referenced(before));
    expect(JSON.stringify(after.Resources[referenced(after)]!.Properties)).not.toBe(JSON.stringify(before.Resources[referenced(before)]!.Properties));
  });

  it('names no service it does not count, and fails the synth when a counted service is not watched', () => {
    const { counts, services } = small();
    expect(() => counts.watch('portal-chatbot', services.portal!)).toThrow('SingletonCounts: cannot watch "portal-chatbot": expected one of portal-api, portal');

    const stack = new Stack(new App(), 'unwatched');
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 }) });
    new SingletonCounts(stack, 'Counts', { cluster, services: ['portal-api'], removalPolicy: RemovalPolicy.DESTROY });
    expect(() => Template.fromStack(stack)).toThrow(/no service watched for "portal-api"/);
  });
});
