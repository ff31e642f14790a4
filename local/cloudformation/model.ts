import type { Template, TemplateResource } from './template';

/** A stack's status, as CloudFormation names them. */
export type StackStatus =
  | 'REVIEW_IN_PROGRESS' | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED';

/** A resource's status in stack events. */
export type ResourceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'DELETE_SKIPPED'
  | StackStatus;

/** One resource the stack holds. */
export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  physicalId: string;
  /** The properties after intrinsics, as the provider received them. */
  properties: Record<string, unknown>;
  /** GetAtt values. */
  attributes: Record<string, unknown>;
  /** The template's definition, unresolved (what change sets compare). */
  definition: TemplateResource;
  status: ResourceStatus;
  statusReason?: string;
  lastUpdated: Date;
  /** Whether an emulated service holds it, or it is only recorded. */
  emulated: boolean;
}

/** One stack event (DescribeStackEvents). */
export interface StackEvent {
  readonly EventId: string;
  readonly StackId: string;
  readonly StackName: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
  readonly ResourceType: string;
  readonly Timestamp: Date;
  readonly ResourceStatus: ResourceStatus;
  readonly ResourceStatusReason?: string;
  readonly ResourceProperties?: string;
}

/**
 * One event of DescribeEvents: an operation's summary (`STACK_EVENT` with OperationStatus, StartTime, EndTime) or a
 * validation error of it. The members are the SDK's OperationEvent; the values the emulator writes follow the example
 * answers of "Validate stack deployments" (CloudFormation User Guide) and the API reference's OperationEvent.
 */
export interface OperationEvent {
  readonly EventId: string;
  readonly StackId: string;
  readonly OperationId: string;
  readonly OperationType: 'CREATE_CHANGESET' | 'CREATE_STACK' | 'UPDATE_STACK' | 'DELETE_STACK' | 'ROLLBACK' | 'CONTINUE_ROLLBACK';
  readonly OperationStatus?: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  readonly EventType: 'STACK_EVENT' | 'PROGRESS_EVENT' | 'VALIDATION_ERROR' | 'PROVISIONING_ERROR' | 'HOOK_INVOCATION_ERROR';
  readonly Timestamp: Date;
  readonly StartTime?: Date;
  readonly EndTime?: Date;
  readonly LogicalResourceId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType?: string;
  readonly ValidationFailureMode?: 'FAIL' | 'WARN';
  readonly ValidationName?: string;
  readonly ValidationStatus?: 'FAILED' | 'SKIPPED';
  readonly ValidationStatusReason?: string;
  readonly ValidationPath?: string;
}

/** A parameter as given (raw) and as resolved (SSM-typed parameters read from Parameter Store). */
export interface StackParameter {
  readonly key: string;
  readonly value: string;
  readonly resolved: string | string[];
  readonly ssm: boolean;
}

/** One resource change of a change set. */
export interface ResourceChange {
  readonly Action: 'Add' | 'Modify' | 'Remove';
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
  readonly Replacement?: 'True' | 'False' | 'Conditional';
  readonly Scope?: string[];
}

/** A change set: what a template would do to a stack. */
export interface ChangeSet {
  readonly id: string;
  readonly name: string;
  readonly stackId: string;
  readonly stackName: string;
  readonly type: 'CREATE' | 'UPDATE';
  status: 'CREATE_PENDING' | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'DELETE_COMPLETE' | 'FAILED';
  executionStatus: 'UNAVAILABLE' | 'AVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE' | 'EXECUTE_FAILED' | 'OBSOLETE';
  statusReason?: string;
  readonly templateBody: string;
  /** Where the body was read from, when CreateChangeSet named a TemplateURL (as the CDK CLI does for a large template). */
  readonly templateUrl?: string;
  readonly template: Template;
  readonly parameters: readonly StackParameter[];
  readonly changes: readonly ResourceChange[];
  readonly capabilities: readonly string[];
  readonly tags: readonly { Key: string; Value: string }[];
  readonly description?: string;
  readonly creationTime: Date;
  /** The CREATE_CHANGESET operation that made it (DescribeEvents). */
  readonly operationId: string;
}

/** An output after resolution. */
export interface StackOutput {
  readonly OutputKey: string;
  readonly OutputValue: string;
  readonly Description?: string;
  readonly ExportName?: string;
}

/** A stack and everything the API reports about it. */
export interface Stack {
  readonly stackId: string;
  readonly stackName: string;
  status: StackStatus;
  statusReason?: string;
  template?: Template;
  templateBody?: string;
  parameters: StackParameter[];
  outputs: StackOutput[];
  tags: { Key: string; Value: string }[];
  capabilities: string[];
  readonly creationTime: Date;
  lastUpdatedTime?: Date;
  deletionTime?: Date;
  /** Logical id -> resource, in creation order. */
  resources: Map<string, DeployedResource>;
  /** Newest first, as DescribeStackEvents answers. */
  events: StackEvent[];
  changeSets: Map<string, ChangeSet>;
  /** DescribeEvents' events of the stack's operations, newest first. */
  readonly operationEvents: OperationEvent[];
  /** The CREATE_CHANGESET operation of each change set by name and by ARN, kept after the change set is deleted; a reused name maps to its newest. */
  readonly changeSetOperations: Map<string, string>;
}

/** Stack statuses in which a stack can be updated through a change set. */
export const UPDATABLE: ReadonlySet<StackStatus> = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS']);

/** Whether a status is final (no operation in progress). */
export function isSettled(status: StackStatus): boolean {
  return !status.endsWith('_IN_PROGRESS') || status === 'REVIEW_IN_PROGRESS';
}
