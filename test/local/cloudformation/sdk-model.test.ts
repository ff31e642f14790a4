import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cfn from '@aws-sdk/client-cloudformation';
import { parseXML } from '@aws-sdk/xml-builder';
import type { Cloud } from '../../../local/cloud';
import { startCloud } from '../../../local/cloud';
import { capturingHandler } from '../../helpers/sdk-model';
import type { CapturedResponse, EnumTable } from '../../helpers/sdk-model';
import { queryAnswerProblems, queryModelDifferences } from '../../helpers/sdk-query-model';

// The CloudFormation API of the local cloud against @aws-sdk/client-cloudformation's own model: every action the CDK CLI
// calls for `cdk bootstrap`, `cdk deploy`, `cdk diff` and `cdk destroy` (its toolkit's SDK wrapper: DescribeStacks,
// CreateChangeSet, DescribeChangeSet, ExecuteChangeSet, DeleteChangeSet, DescribeStackEvents, GetTemplate,
// GetTemplateSummary, ListStackResources, DescribeStackResources, ListExports, ListStacks, DeleteStack), plus the other
// actions the emulator serves, through the real client against a running startCloud. The e2e runs of the real CLI
// (test/e2e/cdk-cli*.test.ts: bootstrap, deploy, no-change deploy, update, failed create, destroy) sent exactly
// CreateChangeSet, DescribeChangeSet, ExecuteChangeSet, DeleteChangeSet, DescribeStacks, DescribeStackEvents,
// DescribeStackResources, GetTemplate and DeleteStack (counted by logging the server's actions once). DescribeEvents,
// which the CLI asks when a change set fails (the name conflict check), has its own describe below.

/**
 * Enum-typed members of the answers, with the SDK's enum objects. A stack event of the stack itself carries the stack's
 * status (REVIEW_IN_PROGRESS, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, ...), which the model's ResourceStatus does not list:
 * "Stack status codes" in the user guide's "View CloudFormation stack events"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html).
 */
const ENUMS: EnumTable = {
  'Stack.StackStatus': cfn.StackStatus, 'Stack.Capabilities': cfn.Capability, 'StackDriftInformation.StackDriftStatus': cfn.StackDriftStatus,
  'StackSummary.StackStatus': cfn.StackStatus, 'StackEvent.ResourceStatus': { ...cfn.ResourceStatus, ...cfn.StackStatus },
  'StackResource.ResourceStatus': cfn.ResourceStatus, 'StackResourceDetail.ResourceStatus': cfn.ResourceStatus, 'StackResourceSummary.ResourceStatus': cfn.ResourceStatus,
  'StackResourceDriftInformation.StackResourceDriftStatus': cfn.StackResourceDriftStatus, 'StackResourceDriftInformationSummary.StackResourceDriftStatus': cfn.StackResourceDriftStatus,
  'DescribeChangeSetOutput.Status': cfn.ChangeSetStatus, 'DescribeChangeSetOutput.ExecutionStatus': cfn.ExecutionStatus, 'DescribeChangeSetOutput.Capabilities': cfn.Capability,
  'ChangeSetSummary.Status': cfn.ChangeSetStatus, 'ChangeSetSummary.ExecutionStatus': cfn.ExecutionStatus,
  'Change.Type': cfn.ChangeType, 'ResourceChange.Action': cfn.ChangeAction, 'ResourceChange.Replacement': cfn.Replacement, 'ResourceChange.Scope': cfn.ResourceAttribute,
  'GetTemplateOutput.StagesAvailable': cfn.TemplateStage, 'GetTemplateSummaryOutput.Capabilities': cfn.Capability, 'ValidateTemplateOutput.Capabilities': cfn.Capability,
  'OperationEvent.OperationType': cfn.OperationType, 'OperationEvent.OperationStatus': cfn.BeaconStackOperationStatus, 'OperationEvent.EventType': cfn.EventType,
  'OperationEvent.ValidationFailureMode': cfn.HookFailureMode, 'OperationEvent.ValidationStatus': cfn.ValidationStatus,
};

const TEMPLATE = {
  Description: 'model check',
  Parameters: {
    Colour: { Type: 'String', Default: 'blue', AllowedValues: ['blue', 'red'], Description: 'a colour' },
    Secretish: { Type: 'String', Default: 'x', NoEcho: true },
    Cluster: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/model/cluster' },
  },
  Resources: {
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'model-topic' } },
    Setting: { Type: 'AWS::SSM::Parameter', Properties: { Name: '/model/colour', Type: 'String', Value: { Ref: 'Colour' } }, Metadata: { note: 'kept' } },
    Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
  },
  Outputs: {
    TopicArn: { Value: { Ref: 'Topic' }, Description: 'the topic', Export: { Name: 'model-topic-arn' } },
    ClusterName: { Value: { Ref: 'Cluster' } },
  },
};

