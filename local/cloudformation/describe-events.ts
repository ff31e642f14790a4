import { CfnApiError } from './errors';
import type { OperationEvent, Stack } from './model';

/** What DescribeEvents receives (the SDK's DescribeEventsInput, `Filters.FailedEvents` flattened). */
export interface DescribeEventsInput {
  readonly StackName?: string;
  /** A change set's name (then StackName names its stack) or ARN. */
  readonly ChangeSetName?: string;
  readonly OperationId?: string;
  readonly FailedEvents?: boolean;
  readonly NextToken?: string;
}

/** One page of DescribeEvents. */
export interface DescribeEventsPage {
  readonly OperationEvents: OperationEvent[];
  readonly NextToken?: string;
}

/** Events per page. AWS does not document DescribeEvents' page size; 100 is DescribeStackEvents' here. */
export const DESCRIBE_EVENTS_PAGE = 100;

/** Where the events are looked up: every stack (deleted ones too) and a stack by name or id. */
export interface EventSource {
  readonly stacks: readonly Stack[];
  /** A live stack by name or any stack by id; throws ValidationError "Stack with id X does not exist". */
  stack(nameOrId: string): Stack;
}

/**
 * DescribeEvents ("DescribeEvents", CloudFormation API Reference:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeEvents.html): the events of a change
 * set's creation (ChangeSetName, a name with StackName or an ARN), of a stack's operations (StackName) or of one
 * operation (OperationId), newest first, paginated. "One of ChangeSetName, OperationId or StackName must be
 * specified" (the same page). An unknown change set answers ChangeSetNotFound and an unknown stack ValidationError,
 * as DescribeChangeSet and DescribeStackEvents do; the reference lists no errors of its own, so these, and
 * ValidationError for an unknown OperationId, are the emulator's choice.
 *
 * `FailedEvents` keeps the events that report a failure (validation, provisioning and hook errors) and drops the
 * operations' summaries: the CDK CLI turns every event it gets with that filter into a resource error
 * (`ChangeSetResourceErrorFetcher` in the pinned CLI), and its output against AWS lists the resources only
 * (aws/aws-cdk-cli#1463).
 *
 * @example
 * describeEvents(source, { StackName: 'app', ChangeSetName: 'cdk-deploy-change-set', FailedEvents: true }) // { OperationEvents: [validation errors] }
 */
export function describeEvents(source: EventSource, input: DescribeEventsInput, pageSize = DESCRIBE_EVENTS_PAGE): DescribeEventsPage {
  const selected = selectEvents(source, input).filter((event) => !input.FailedEvents || isFailure(event));
  const start = input.NextToken === undefined ? 0 : offsetOf(input.NextToken);
  const end = start + pageSize;
  return { OperationEvents: selected.slice(start, end), ...(end < selected.length ? { NextToken: Buffer.from(`events:${end}`).toString('base64url') } : {}) };
}

function selectEvents(source: EventSource, input: DescribeEventsInput): OperationEvent[] {
  const byOperation = (events: readonly OperationEvent[], id: string | undefined) => (id === undefined ? [...events] : events.filter((event) => event.OperationId === id));
  if (input.ChangeSetName) {
    const { stack, operationId } = changeSetOperation(source, input.ChangeSetName, input.StackName);
    return input.OperationId !== undefined && input.OperationId !== operationId ? [] : byOperation(stack.operationEvents, operationId);
  }
  if (input.StackName) return byOperation(source.stack(input.StackName).operationEvents, input.OperationId);
  if (input.OperationId) {
    const events = source.stacks.flatMap((stack) => byOperation(stack.operationEvents, input.OperationId));
    if (!events.length) throw new CfnApiError('ValidationError', `Operation ${input.OperationId} does not exist`);
    return events;
  }
  throw new CfnApiError('ValidationError', 'One of ChangeSetName, OperationId or StackName must be specified; received none of them');
}

/** The stack and the CREATE_CHANGESET operation of a change set, by ARN or by name within StackName. */
function changeSetOperation(source: EventSource, changeSet: string, stackName: string | undefined): { stack: Stack; operationId: string } {
  const notFound = new CfnApiError('ChangeSetNotFound', `ChangeSet [${changeSet}] does not exist`, 404);
  if (changeSet.startsWith('arn:')) {
    const stack = source.stacks.find((candidate) => candidate.changeSetOperations.has(changeSet));
    if (!stack) throw notFound;
    return { stack, operationId: stack.changeSetOperations.get(changeSet)! };
  }
  if (!stackName) throw new CfnApiError('ValidationError', `ChangeSetName ${JSON.stringify(changeSet)} is a name: give its stack as StackName, or the change set's ARN`);
  let stack: Stack;
  try {
    stack = source.stack(stackName);
  } catch {
    throw notFound;
  }
  const operationId = stack.changeSetOperations.get(changeSet);
  if (operationId === undefined) throw notFound;
  return { stack, operationId };
}

/** Whether an event reports a failure: a failed validation, a provisioning or a hook error (not a summary or progress). */
function isFailure(event: OperationEvent): boolean {
  if (event.EventType === 'VALIDATION_ERROR') return event.ValidationStatus === 'FAILED';
  return event.EventType === 'PROVISIONING_ERROR' || event.EventType === 'HOOK_INVOCATION_ERROR';
}

function offsetOf(token: string): number {
  const match = /^events:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new CfnApiError('ValidationError', `NextToken ${JSON.stringify(token)} is not a token DescribeEvents gave out`);
  return Number(match[1]);
}
