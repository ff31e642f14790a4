import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { readBody } from '../kernel/aws-json';
import type { LocalListener } from '../kernel/listen';
import { listenLocal } from '../kernel/listen';
import { requiredCapabilities } from './capabilities';
import { CfnApiError, TemplateError } from './errors';
import type { ChangeSet, Stack, StackParameter } from './model';
import { memberList, queryError, queryResponse, structList, toXml } from './query';
import type { CloudFormationService } from './service';
import type { Template } from './template';
import { parseTemplate } from './template';

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const PAGE = 100;

/**
 * How long (wall time) the answer to ExecuteChangeSet or DeleteStack waits for the operation it started. AWS
 * answers at once and the client polls; the CDK CLI polls DescribeStacks every 5 s (toolkit-lib's `waitFor`), so a
 * stack the emulator creates in one second cost every `cdk deploy` a 5 s sleep. Holding the answer while the
 * operation runs changes no state a client can observe, only when it observes it: the stack's events, statuses
 * and change set states are the same, and an operation that outlasts the hold is polled as on AWS.
 */
export const OPERATION_ANSWER_HOLD_MS = 10_000;

/** Resolves when `operation` ends or {@link OPERATION_ANSWER_HOLD_MS} passed, whichever is first. */
async function held(operation: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([operation, new Promise<void>((done) => { timer = setTimeout(done, OPERATION_ANSWER_HOLD_MS); })]);
  clearTimeout(timer);
}

/** One awsQuery action: decoded parameters in, the fields of `<ActionResult>` out. */
type Action = (params: URLSearchParams) => unknown;

/**
 * Serves the CloudFormation API over awsQuery, as `@aws-sdk/client-cloudformation`
 * (and so the CDK CLI) speaks it: change sets, stacks, events, resources,
 * templates, exports and the operation events of DescribeEvents. Answers follow the shapes of the service model.
 *
 * @example
 * const { url } = await startCloudFormationServer(service);
 * // AWS_ENDPOINT_URL_CLOUDFORMATION=url npx cdk deploy
 */
export async function startCloudFormationServer(service: CloudFormationService, port = 0): Promise<LocalListener> {
  const actions = cloudFormationActions(service);
  const server = createServer((req, res) => { void serve(req, res, actions); });
  return listenLocal(server, port);
}

