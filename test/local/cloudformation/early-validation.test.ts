import { changeSetOperationEvents, NAME_CONFLICT_VALIDATION, nameConflicts, namedAdditions } from '../../../local/cloudformation/early-validation';
import type { DeployedResource, ResourceChange } from '../../../local/cloudformation/model';
import type { NameConflictCheck, ResourceProvider } from '../../../local/cloudformation/providers/provider';
import { scopeFactory } from '../../../local/cloudformation/scope';
import type { Template } from '../../../local/cloudformation/template';

const environment = { account: '000000000000', region: 'us-east-1' };
const stack = { stackName: 'app', stackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/app/1' };
const check: NameConflictCheck = { name: 'Name', within: ['Group'], existing: async () => undefined };
const provider = (type: string): ResourceProvider => ({ emulated: true, create: async () => ({ physicalId: 'x' }), delete: async () => undefined, ...(type === 'Test::Named' ? { nameConflict: check } : {}) });
const existing = (logicalId: string, physicalId: string, type = 'Test::Named'): DeployedResource => ({
  logicalId, type, physicalId, properties: {}, attributes: { Arn: `arn:test:${physicalId}` }, definition: { Type: type }, status: 'CREATE_COMPLETE', lastUpdated: new Date(0), emulated: true,
});

describe('namedAdditions: which added resources have a name known before execution', () => {
  const additions = (properties: Record<string, unknown>, options: { action?: ResourceChange['Action']; type?: string; resources?: DeployedResource[] } = {}) => {
    const template: Template = {
      Parameters: { Env: { Type: 'String' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
      Mappings: { Names: { dev: { Suffix: 'd' } } },
      Resources: { Res: { Type: options.type ?? 'Test::Named', Properties: properties }, Other: { Type: 'Test::Named' } },
    };
    const resources = new Map((options.resources ?? []).map((r) => [r.logicalId, r]));
    const scopeOf = scopeFactory({ stack, template, parameters: [{ key: 'Env', value: 'dev', resolved: 'dev', ssm: false }], resources, exports: new Map([['shared-name', 'imported']]), environment });
    const change: ResourceChange = { Action: options.action ?? 'Add', LogicalResourceId: 'Res', ResourceType: options.type ?? 'Test::Named' };
    return namedAdditions([change], template, provider, scopeOf).map(({ name, within }) => ({ name, within }));
  };

  it.each<[string, Record<string, unknown>, { name: string; within: Record<string, string | undefined> }[]]>([
    ['a literal name', { Name: 'wicked-prod' }, [{ name: 'wicked-prod', within: { Group: undefined } }]],
    ['Fn::Join of a parameter and a pseudo parameter', { Name: { 'Fn::Join': ['-', ['wicked', { Ref: 'Env' }, { Ref: 'AWS::Region' }]] } }, [{ name: 'wicked-dev-us-east-1', within: { Group: undefined } }]],
    ['Fn::Sub with the stack name', { Name: { 'Fn::Sub': '${AWS::StackName}-${Env}' } }, [{ name: 'app-dev', within: { Group: undefined } }]],
    ['Fn::If on a condition, Fn::FindInMap, Fn::ImportValue', { Name: { 'Fn::If': ['IsProd', 'p', { 'Fn::Join': ['', [{ 'Fn::FindInMap': ['Names', 'dev', 'Suffix'] }, { 'Fn::ImportValue': 'shared-name' }]] }] } }, [{ name: 'dimported', within: { Group: undefined } }]],
    ['a name and the group it is unique within', { Name: 'daily', Group: { 'Fn::Sub': 'wicked-${Env}' } }, [{ name: 'daily', within: { Group: 'wicked-dev' } }]],
    ['no name: CloudFormation generates one', { Size: 1 }, []],
    ['AWS::NoValue: no name', { Name: { Ref: 'AWS::NoValue' } }, []],
    ['Ref of a resource the change set creates: not known before execution', { Name: { Ref: 'Other' } }, []],
    ['Fn::GetAtt of a resource not created yet: not known before execution', { Name: { 'Fn::GetAtt': ['Other', 'Arn'] } }, []],
    ['a group that is not known before execution: the whole check is skipped', { Name: 'daily', Group: { Ref: 'Other' } }, []],
    ['an intrinsic the emulator does not run: left to the execution, which names it', { Name: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] } }, []],
    ['a list where a name is expected: left to the execution', { Name: ['a', 'b'] }, []],
  ])('%s', (_case, properties, expected) => {
    expect(additions(properties)).toEqual(expected);
  });

  it('resolves Ref and Fn::GetAtt of a resource the stack holds and the change set leaves alone', () => {
    const resources = [existing('Other', 'other-1')];
    expect(additions({ Name: { 'Fn::Join': ['-', [{ Ref: 'Other' }, { 'Fn::GetAtt': ['Other', 'Arn'] }]] } }, { resources })).toEqual([{ name: 'other-1-arn:test:other-1', within: { Group: undefined } }]);
  });

  it.each<[string, { action?: ResourceChange['Action']; type?: string }]>([
    ['a modified resource (only additions are checked)', { action: 'Modify' }],
    ['a removed resource', { action: 'Remove' }],
    ['a type whose provider takes no part (AWS does not check it)', { type: 'Test::Unchecked' }],
  ])('skips %s', (_case, options) => {
    expect(additions({ Name: 'x' }, options)).toEqual([]);
  });
});

describe('nameConflicts: what the services already hold', () => {
  const lookup = (names: string[]): NameConflictCheck => ({ name: 'Name', existing: async (name) => (names.includes(name) ? name : undefined) });

  it('names each addition that exists, in order, but not one the stack itself holds under another logical id', async () => {
    const services = lookup(['taken-1', 'ours', 'taken-2']);
    const additions = [
      { logicalId: 'A', type: 'Test::Named', name: 'taken-1', within: {}, check: services },
      { logicalId: 'B', type: 'Test::Named', name: 'free', within: {}, check: services },
      { logicalId: 'C', type: 'Test::Named', name: 'ours', within: {}, check: services },
      { logicalId: 'D', type: 'Test::Named', name: 'taken-2', within: {}, check: services },
    ];
    const owned = new Map([['Old', existing('Old', 'ours')], ['Elsewhere', existing('Elsewhere', 'taken-2', 'Test::Other')]]);
    expect(await nameConflicts(additions, owned)).toEqual([
      { logicalId: 'A', type: 'Test::Named', identifier: 'taken-1' },
      { logicalId: 'D', type: 'Test::Named', identifier: 'taken-2' },
    ]);
  });

  it('fails naming the resource and the name when a look-up fails for another reason than "not found"', async () => {
    const broken: NameConflictCheck = { name: 'Name', existing: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:1'); } };
    await expect(nameConflicts([{ logicalId: 'Bucket', type: 'AWS::S3::Bucket', name: 'b', within: {}, check: broken }], new Map()))
      .rejects.toThrow("resource name conflict check of Bucket (AWS::S3::Bucket 'b'): connect ECONNREFUSED 127.0.0.1:1");
  });
});

describe('changeSetOperationEvents: what DescribeEvents says of a change set\'s creation', () => {
  const times = { startTime: new Date('2026-01-01T00:00:00.000Z'), checkedAt: new Date('2026-01-01T00:00:01.000Z'), endTime: new Date('2026-01-01T00:00:02.000Z') };
  const ids = { stackId: stack.stackId, operationId: 'op-1' };

  it('a failed check: the FAILED summary first, then one validation error per conflict, as the user guide\'s example answer', () => {
    const events = changeSetOperationEvents({ ...ids, ...times, failed: true, conflicts: [{ logicalId: 'Repo', type: 'AWS::S3::Bucket', identifier: 'wicked-prod-config' }] });
    expect(events).toEqual([
      { EventId: expect.any(String), StackId: stack.stackId, OperationId: 'op-1', OperationType: 'CREATE_CHANGESET', OperationStatus: 'FAILED', EventType: 'STACK_EVENT', Timestamp: times.endTime, StartTime: times.startTime, EndTime: times.endTime },
      {
        EventId: expect.any(String), StackId: stack.stackId, OperationId: 'op-1', OperationType: 'CREATE_CHANGESET', EventType: 'VALIDATION_ERROR',
        LogicalResourceId: 'Repo', PhysicalResourceId: '', ResourceType: 'AWS::S3::Bucket', Timestamp: times.checkedAt,
        ValidationFailureMode: 'FAIL', ValidationName: NAME_CONFLICT_VALIDATION, ValidationStatus: 'FAILED',
        ValidationStatusReason: "Resource of type 'AWS::S3::Bucket' with identifier 'wicked-prod-config' already exists.", ValidationPath: '/Resources/Repo',
      },
    ]);
    expect(new Set(events.map((e) => e.EventId)).size).toBe(2);
  });

  it('a change set created: its summary SUCCEEDED, nothing else', () => {
    expect(changeSetOperationEvents({ ...ids, ...times, failed: false, conflicts: [] }).map((e) => [e.EventType, e.OperationStatus])).toEqual([['STACK_EVENT', 'SUCCEEDED']]);
  });
});
