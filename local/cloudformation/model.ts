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
  readonly template: Template;
  readonly parameters: readonly StackParameter[];
  readonly changes: readonly ResourceChange[];
  readonly capabilities: readonly string[];
  readonly tags: readonly { Key: string; Value: string }[];
  readonly description?: string;
  readonly creationTime: Date;
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
}

/** Stack statuses in which a stack can be updated through a change set. */
export const UPDATABLE: ReadonlySet<StackStatus> = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS']);

/** Whether a status is final (no operation in progress). */
export function isSettled(status: StackStatus): boolean {
  return !status.endsWith('_IN_PROGRESS') || status === 'REVIEW_IN_PROGRESS';
}
