import { inventory } from '../../../local/cloudformation/inventory';
import { CloudFormationService } from '../../../local/cloudformation/service';
import type { Stack } from '../../../local/cloudformation/model';
import { fakeParameters, fakeWorld } from './fake-providers';

const environment = { account: '000000000000', region: 'us-east-1' };

function setup(parameters = fakeParameters({ '/cdk-bootstrap/hnb659fds/version': '30' })) {
  const world = fakeWorld();
  const service = new CloudFormationService({ environment, provider: world.provider, parameters, readTemplateUrl: async () => { throw new Error('no URLs here'); } });
  return { world, service, parameters };
}

async function deploy(service: CloudFormationService, template: object, name = 'cs-1', params: { ParameterKey: string; ParameterValue: string }[] = []): Promise<Stack> {
  const exists = service.liveStacks().some((s) => s.stackName === 'app' && s.status !== 'REVIEW_IN_PROGRESS');
  const cs = await service.createChangeSet({ StackName: 'app', ChangeSetName: name, ChangeSetType: exists ? 'UPDATE' : 'CREATE', TemplateBody: JSON.stringify(template), Parameters: params, Capabilities: [], Tags: [] });
  if (cs.status === 'FAILED') throw new Error(cs.statusReason);
  service.executeChangeSet(cs.id);
  await service.settled();
  return service.stack('app');
}

const statuses = (stack: Stack, logicalId: string) => stack.events.filter((e) => e.LogicalResourceId === logicalId).map((e) => e.ResourceStatus).reverse();