/**
 * A local cloud for one describe block (seeded before the first test) and a CloudFormation client of the SDK on it
 * whose answers are captured, so `problems` checks each against the client's model.
 */
function modelCloud(prefix: string, seed: (cloud: Cloud) => void): { readonly cloud: Cloud; readonly client: cfn.CloudFormationClient; problems(command: object): Promise<string[]> } {
  const captured: CapturedResponse[] = [];
  let dir: string;
  let cloud: Cloud | undefined;
  let client: cfn.CloudFormationClient | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    cloud = await startCloud({ stateDir: join(dir, 'state') });
    seed(cloud);
    client = new cfn.CloudFormationClient({ endpoint: cloud.endpoints.cloudformation, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1, requestHandler: capturingHandler(captured) });
  });
  afterAll(async () => {
    client?.destroy();
    await cloud?.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });
  return {
    get cloud() { return cloud!; },
    get client() { return client!; },
    problems: (command) => queryAnswerProblems(client!, captured, command, ENUMS),
  };
}

describe('the local CloudFormation API against the SDK\'s service model (awsQuery)', () => {
  const model = modelCloud('cfn-model-', (cloud) => { cloud.control.ssm.put({ name: '/model/cluster', value: 'wicked', type: 'String' }); });
  const problems = (command: object): Promise<string[]> => model.problems(command);

  async function changeSet(name: string, template: object, type: 'CREATE' | 'UPDATE'): Promise<string[]> {
    return problems(new cfn.CreateChangeSetCommand({
      StackName: 'model', ChangeSetName: name, ChangeSetType: type, TemplateBody: JSON.stringify(template), Capabilities: ['CAPABILITY_IAM'],
      Parameters: type === 'CREATE' ? [{ ParameterKey: 'Colour', ParameterValue: 'red' }] : [{ ParameterKey: 'Colour', UsePreviousValue: true }],
      Tags: [{ Key: 'app', Value: 'model' }], Description: `change set ${name}`,
    }));
  }

  it('answers every action of a stack\'s life (review, create, no-change, failed update, delete) in the model\'s shapes', async () => {
    const found: string[] = [];
    // Review: a new stack with a change set that is not executed yet.
    found.push(...await changeSet('create', TEMPLATE, 'CREATE'));
    found.push(
      ...await problems(new cfn.DescribeChangeSetCommand({ StackName: 'model', ChangeSetName: 'create' })),
      ...await problems(new cfn.ListChangeSetsCommand({ StackName: 'model' })),
      ...await problems(new cfn.DescribeStacksCommand({ StackName: 'model' })),
      ...await problems(new cfn.GetTemplateCommand({ StackName: 'model', ChangeSetName: 'create' })),
      ...await problems(new cfn.GetTemplateCommand({ StackName: 'model' })),
      ...await problems(new cfn.DescribeStackEventsCommand({ StackName: 'model' })),
    );
    found.push(...await problems(new cfn.ExecuteChangeSetCommand({ StackName: 'model', ChangeSetName: 'create' })));
    await model.cloud.cloudformation.settled();
    // Created.
    found.push(
      ...await problems(new cfn.DescribeStacksCommand({ StackName: 'model' })),
      ...await problems(new cfn.DescribeStacksCommand({})),
      ...await problems(new cfn.ListStacksCommand({})),
      ...await problems(new cfn.DescribeStackEventsCommand({ StackName: 'model' })),
      ...await problems(new cfn.DescribeStackResourcesCommand({ StackName: 'model' })),
      ...await problems(new cfn.DescribeStackResourcesCommand({ StackName: 'model', LogicalResourceId: 'Setting' })),
      ...await problems(new cfn.DescribeStackResourceCommand({ StackName: 'model', LogicalResourceId: 'Setting' })),
      ...await problems(new cfn.ListStackResourcesCommand({ StackName: 'model' })),
      ...await problems(new cfn.GetTemplateCommand({ StackName: 'model', TemplateStage: 'Original' })),
      ...await problems(new cfn.GetTemplateSummaryCommand({ StackName: 'model' })),
      ...await problems(new cfn.GetTemplateSummaryCommand({ TemplateBody: JSON.stringify(TEMPLATE) })),
      ...await problems(new cfn.ValidateTemplateCommand({ TemplateBody: JSON.stringify(TEMPLATE) })),
      ...await problems(new cfn.ListExportsCommand({})),
    );
    // No change: a FAILED change set, as the CDK CLI sees before it deletes it.
    found.push(...await changeSet('same', TEMPLATE, 'UPDATE'));
    found.push(...await problems(new cfn.DescribeChangeSetCommand({ StackName: 'model', ChangeSetName: 'same' })));
    found.push(...await problems(new cfn.DeleteChangeSetCommand({ StackName: 'model', ChangeSetName: 'same' })));
    // A failed update: one modification, one addition the emulator refuses; the stack rolls back.
    const failing = { ...TEMPLATE, Resources: { ...TEMPLATE.Resources, Setting: { ...TEMPLATE.Resources.Setting, Properties: { ...TEMPLATE.Resources.Setting.Properties, Description: 'changed' } }, Broken: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'broken', Colour: 'red' } } } };
    found.push(...await changeSet('fail', failing, 'UPDATE'));
    found.push(...await problems(new cfn.DescribeChangeSetCommand({ StackName: 'model', ChangeSetName: 'fail' })));
    found.push(...await problems(new cfn.ExecuteChangeSetCommand({ StackName: 'model', ChangeSetName: 'fail' })));
    await model.cloud.cloudformation.settled();
    found.push(...await problems(new cfn.DescribeStacksCommand({ StackName: 'model' })), ...await problems(new cfn.DescribeStackEventsCommand({ StackName: 'model' })));
    const { Stacks } = await model.client.send(new cfn.DescribeStacksCommand({ StackName: 'model' }));
    expect(Stacks?.[0]?.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    // ValidateTemplate and GetTemplateSummary name the capability the template's IAM role needs, and why.
    expect(await model.client.send(new cfn.ValidateTemplateCommand({ TemplateBody: JSON.stringify(TEMPLATE) }))).toMatchObject({ Capabilities: ['CAPABILITY_IAM'], CapabilitiesReason: 'The following resource(s) require capabilities: [AWS::IAM::Role]' });
    // A NoEcho parameter's value is masked in every describe call (parameters-section-structure.html, NoEcho).
    expect(Stacks?.[0]?.Parameters?.find((p) => p.ParameterKey === 'Secretish')).toEqual({ ParameterKey: 'Secretish', ParameterValue: '****' });
    // Deleted: the stack is found by its id only, DELETE_COMPLETE.
    found.push(...await problems(new cfn.DeleteStackCommand({ StackName: 'model' })));
    await model.cloud.cloudformation.settled();
    found.push(...await problems(new cfn.DescribeStacksCommand({ StackName: Stacks![0]!.StackId! })), ...await problems(new cfn.ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] })));
    expect(found).toEqual([]);
  });

  it.each<[string, () => object, new (...args: never[]) => Error, string, number]>([
    ['DescribeStacks of a missing stack', () => new cfn.DescribeStacksCommand({ StackName: 'absent' }), cfn.CloudFormationServiceException, 'ValidationError', 400],
    ['DescribeChangeSet of a missing change set', () => new cfn.DescribeChangeSetCommand({ StackName: 'absent', ChangeSetName: 'none' }), cfn.ChangeSetNotFoundException, 'ChangeSetNotFoundException', 404],
    ['CreateChangeSet of a CREATE for a stack that exists', () => new cfn.CreateChangeSetCommand({ StackName: 'errors', ChangeSetName: 'again', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(TEMPLATE), Capabilities: ['CAPABILITY_IAM'] }), cfn.AlreadyExistsException, 'AlreadyExistsException', 400],
    ['CreateChangeSet of IAM resources without their capability', () => new cfn.CreateChangeSetCommand({ StackName: 'iam', ChangeSetName: 'c', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(TEMPLATE) }), cfn.InsufficientCapabilitiesException, 'InsufficientCapabilitiesException', 400],
    ['ExecuteChangeSet of a change set already executed', () => new cfn.ExecuteChangeSetCommand({ StackName: 'errors', ChangeSetName: 'first' }), cfn.InvalidChangeSetStatusException, 'InvalidChangeSetStatusException', 400],
  ])('%s: the error the model names, with its HTTP status', async (_name, command, type, name, status) => {
    if (!(await model.client.send(new cfn.DescribeStacksCommand({})).then((out) => out.Stacks ?? [])).some((stack) => stack.StackName === 'errors')) {
      await model.client.send(new cfn.CreateChangeSetCommand({ StackName: 'errors', ChangeSetName: 'first', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify({ Resources: { Setting: { Type: 'AWS::SSM::Parameter', Properties: { Name: '/model/errors', Type: 'String', Value: 'x' } } } }) }));
      await model.client.send(new cfn.ExecuteChangeSetCommand({ StackName: 'errors', ChangeSetName: 'first' }));
      await model.cloud.cloudformation.settled();
    }
    const error = await model.client.send(command() as never).then(() => undefined, (caught: unknown) => caught as Error & { $metadata: { httpStatusCode?: number } });
    expect(error).toBeInstanceOf(type);
    expect(error?.name).toBe(name);
    expect(error?.$metadata.httpStatusCode).toBe(status);
  });
});

