import { NAME_CONFLICT_STATUS_REASON } from '../../../local/cloudformation/early-validation';
import type { CreateChangeSetInput } from '../../../local/cloudformation/service';
import { CloudFormationService } from '../../../local/cloudformation/service';
import { fakeParameters, fakeWorld } from './fake-providers';

// CreateChangeSet's name conflict check and DescribeEvents, through the service with the fake providers: Test::Named
// takes part in the check, and its name exists when the world's `live` map holds it.

const environment = { account: '000000000000', region: 'us-east-1' };

function setup() {
  const world = fakeWorld();
  const service = new CloudFormationService({ environment, provider: world.provider, parameters: fakeParameters(), readTemplateUrl: async () => '' });
  return { world, service };
}

const input = (template: object, over: Partial<CreateChangeSetInput> = {}): CreateChangeSetInput => ({ StackName: 'app', ChangeSetName: 'cs', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(template), Parameters: [], Capabilities: [], Tags: [], ...over });

/** Creates and executes a change set that must succeed. */
async function deploy(service: CloudFormationService, template: object, over: Partial<CreateChangeSetInput> = {}): Promise<void> {
  const cs = await service.createChangeSet(input(template, over));
  if (cs.status === 'FAILED') throw new Error(cs.statusReason);
  void service.executeChangeSet(cs.id);
  await service.settled();
}

const named = (name: unknown) => ({ Type: 'Test::Named', Properties: { Name: name } });

