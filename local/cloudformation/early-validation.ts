import { randomUUID } from 'node:crypto';
import type { ResolveScope } from './intrinsics';
import { NO_VALUE, resolveValue } from './intrinsics';
import type { DeployedResource, OperationEvent, ResourceChange } from './model';
import type { NameConflictCheck, ResourceProvider } from './providers/provider';
import type { Template } from './template';

// CloudFormation's pre-deployment validation, as far as the emulator runs it: "resource name conflict detection" at
// CreateChangeSet (CloudFormation User Guide, "Validate stack deployments":
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/validate-stack-deployments.html). It runs in FAIL mode:
// the change set is FAILED and cannot be executed; DescribeEvents gives the details.

/**
 * The change set's StatusReason when the name conflict check failed it, word for word as AWS writes it (quoted in
 * aws/aws-cdk-cli#1000 and serverless/serverless#13248). The CDK CLI looks for "AWS::EarlyValidation" in it and then
 * asks DescribeEvents (`_diagnoseChangeSetProblems` in the pinned CLI).
 */
export const NAME_CONFLICT_STATUS_REASON = 'The following hook(s)/validation failed: [AWS::EarlyValidation::ResourceExistenceCheck]. To troubleshoot Early Validation errors, use the DescribeEvents API for detailed failure information.';

/**
 * The ValidationName of a name conflict's event: what a DescribeEvents answer captured from AWS writes (a stack whose
 * resource already existed, radkawar/stackd testdata/aws/cloudformation/function_resource_policy_validation.json) and
 * the CDK CLI's own example (toolkit-lib `EarlyValidationError.validationName`). The user guide's example shows only
 * the other FAIL-mode check, `PROPERTY_VALIDATION`.
 */
export const NAME_CONFLICT_VALIDATION = 'NAME_CONFLICT_VALIDATION';

/** A resource the change set adds whose name the template fixes and the resolver could work out before execution. */
export interface NamedAddition {
  readonly logicalId: string;
  readonly type: string;
  readonly name: string;
  readonly within: Readonly<Record<string, string | undefined>>;
  readonly check: NameConflictCheck;
}

/** A resource the change set would add that exists already outside the stack. */
export interface NameConflict {
  readonly logicalId: string;
  readonly type: string;
  readonly identifier: string;
}

/**
 * The resources a change set adds whose provider takes part in the name conflict check and whose name is known now:
 * the template sets the name property and it resolves with what exists before execution (parameters, pseudo
 * parameters, mappings, conditions, `Ref`/`Fn::GetAtt` of resources the change set leaves alone). A name that needs a
 * resource this change set creates or changes (`Fn::GetAtt` of a resource not created yet) is not known before
 * execution and is skipped, as is one that does not resolve at all: the execution fails that resource, naming it.
 *
 * @example
 * namedAdditions(changes, template, provider, scopeOf) // [{ logicalId: 'Bucket', type: 'AWS::S3::Bucket', name: 'wicked-dev-config', ... }]
 */
export function namedAdditions(changes: readonly ResourceChange[], template: Template, provider: (type: string) => ResourceProvider, scopeOf: (logicalId: string) => ResolveScope): NamedAddition[] {
  const additions: NamedAddition[] = [];
  for (const change of changes) {
    if (change.Action !== 'Add') continue;
    const check = provider(change.ResourceType).nameConflict;
    const properties = template.Resources[change.LogicalResourceId]?.Properties ?? {};
    if (!check || properties[check.name] === undefined) continue;
    const scope = scopeOf(change.LogicalResourceId);
    const name = knownString(properties[check.name], scope, `Properties.${check.name}`);
    if (name === undefined) continue;
    const within: Record<string, string | undefined> = {};
    let known = true;
    for (const key of check.within ?? []) {
      within[key] = properties[key] === undefined ? undefined : knownString(properties[key], scope, `Properties.${key}`);
      known &&= properties[key] === undefined || within[key] !== undefined;
    }
    if (known) additions.push({ logicalId: change.LogicalResourceId, type: change.ResourceType, name, within, check });
  }
  return additions;
}