describe('CloudFormationService', () => {
  it('creates in dependency order, resolves outputs and exports', async () => {
    const { service, world } = setup();
    const stack = await deploy(service, {
      Resources: { Topic: { Type: 'Test::Thing', Properties: { Target: { 'Fn::GetAtt': ['Queue', 'Arn'] } } }, Queue: { Type: 'Test::Thing' } },
      Outputs: { TopicRef: { Value: { Ref: 'Topic' }, Export: { Name: 'app-topic' } } },
    });
    expect(world.calls).toEqual(['create Queue', 'create Topic']);
    expect(stack.status).toBe('CREATE_COMPLETE');
    expect(stack.outputs).toEqual([{ OutputKey: 'TopicRef', OutputValue: 'Topic-2', ExportName: 'app-topic' }]);
    expect(service.exports.get('app-topic')?.value).toBe('Topic-2');
    expect(world.live.get('Topic-2')).toEqual({ Target: 'arn:test:Queue-1' });
  });

  it('lists the live stacks\' resources with whether they are emulated or only recorded', async () => {
    const world = fakeWorld();
    const recorded = { ...world.provider('Test::Thing'), emulated: false };
    const service = new CloudFormationService({ environment, provider: (type) => (type === 'Test::Recorded' ? recorded : world.provider(type)), parameters: fakeParameters(), readTemplateUrl: async () => '' });
    await deploy(service, { Resources: { Vpc: { Type: 'Test::Recorded', Properties: { Name: 'vpc-1' } }, Bucket: { Type: 'Test::Thing', Properties: { Name: 'b-1' } } } });
    expect(inventory(service.liveStacks())).toEqual([
      { stack: 'app', logicalId: 'Vpc', type: 'Test::Recorded', physicalId: 'vpc-1', status: 'CREATE_COMPLETE', kind: 'recorded, not emulated' },
      { stack: 'app', logicalId: 'Bucket', type: 'Test::Thing', physicalId: 'b-1', status: 'CREATE_COMPLETE', kind: 'emulated' },
    ]);
  });

  it('rolls a failed create back: CREATE_FAILED, created resources deleted, retained ones left, ROLLBACK_COMPLETE', async () => {
    const { service, world } = setup();
    const stack = await deploy(service, {
      Resources: {
        Kept: { Type: 'Test::Thing', DeletionPolicy: 'Retain', Properties: { Name: 'kept' } },
        Gone: { Type: 'Test::Thing', Properties: { Name: 'gone' } },
        Bad: { Type: 'Test::Failing', DependsOn: ['Kept', 'Gone'], Properties: { Reason: 'image does not exist' } },
      },
    });
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.statusReason).toMatch(/^The following resource\(s\) failed to create: \[Bad\]/);
    expect(statuses(stack, 'Bad')).toEqual(['CREATE_IN_PROGRESS', 'CREATE_FAILED']);
    expect(stack.events.find((e) => e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toMatch(/Bad \(Test::Failing\): image does not exist/);
    expect(statuses(stack, 'Kept').at(-1)).toBe('DELETE_SKIPPED');
    expect([...world.live.keys()]).toEqual(['kept']);
    expect(world.calls).toEqual(['create Kept', 'create Gone', 'create Bad', 'delete Gone']);
  });

  it('fails a resource whose property uses an unsupported intrinsic, naming logical id and property', async () => {
    const { service } = setup();
    const stack = await deploy(service, { Resources: { Net: { Type: 'Test::Thing', Properties: { Cidrs: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] } } } } });
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.events.find((e) => e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toMatch(/^Net\.Properties\.Cidrs: Fn::Cidr: this intrinsic function is not emulated/);
  });

  it('fails a resource with a property its provider does not understand, naming it, before calling the provider', async () => {
    const { service, world } = setup();
    const stack = await deploy(service, { Resources: { S: { Type: 'Test::Strict', Properties: { Name: 's', Replicas: 3 } } } });
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.events.find((e) => e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toBe('S.Properties.Replicas: not understood by the emulated Test::Strict; it understands Name, Size');
    expect(world.calls).toEqual([]);
  });

  it('updates only what changed, replaces on a name change honouring UpdateReplacePolicy, removes what left', async () => {
    const { service, world } = setup();
    await deploy(service, { Resources: { A: { Type: 'Test::Thing', Properties: { Size: 1 } }, B: { Type: 'Test::Thing', Properties: { Name: 'b1' }, UpdateReplacePolicy: 'Retain' }, C: { Type: 'Test::Thing' }, D: { Type: 'Test::Thing' } } });
    world.calls.length = 0;
    const stack = await deploy(service, { Resources: { A: { Type: 'Test::Thing', Properties: { Size: 2 } }, B: { Type: 'Test::Thing', Properties: { Name: 'b2' }, UpdateReplacePolicy: 'Retain' }, C: { Type: 'Test::Thing' } } }, 'cs-2');
    expect(stack.status).toBe('UPDATE_COMPLETE');
    expect(world.calls).toEqual(['update A', 'update B', 'create B', 'delete D']);
    expect(world.live.has('b1')).toBe(true); // replaced but retained
    expect(world.live.has('b2')).toBe(true);
    expect([...stack.resources.keys()]).toEqual(['A', 'B', 'C']);
  });

  it('rolls a failed update back to the previous resources: UPDATE_ROLLBACK_COMPLETE', async () => {
    const { service, world } = setup();
    await deploy(service, { Resources: { A: { Type: 'Test::Thing', Properties: { Size: 1 } } } });
    world.calls.length = 0;
    const stack = await deploy(service, { Resources: { A: { Type: 'Test::Thing', Properties: { Size: 2 } }, New: { Type: 'Test::Thing', DependsOn: 'A' }, Bad: { Type: 'Test::Failing', DependsOn: 'New', Properties: { Reason: 'nope' } } } }, 'cs-2');
    expect(stack.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(world.calls).toEqual(['update A', 'create New', 'create Bad', 'delete New', 'update A']);
    expect([...stack.resources.keys()]).toEqual(['A']);
    expect(world.live.get('A-1')).toEqual({ Size: 1 });
  });

  it('answers a change set without changes as AWS does', async () => {
    const { service } = setup();
    const template = { Resources: { A: { Type: 'Test::Thing' } } };
    await deploy(service, template);
    const cs = await service.createChangeSet({ StackName: 'app', ChangeSetName: 'again', ChangeSetType: 'UPDATE', TemplateBody: JSON.stringify(template), Parameters: [], Capabilities: [], Tags: [] });
    expect(cs.status).toBe('FAILED');
    expect(cs.statusReason).toBe("The submitted information didn't contain changes. Submit different information to create a change set.");
    expect(() => service.executeChangeSet(cs.id)).toThrow(/cannot be executed in its current execution status of \[UNAVAILABLE\]/);
  });

  it('deletes in reverse order, skipping retained resources, and forgets the stack name', async () => {
    const { service, world } = setup();
    await deploy(service, { Resources: { A: { Type: 'Test::Thing' }, B: { Type: 'Test::Thing', DependsOn: 'A', DeletionPolicy: 'Retain' }, C: { Type: 'Test::Thing', DependsOn: 'B' } } });
    world.calls.length = 0;
    const id = service.stack('app').stackId;
    service.deleteStack('app');
    await service.settled();
    expect(world.calls).toEqual(['delete C', 'delete A']);
    expect(service.stack(id).status).toBe('DELETE_COMPLETE');
    expect(() => service.stack('app')).toThrow('Stack with id app does not exist');
  });

  it('reads SSM-typed parameters and checks the CDK bootstrap version rule', async () => {
    const { service, parameters } = setup();
    const template = {
      Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' } },
      Rules: { CheckBootstrapVersion: { Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Contains': [['1', '2', '3', '4', '5'], { Ref: 'BootstrapVersion' }] }] }, AssertDescription: 'CDK bootstrap stack version 6 required.' }] } },
      Resources: { A: { Type: 'Test::Thing', Properties: { V: { Ref: 'BootstrapVersion' } } } },
    };
    const stack = await deploy(service, template);
    expect(stack.parameters).toEqual([{ key: 'BootstrapVersion', value: '/cdk-bootstrap/hnb659fds/version', resolved: '30', ssm: true }]);
    expect([...stack.resources.values()][0]!.properties).toEqual({ V: '30' });
    parameters.values.set('/cdk-bootstrap/hnb659fds/version', '5');
    await expect(service.createChangeSet({ StackName: 'other', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(template), Parameters: [], Capabilities: [], Tags: [] })).rejects.toThrow('CDK bootstrap stack version 6 required.');
    parameters.values.clear();
    await expect(service.createChangeSet({ StackName: 'other', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(template), Parameters: [], Capabilities: [], Tags: [] })).rejects.toThrow('Unable to fetch parameters [/cdk-bootstrap/hnb659fds/version] from parameter store for this account.');
  });

  it.each<[string, object, { ParameterKey: string; ParameterValue: string }[], RegExp]>([
    ['a parameter without a value', { Parameters: { Env: { Type: 'String' } } }, [], /Parameters: \[Env\] must have values/],
    ['a parameter the template does not declare', {}, [{ ParameterKey: 'Nope', ParameterValue: 'x' }], /Parameters: \[Nope\] do not exist in the template/],
    ['a value outside AllowedValues', { Parameters: { Env: { Type: 'String', AllowedValues: ['dev', 'prod'] } } }, [{ ParameterKey: 'Env', ParameterValue: 'qa' }], /must be one of AllowedValues \(dev, prod\); received "qa"/],
  ])('refuses %s', async (_name, extra, params, message) => {
    const { service } = setup();
    await expect(service.createChangeSet({ StackName: 'app', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify({ ...extra, Resources: { A: { Type: 'Test::Thing' } } }), Parameters: params, Capabilities: [], Tags: [] })).rejects.toThrow(message);
  });

  it('skips resources whose Condition is false and evaluates Fn::If by conditions', async () => {
    const { service, world } = setup();
    const stack = await deploy(service, {
      Parameters: { Env: { Type: 'String', Default: 'dev' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
      Resources: { Replica: { Type: 'Test::Thing', Condition: 'IsProd' }, Main: { Type: 'Test::Thing', Properties: { Size: { 'Fn::If': ['IsProd', 10, 1] } } } },
    });
    expect(world.calls).toEqual(['create Main']);
    expect(stack.resources.get('Main')?.properties).toEqual({ Size: 1 });
  });
});