describe('CreateChangeSet fails a change set that would add a resource whose name exists already (pre-deployment validation)', () => {
  it('a conflict: FAILED, UNAVAILABLE, the early validation reason; nothing created, the new stack stays REVIEW_IN_PROGRESS', async () => {
    const { service, world } = setup();
    world.live.set('wicked-prod-config', {});
    const cs = await service.createChangeSet(input({ Resources: { Config: named('wicked-prod-config'), Other: { Type: 'Test::Thing' } } }));
    expect({ status: cs.status, execution: cs.executionStatus, reason: cs.statusReason }).toEqual({ status: 'FAILED', execution: 'UNAVAILABLE', reason: NAME_CONFLICT_STATUS_REASON });
    expect(cs.statusReason).toContain('AWS::EarlyValidation'); // what the CDK CLI looks for before it asks DescribeEvents
    expect(cs.changes.map((c) => c.LogicalResourceId)).toEqual(['Config', 'Other']);
    expect(() => service.executeChangeSet(cs.id)).toThrow(/cannot be executed in its current execution status of \[UNAVAILABLE\]/);
    expect(world.calls).toEqual([]);
    expect(service.stack('app').status).toBe('REVIEW_IN_PROGRESS');
    const { OperationEvents } = service.describeEvents({ StackName: 'app', ChangeSetName: 'cs' });
    expect(OperationEvents.map((e) => [e.EventType, e.OperationStatus ?? e.ValidationStatus, e.LogicalResourceId, e.ValidationStatusReason, e.ValidationPath])).toEqual([
      ['STACK_EVENT', 'FAILED', undefined, undefined, undefined],
      ['VALIDATION_ERROR', 'FAILED', 'Config', "Resource of type 'Test::Named' with identifier 'wicked-prod-config' already exists.", '/Resources/Config'],
    ]);
    expect(OperationEvents.every((e) => e.OperationType === 'CREATE_CHANGESET' && e.OperationId === cs.operationId && e.StackId === cs.stackId)).toBe(true);
  });

  it('no conflict: CREATE_COMPLETE, and DescribeEvents has the operation\'s SUCCEEDED summary only', async () => {
    const { service, world } = setup();
    world.live.set('someone-else', {});
    const cs = await service.createChangeSet(input({ Resources: { Config: named('wicked-dev-config') } }));
    expect([cs.status, cs.executionStatus]).toEqual(['CREATE_COMPLETE', 'AVAILABLE']);
    expect(service.describeEvents({ ChangeSetName: cs.id }).OperationEvents.map((e) => [e.EventType, e.OperationStatus])).toEqual([['STACK_EVENT', 'SUCCEEDED']]);
    expect(service.describeEvents({ ChangeSetName: cs.id, FailedEvents: true }).OperationEvents).toEqual([]);
  });

  it('a name built with Fn::Join of a parameter and a pseudo parameter is resolved as the engine would', async () => {
    const { service, world } = setup();
    world.live.set('wicked-prod-us-east-1', {});
    const template = { Parameters: { Env: { Type: 'String' } }, Resources: { Config: named({ 'Fn::Join': ['-', ['wicked', { Ref: 'Env' }, { Ref: 'AWS::Region' }]] }) } };
    const clash = await service.createChangeSet(input(template, { Parameters: [{ ParameterKey: 'Env', ParameterValue: 'prod' }] }));
    expect(clash.status).toBe('FAILED');
    expect(service.describeEvents({ StackName: 'app', ChangeSetName: 'cs', FailedEvents: true }).OperationEvents[0]?.ValidationStatusReason).toBe("Resource of type 'Test::Named' with identifier 'wicked-prod-us-east-1' already exists.");
    const fine = await service.createChangeSet(input(template, { ChangeSetName: 'dev', Parameters: [{ ParameterKey: 'Env', ParameterValue: 'dev' }] }));
    expect(fine.status).toBe('CREATE_COMPLETE');
  });

  it('on UPDATE, what the stack itself holds is no conflict: a modified named resource, and a logical id renamed with the same name', async () => {
    const { service, world } = setup();
    await deploy(service, { Resources: { Config: named('wicked-config'), Table: named('wicked-ledger') } });
    const cs = await service.createChangeSet(input({ Resources: { Config: { ...named('wicked-config'), Metadata: { changed: true } }, Ledger: named('wicked-ledger') } }, { ChangeSetName: 'update', ChangeSetType: 'UPDATE' }));
    expect(cs.changes.map((c) => `${c.Action} ${c.LogicalResourceId}`)).toEqual(['Modify Config', 'Add Ledger', 'Remove Table']);
    expect(cs.status).toBe('CREATE_COMPLETE');
    // Another stack adding the same names conflicts with both.
    const other = await service.createChangeSet(input({ Resources: { A: named('wicked-config'), B: named('wicked-ledger') } }, { StackName: 'other' }));
    expect(other.status).toBe('FAILED');
    expect(service.describeEvents({ StackName: 'other', FailedEvents: true }).OperationEvents.map((e) => e.LogicalResourceId)).toEqual(['A', 'B']);
    expect([...world.live.keys()]).toEqual(['wicked-config', 'wicked-ledger']);
  });

  it('several conflicts: one VALIDATION_ERROR each, in template order; a free name beside them is not reported', async () => {
    const { service, world } = setup();
    for (const name of ['a', 'c', 'd']) world.live.set(name, {});
    const cs = await service.createChangeSet(input({ Resources: { A: named('a'), B: named('b'), C: named('c'), D: named('d') } }));
    const failed = service.describeEvents({ StackName: 'app', ChangeSetName: cs.name, FailedEvents: true }).OperationEvents;
    expect(failed.map((e) => [e.LogicalResourceId, e.ValidationName, e.ValidationFailureMode, e.PhysicalResourceId])).toEqual([
      ['A', 'NAME_CONFLICT_VALIDATION', 'FAIL', ''], ['C', 'NAME_CONFLICT_VALIDATION', 'FAIL', ''], ['D', 'NAME_CONFLICT_VALIDATION', 'FAIL', ''],
    ]);
    // Without the filter, the operation's summary comes first (newest first).
    expect(service.describeEvents({ StackName: 'app', ChangeSetName: cs.name }).OperationEvents.map((e) => e.EventType)).toEqual(['STACK_EVENT', 'VALIDATION_ERROR', 'VALIDATION_ERROR', 'VALIDATION_ERROR']);
  });

  it('paginates: every event once, in order, the last page without NextToken; a token it did not give out is refused', async () => {
    const { service, world } = setup();
    for (const name of ['a', 'b', 'c']) world.live.set(name, {});
    await service.createChangeSet(input({ Resources: { A: named('a'), B: named('b'), C: named('c') } }));
    const first = service.describeEvents({ StackName: 'app', ChangeSetName: 'cs' }, 2);
    expect(first.OperationEvents).toHaveLength(2);
    const second = service.describeEvents({ StackName: 'app', ChangeSetName: 'cs', NextToken: first.NextToken! }, 2);
    expect(second.NextToken).toBeUndefined();
    expect([...first.OperationEvents, ...second.OperationEvents]).toEqual(service.describeEvents({ StackName: 'app', ChangeSetName: 'cs' }).OperationEvents);
    expect(() => service.describeEvents({ StackName: 'app', NextToken: 'bogus' })).toThrow('NextToken "bogus" is not a token DescribeEvents gave out');
  });

  it('finds the events by change set ARN, by stack, by operation id, and after the change set and the stack are deleted', async () => {
    const { service, world } = setup();
    world.live.set('taken', {});
    const failed = await service.createChangeSet(input({ Resources: { A: named('taken') } }));
    const stackId = failed.stackId;
    service.deleteChangeSet(failed.id);
    void service.deleteStack('app');
    await service.settled();
    const byArn = service.describeEvents({ ChangeSetName: failed.id }).OperationEvents;
    expect(byArn.map((e) => e.EventType)).toEqual(['STACK_EVENT', 'VALIDATION_ERROR']);
    expect(service.describeEvents({ StackName: stackId }).OperationEvents).toEqual(byArn);
    expect(service.describeEvents({ OperationId: failed.operationId }).OperationEvents).toEqual(byArn);
    expect(service.describeEvents({ StackName: stackId, OperationId: 'another' }).OperationEvents).toEqual([]);
  });

  it.each<[string, Parameters<CloudFormationService['describeEvents']>[0], string, string]>([
    ['an unknown change set name', { StackName: 'app', ChangeSetName: 'nope' }, 'ChangeSetNotFound', 'ChangeSet [nope] does not exist'],
    ['an unknown change set ARN', { ChangeSetName: 'arn:aws:cloudformation:us-east-1:000000000000:changeSet/nope/1' }, 'ChangeSetNotFound', 'ChangeSet [arn:aws:cloudformation:us-east-1:000000000000:changeSet/nope/1] does not exist'],
    ['a change set name in a stack that does not exist', { StackName: 'absent', ChangeSetName: 'cs' }, 'ChangeSetNotFound', 'ChangeSet [cs] does not exist'],
    ['a change set name without its stack', { ChangeSetName: 'cs' }, 'ValidationError', 'ChangeSetName "cs" is a name: give its stack as StackName, or the change set\'s ARN'],
    ['a stack that does not exist', { StackName: 'absent' }, 'ValidationError', 'Stack with id absent does not exist'],
    ['an unknown operation id', { OperationId: 'op' }, 'ValidationError', 'Operation op does not exist'],
    ['none of ChangeSetName, OperationId, StackName', {}, 'ValidationError', 'One of ChangeSetName, OperationId or StackName must be specified; received none of them'],
  ])('DescribeEvents of %s: %s', async (_case, query, code, message) => {
    const { service } = setup();
    await service.createChangeSet(input({ Resources: { A: named('free') } }));
    let caught: unknown;
    try { service.describeEvents(query); } catch (error) { caught = error; }
    expect(caught).toMatchObject({ code, message, status: code === 'ChangeSetNotFound' ? 404 : 400 });
  });
});