/** A property's value when it resolves now to a string (or number), else undefined. */
function knownString(value: unknown, scope: ResolveScope, path: string): string | undefined {
  let resolved: unknown;
  try {
    resolved = resolveValue(value, scope, path);
  } catch {
    return undefined;
  }
  if (resolved === NO_VALUE) return undefined;
  return typeof resolved === 'string' || typeof resolved === 'number' ? String(resolved) : undefined;
}

/**
 * Asks the emulated services whether each named addition exists already; one that the stack itself holds (same type,
 * same physical id: a logical id renamed in this update) is not a conflict. Resolves the conflicts in template order.
 *
 * @example
 * await nameConflicts(additions, stack.resources) // [{ logicalId: 'Bucket', type: 'AWS::S3::Bucket', identifier: 'wicked-dev-config' }]
 */
export async function nameConflicts(additions: readonly NamedAddition[], owned: ReadonlyMap<string, DeployedResource>): Promise<NameConflict[]> {
  const found = await Promise.all(additions.map(async (addition) => {
    let identifier: string | undefined;
    try {
      identifier = await addition.check.existing(addition.name, addition.within);
    } catch (error) {
      throw new Error(`resource name conflict check of ${addition.logicalId} (${addition.type} '${addition.name}'): ${(error as Error).message}`, { cause: error });
    }
    if (identifier === undefined) return undefined;
    const ours = [...owned.values()].some((resource) => resource.type === addition.type && resource.physicalId === identifier);
    return ours ? undefined : { logicalId: addition.logicalId, type: addition.type, identifier };
  }));
  return found.filter((conflict): conflict is NameConflict => conflict !== undefined);
}

/** What a change set's creation operation recorded. */
export interface ChangeSetOperation {
  readonly stackId: string;
  readonly operationId: string;
  readonly startTime: Date;
  /** When the name conflict check answered (the validation errors' Timestamp). */
  readonly checkedAt: Date;
  readonly endTime: Date;
  readonly failed: boolean;
  readonly conflicts: readonly NameConflict[];
}

/**
 * DescribeEvents' events of a change set's creation, newest first: the operation's summary (`STACK_EVENT`,
 * OperationType `CREATE_CHANGESET`, OperationStatus, StartTime, EndTime) and one `VALIDATION_ERROR` per conflict, with
 * the members and values of the user guide's example answer ("Validate stack deployments", AWS CLI) and of the answer
 * captured from AWS for a name conflict: PhysicalResourceId empty, ValidationFailureMode FAIL, ValidationStatus FAILED,
 * the reason "Resource of type '<type>' with identifier '<id>' already exists." (also quoted in aws/aws-cdk-cli#1000)
 * and ValidationPath the resource's own path `/Resources/<logicalId>` (not its name property: the captured answer and
 * the CDK CLI's example `/Resources/SomeBucketD5B70704` both point at the resource). A successful creation records
 * its summary only (OperationStatus SUCCEEDED), by analogy with the stack operations' summaries in the captured answer.
 *
 * @example
 * changeSetOperationEvents({ stackId, operationId, startTime, checkedAt, endTime, failed: true, conflicts }) // [summary, validation error, ...]
 */
export function changeSetOperationEvents(operation: ChangeSetOperation): OperationEvent[] {
  const common = { StackId: operation.stackId, OperationId: operation.operationId, OperationType: 'CREATE_CHANGESET' as const };
  const summary: OperationEvent = {
    EventId: randomUUID(), ...common, OperationStatus: operation.failed ? 'FAILED' : 'SUCCEEDED', EventType: 'STACK_EVENT',
    Timestamp: operation.endTime, StartTime: operation.startTime, EndTime: operation.endTime,
  };
  const errors = operation.conflicts.map((conflict): OperationEvent => ({
    EventId: randomUUID(), ...common, EventType: 'VALIDATION_ERROR',
    LogicalResourceId: conflict.logicalId, PhysicalResourceId: '', ResourceType: conflict.type, Timestamp: operation.checkedAt,
    ValidationFailureMode: 'FAIL', ValidationName: NAME_CONFLICT_VALIDATION, ValidationStatus: 'FAILED',
    ValidationStatusReason: `Resource of type '${conflict.type}' with identifier '${conflict.identifier}' already exists.`,
    ValidationPath: `/Resources/${conflict.logicalId}`,
  }));
  return [summary, ...errors];
}