describe('DescribeEvents through @aws-sdk/client-cloudformation: a change set failed by the name conflict check', () => {
  /** Parameters that exist outside any stack, so a template adding them fails the check: more than one page of events. */
  const TAKEN = Array.from({ length: 101 }, (_, i) => `/taken/p${String(i).padStart(3, '0')}`);
  const model = modelCloud('cfn-events-', (cloud) => { for (const name of TAKEN) cloud.control.ssm.put({ name, value: 'outside', type: 'String' }); });
  const problems = (command: object): Promise<string[]> => model.problems(command);
  const parameter = (name: unknown) => ({ Type: 'AWS::SSM::Parameter', Properties: { Name: name, Type: 'String', Value: 'mine' } });

  it('answers in the model\'s shapes, and the client reads the failed events as the CDK CLI asks for them', async () => {
    const template = { Parameters: { Env: { Type: 'String' } }, Resources: { Setting: parameter('/taken/p000'), Joined: parameter({ 'Fn::Join': ['/', ['', 'taken', { Ref: 'Env' }]] }), Free: parameter('/free/p') } };
    const created = await model.client.send(new cfn.CreateChangeSetCommand({ StackName: 'events', ChangeSetName: 'cdk-deploy-change-set', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(template), Parameters: [{ ParameterKey: 'Env', ParameterValue: 'p001' }] }));
    const described = await model.client.send(new cfn.DescribeChangeSetCommand({ StackName: 'events', ChangeSetName: 'cdk-deploy-change-set' }));
    expect(described).toMatchObject({ Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', StatusReason: expect.stringContaining('[AWS::EarlyValidation::ResourceExistenceCheck]') });
    const found = [
      ...await problems(new cfn.DescribeEventsCommand({ StackName: 'events', ChangeSetName: 'cdk-deploy-change-set', Filters: { FailedEvents: true } })),
      ...await problems(new cfn.DescribeEventsCommand({ ChangeSetName: created.Id })),
      ...await problems(new cfn.DescribeEventsCommand({ StackName: 'events' })),
    ];
    expect(found).toEqual([]);
    // The CDK CLI's call (ChangeSetResourceErrorFetcher): the change set's name, its stack's name, failed events only.
    const failed = await model.client.send(new cfn.DescribeEventsCommand({ StackName: 'events', ChangeSetName: 'cdk-deploy-change-set', Filters: { FailedEvents: true } }));
    expect(failed.NextToken).toBeUndefined();
    expect(failed.OperationEvents).toEqual(['Setting', 'Joined'].map((logicalId, i) => ({
      EventId: expect.any(String), StackId: created.StackId, OperationId: expect.any(String), OperationType: 'CREATE_CHANGESET', EventType: 'VALIDATION_ERROR',
      LogicalResourceId: logicalId, PhysicalResourceId: '', ResourceType: 'AWS::SSM::Parameter', Timestamp: expect.any(Date),
      ValidationFailureMode: 'FAIL', ValidationName: 'NAME_CONFLICT_VALIDATION', ValidationStatus: 'FAILED',
      ValidationStatusReason: `Resource of type 'AWS::SSM::Parameter' with identifier '${TAKEN[i]}' already exists.`, ValidationPath: `/Resources/${logicalId}`,
    })));
    const all = await model.client.send(new cfn.DescribeEventsCommand({ ChangeSetName: created.Id }));
    expect(all.OperationEvents?.[0]).toEqual({ EventId: expect.any(String), StackId: created.StackId, OperationId: failed.OperationEvents?.[0]?.OperationId, OperationType: 'CREATE_CHANGESET', OperationStatus: 'FAILED', EventType: 'STACK_EVENT', Timestamp: expect.any(Date), StartTime: expect.any(Date), EndTime: expect.any(Date) });
  });

  it('pages through more than one page with the SDK\'s paginator, each event once', async () => {
    await model.client.send(new cfn.CreateChangeSetCommand({ StackName: 'many', ChangeSetName: 'cs', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify({ Resources: Object.fromEntries(TAKEN.map((name, i) => [`P${i}`, parameter(name)])) }) }));
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of cfn.paginateDescribeEvents({ client: model.client }, { StackName: 'many', ChangeSetName: 'cs', Filters: { FailedEvents: true } })) {
      pages.push(page.OperationEvents?.length ?? 0);
      ids.push(...(page.OperationEvents ?? []).map((e) => e.LogicalResourceId!));
    }
    expect(pages).toEqual([100, 1]);
    expect(ids).toEqual(TAKEN.map((_, i) => `P${i}`));
  });

  it('an unknown change set: ChangeSetNotFoundException (404), as DescribeChangeSet answers', async () => {
    const error = await model.client.send(new cfn.DescribeEventsCommand({ StackName: 'events', ChangeSetName: 'absent' })).then(() => undefined, (caught: unknown) => caught as Error & { $metadata: { httpStatusCode?: number } });
    expect(error).toBeInstanceOf(cfn.ChangeSetNotFoundException);
    expect([error?.name, error?.message, error?.$metadata.httpStatusCode]).toEqual(['ChangeSetNotFoundException', 'ChangeSet [absent] does not exist', 404]);
  });
});

describe('queryModelDifferences (the checker itself)', () => {
  const stack = '<StackId>s</StackId><StackName>n</StackName><CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>';
  const answer = (inner: string): Record<string, unknown> => parseXML(`<DescribeStacksResponse xmlns="x"><DescribeStacksResult><Stacks><member>${inner}</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`) as Record<string, unknown>;
  it.each([
    ['an answer that fits', stack, []],
    ['an element the model lacks', `${stack}<Colour>red</Colour>`, ['DescribeStacksResult.Stacks[0].Colour: not a member of Stack ("red")']],
    ['a required member missing', stack.replace('<StackStatus>CREATE_COMPLETE</StackStatus>', ''), ['DescribeStacksResult.Stacks[0].StackStatus: required by Stack, missing']],
    ['a timestamp in epoch milliseconds', stack.replace('2026-01-01T00:00:00Z', '1767225600000'), ['DescribeStacksResult.Stacks[0].CreationTime: "1767225600000", the model has an ISO-8601 timestamp (awsQuery\'s default)']],
    ['a boolean spelt otherwise', `${stack}<DisableRollback>no</DisableRollback>`, ['DescribeStacksResult.Stacks[0].DisableRollback: "no", the model has a boolean']],
    ['an enum value the model does not list', stack.replace('CREATE_COMPLETE', 'CREATED'), [expect.stringMatching(/^DescribeStacksResult.Stacks\[0\].StackStatus: "CREATED" is not one of /)]],
    ['a list item the protocol does not write', `${stack}<Capabilities><item>CAPABILITY_IAM</item></Capabilities>`, ['DescribeStacksResult.Stacks[0].Capabilities.item: not a list item (the model writes <member>)']],
    ['a list value the enum lacks', `${stack}<Capabilities><member>CAPABILITY_ALL</member></Capabilities>`, [expect.stringMatching(/Capabilities: "CAPABILITY_ALL" not among /)]],
  ])('%s', (_name, inner, expected) => {
    expect(queryModelDifferences(cfn.DescribeStacksOutput$, 'DescribeStacks', answer(inner), ENUMS)).toEqual(expected);
  });
  it('names a wrong envelope, and a result where the model has no output', () => {
    expect(queryModelDifferences(cfn.DescribeStacksOutput$, 'ListStacks', answer(stack), ENUMS)).toEqual(['(document): root DescribeStacksResponse, expected ListStacksResponse']);
    const unit = parseXML('<DeleteStackResponse><DeleteStackResult><StackId>s</StackId></DeleteStackResult></DeleteStackResponse>') as Record<string, unknown>;
    expect(queryModelDifferences((cfn.DeleteStack$[5] as () => unknown)(), 'DeleteStack', unit)).toEqual(['DeleteStackResult: {"StackId":"s"}, the model has no output members']);
  });
});