/** The actions by name (exported for tests that call them without HTTP). */
export function cloudFormationActions(service: CloudFormationService): Record<string, Action> {
  const stackOf = (p: URLSearchParams): Stack => service.stack(required(p, 'StackName'));
  return {
    CreateChangeSet: async (p) => {
      const cs = await service.createChangeSet({
        StackName: required(p, 'StackName'), ChangeSetName: required(p, 'ChangeSetName'), ChangeSetType: p.get('ChangeSetType') ?? undefined,
        TemplateBody: p.get('TemplateBody') ?? undefined, TemplateURL: p.get('TemplateURL') ?? undefined, UsePreviousTemplate: p.get('UsePreviousTemplate') === 'true',
        Parameters: structList(p, 'Parameters'), Capabilities: memberList(p, 'Capabilities'),
        Tags: structList(p, 'Tags').map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })), Description: p.get('Description') ?? undefined,
      });
      return { Id: cs.id, StackId: cs.stackId };
    },
    DescribeChangeSet: (p) => changeSetView(service.changeSet(required(p, 'ChangeSetName'), p.get('StackName') ?? undefined)),
    ExecuteChangeSet: async (p) => { await held(service.executeChangeSet(required(p, 'ChangeSetName'), p.get('StackName') ?? undefined)); return {}; },
    DeleteChangeSet: (p) => { service.deleteChangeSet(required(p, 'ChangeSetName'), p.get('StackName') ?? undefined); return {}; },
    ListChangeSets: (p) => ({ Summaries: [...stackOf(p).changeSets.values()].map((cs) => ({ StackId: cs.stackId, StackName: cs.stackName, ChangeSetId: cs.id, ChangeSetName: cs.name, ExecutionStatus: cs.executionStatus, Status: cs.status, StatusReason: cs.statusReason, CreationTime: cs.creationTime })) }),
    DescribeStacks: (p) => ({ Stacks: (p.get('StackName') ? [stackOf(p)] : service.liveStacks()).map(stackView) }),
    ListStacks: (p) => {
      const filters = memberList(p, 'StackStatusFilter');
      return { StackSummaries: service.allStacks().filter((s) => !filters.length || filters.includes(s.status)).map((s) => ({ StackId: s.stackId, StackName: s.stackName, TemplateDescription: s.template?.Description, CreationTime: s.creationTime, LastUpdatedTime: s.lastUpdatedTime, DeletionTime: s.deletionTime, StackStatus: s.status, StackStatusReason: s.statusReason })) };
    },
    DescribeStackEvents: (p) => page('StackEvents', stackOf(p).events, p.get('NextToken')),
    // The SDK writes the EventFilter structure as `Filters.FailedEvents` (awsQuery's nested members).
    DescribeEvents: (p) => service.describeEvents({
      StackName: p.get('StackName') ?? undefined, ChangeSetName: p.get('ChangeSetName') ?? undefined, OperationId: p.get('OperationId') ?? undefined,
      FailedEvents: p.get('Filters.FailedEvents') === 'true', NextToken: p.get('NextToken') ?? undefined,
    }),
    DescribeStackResources: (p) => {
      const stack = stackOf(p);
      const only = p.get('LogicalResourceId');
      return { StackResources: [...stack.resources.values()].filter((r) => !only || r.logicalId === only).map((r) => ({ StackName: stack.stackName, StackId: stack.stackId, LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId, ResourceType: r.type, Timestamp: r.lastUpdated, ResourceStatus: r.status, ResourceStatusReason: r.statusReason, DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' } })) };
    },
    DescribeStackResource: (p) => {
      const stack = stackOf(p);
      const id = required(p, 'LogicalResourceId');
      const r = stack.resources.get(id);
      if (!r) throw new CfnApiError('ValidationError', `Resource ${id} does not exist for stack ${stack.stackName}`);
      return { StackResourceDetail: { StackName: stack.stackName, StackId: stack.stackId, LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId, ResourceType: r.type, LastUpdatedTimestamp: r.lastUpdated, ResourceStatus: r.status, ResourceStatusReason: r.statusReason, Metadata: r.definition.Metadata === undefined ? undefined : JSON.stringify(r.definition.Metadata), DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' } } };
    },
    ListStackResources: (p) => page('StackResourceSummaries', [...stackOf(p).resources.values()].map((r) => ({ LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId, ResourceType: r.type, LastUpdatedTimestamp: r.lastUpdated, ResourceStatus: r.status, ResourceStatusReason: r.statusReason, DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' } })), p.get('NextToken')),
    GetTemplate: (p) => {
      const name = p.get('ChangeSetName');
      if (name) return { TemplateBody: service.changeSet(name, p.get('StackName') ?? undefined).templateBody, StagesAvailable: ['Original', 'Processed'] };
      const stack = stackOf(p);
      // A stack in REVIEW_IN_PROGRESS has no template of its own yet: answer its newest change set's.
      const body = stack.templateBody ?? [...stack.changeSets.values()].at(-1)?.templateBody ?? '{}';
      return { TemplateBody: body, StagesAvailable: ['Original', 'Processed'] };
    },
    GetTemplateSummary: async (p) => templateSummary(p.get('StackName') ? (stackOf(p).templateBody ?? '') : (p.get('TemplateBody') ?? '')),
    ValidateTemplate: (p) => {
      const template = parseTemplate(required(p, 'TemplateBody'));
      const { capabilities, reason } = requiredCapabilities(template);
      return {
        Description: template.Description, Parameters: Object.entries(template.Parameters ?? {}).map(([key, d]) => ({ ParameterKey: key, DefaultValue: d.Default === undefined ? undefined : String(d.Default), NoEcho: String(d.NoEcho ?? false) === 'true', Description: d.Description })),
        Capabilities: capabilities.length ? capabilities : undefined, CapabilitiesReason: reason,
      };
    },
    DeleteStack: async (p) => { await held(service.deleteStack(required(p, 'StackName'))); return {}; },
    ListExports: () => ({ Exports: [...service.exports].map(([name, e]) => ({ ExportingStackId: e.stackId, Name: name, Value: e.value })) }),
  };
}

function templateSummary(body: string): unknown {
  const template = parseTemplate(body);
  const { capabilities, reason } = requiredCapabilities(template);
  return {
    Parameters: Object.entries(template.Parameters ?? {}).map(([key, d]) => ({ ParameterKey: key, DefaultValue: d.Default === undefined ? undefined : String(d.Default), ParameterType: d.Type, NoEcho: String(d.NoEcho ?? false) === 'true', Description: d.Description, ParameterConstraints: d.AllowedValues ? { AllowedValues: d.AllowedValues.map(String) } : undefined })),
    Description: template.Description,
    Capabilities: capabilities.length ? capabilities : undefined, CapabilitiesReason: reason,
    ResourceTypes: [...new Set(Object.values(template.Resources).map((r) => r.Type))],
    Version: template.AWSTemplateFormatVersion,
    ResourceIdentifierSummaries: [],
  };
}

/** What DescribeStacks and DescribeChangeSet write for a NoEcho parameter's value. */
export const MASKED_PARAMETER_VALUE = '****';

/**
 * A parameter as the describe calls answer it. A NoEcho parameter's value is masked: "If you set the NoEcho attribute
 * to true, CloudFormation returns the parameter value masked as asterisks ... for any calls that describe the stack"
 * (CloudFormation User Guide, "Parameters template section syntax", NoEcho:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html); the API writes `****`.
 */
function parameterView(p: StackParameter, template: Template | undefined): unknown {
  if (String(template?.Parameters?.[p.key]?.NoEcho ?? false) === 'true') return { ParameterKey: p.key, ParameterValue: MASKED_PARAMETER_VALUE };
  return { ParameterKey: p.key, ParameterValue: p.value, ResolvedValue: p.ssm ? (Array.isArray(p.resolved) ? p.resolved.join(',') : p.resolved) : undefined };
}

function stackView(s: Stack): unknown {
  return {
    StackId: s.stackId, StackName: s.stackName, Description: s.template?.Description,
    Parameters: s.parameters.map((p) => parameterView(p, s.template)), CreationTime: s.creationTime, DeletionTime: s.deletionTime, LastUpdatedTime: s.lastUpdatedTime,
    StackStatus: s.status, StackStatusReason: s.statusReason, DisableRollback: false, Capabilities: s.capabilities,
    Outputs: s.outputs, Tags: s.tags, EnableTerminationProtection: false, DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

function changeSetView(cs: ChangeSet): unknown {
  return {
    ChangeSetName: cs.name, ChangeSetId: cs.id, StackId: cs.stackId, StackName: cs.stackName, Description: cs.description,
    Parameters: cs.parameters.map((p) => parameterView(p, cs.template)), CreationTime: cs.creationTime, ExecutionStatus: cs.executionStatus, Status: cs.status, StatusReason: cs.statusReason,
    Capabilities: cs.capabilities, Tags: cs.tags, IncludeNestedStacks: false,
    Changes: cs.changes.map((c) => ({ Type: 'Resource', ResourceChange: { ...c, Details: [] } })),
  };
}

function page(field: string, items: readonly unknown[], token: string | null): unknown {
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw new CfnApiError('ValidationError', `NextToken ${JSON.stringify(token)} is not a token this API gave out`);
  const end = start + PAGE;
  return { [field]: items.slice(start, end), NextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (!value) throw new CfnApiError('ValidationError', `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

async function serve(req: IncomingMessage, res: ServerResponse, actions: Record<string, Action>): Promise<void> {
  const requestId = randomUUID();
  try {
    const params = new URLSearchParams((await readBody(req)).toString('utf8'));
    const name = params.get('Action') ?? '';
    const action = actions[name];
    if (req.method !== 'POST' || !action) throw new CfnApiError('InvalidAction', `action ${JSON.stringify(name)} (${req.method ?? '?'}) is not emulated; expected a POST of ${Object.keys(actions).join(', ')}`);
    write(res, 200, queryResponse(NS, name, toXml(await action(params)), requestId), requestId);
  } catch (error) {
    const failure = error instanceof CfnApiError ? error
      : error instanceof TemplateError ? new CfnApiError('ValidationError', `Template error: ${error.message}`)
        : new CfnApiError('InternalFailure', (error as Error).message, 500);
    write(res, failure.status, queryError(NS, failure.code, failure.message, failure.status, requestId), requestId);
  }
}

function write(res: ServerResponse, status: number, xml: string, requestId: string): void {
  const bytes = Buffer.from(`<?xml version="1.0"?>\n${xml}`);
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': bytes.length, 'x-amzn-requestid': requestId });
  res.end(bytes);
}
