import { randomUUID } from 'node:crypto';
import { checkCapabilities } from './capabilities';
import { isEmptyUpdate, resourceChanges } from './changes';
import type { DescribeEventsInput, DescribeEventsPage } from './describe-events';
import { DESCRIBE_EVENTS_PAGE, describeEvents } from './describe-events';
import type { NameConflict } from './early-validation';
import { NAME_CONFLICT_STATUS_REASON, changeSetOperationEvents, nameConflicts, namedAdditions } from './early-validation';
import type { ExportEntry } from './engine';
import { StackEngine } from './engine';
import { CfnApiError } from './errors';
import type { ChangeSet, DeployedResource, ResourceChange, Stack, StackParameter } from './model';
import { UPDATABLE, isSettled } from './model';
import type { ParameterInput, ParameterStore } from './parameters';
import { checkRules, resolveParameters } from './parameters';
import type { ResourceProvider } from './providers/provider';
import type { CfnEnvironment } from './scope';
import { scopeFactory } from './scope';
import type { Template } from './template';
import { parseTemplate } from './template';

/** What CreateChangeSet receives. */
export interface CreateChangeSetInput {
  readonly StackName: string;
  readonly ChangeSetName: string;
  readonly ChangeSetType?: string;
  readonly TemplateBody?: string;
  readonly TemplateURL?: string;
  readonly UsePreviousTemplate?: boolean;
  readonly Parameters: readonly ParameterInput[];
  readonly Capabilities: readonly string[];
  readonly Tags: readonly { Key: string; Value: string }[];
  readonly Description?: string;
}

/** What the service needs from the rest of the emulator. */
export interface CloudFormationServiceOptions {
  readonly environment: CfnEnvironment;
  readonly provider: (type: string) => ResourceProvider;
  /** Parameter Store, for SSM-typed parameters. */
  readonly parameters?: ParameterStore;
  /** Reads a template from a TemplateURL (an S3 object of the emulator). */
  readonly readTemplateUrl: (url: string) => Promise<string>;
  /** Called after every stack status change. @default none */
  readonly onStatus?: (stack: Stack) => void;
}

/**
 * The CloudFormation API's state and operations: stacks, change sets, events,
 * exports. Change sets are computed when created; executions and deletions
 * run in the background, as on AWS, and are polled through DescribeStacks
 * and DescribeStackEvents.
 */
export class CloudFormationService {
  private readonly stacks = new Map<string, Stack>();
  private readonly active = new Map<string, string>();
  private readonly running = new Set<Promise<void>>();
  readonly exports = new Map<string, ExportEntry>();
  private readonly engine: StackEngine;

  constructor(private readonly options: CloudFormationServiceOptions) {
    this.engine = new StackEngine({ environment: options.environment, provider: options.provider, exports: this.exports, ...(options.onStatus ? { onStatus: options.onStatus } : {}) });
  }

  /** A stack by name or id; deleted stacks only by id. */
  stack(nameOrId: string): Stack {
    const found = this.stacks.get(this.active.get(nameOrId) ?? nameOrId);
    if (!found) throw new CfnApiError('ValidationError', `Stack with id ${nameOrId} does not exist`);
    return found;
  }

  /** Every stack, deleted ones included (ListStacks). */
  allStacks(): Stack[] {
    return [...this.stacks.values()];
  }

  /** Stacks that exist (not DELETE_COMPLETE). */
  liveStacks(): Stack[] {
    return [...this.active.values()].map((id) => this.stacks.get(id)!);
  }

  async createChangeSet(input: CreateChangeSetInput): Promise<ChangeSet> {
    const startTime = new Date();
    const type = input.ChangeSetType ?? 'UPDATE';
    if (type !== 'CREATE' && type !== 'UPDATE') throw new CfnApiError('ValidationError', `ChangeSetType ${JSON.stringify(type)} is not emulated; expected CREATE or UPDATE`);
    const existingId = this.active.get(input.StackName) ?? (this.stacks.has(input.StackName) ? input.StackName : undefined);
    let stack = existingId ? this.stacks.get(existingId) : undefined;
    if (type === 'CREATE' && stack && stack.status !== 'REVIEW_IN_PROGRESS') throw new CfnApiError('AlreadyExistsException', `Stack [${input.StackName}] already exists and cannot be created again with the changeSet [${input.ChangeSetName}].`);
    if (type === 'UPDATE' && !stack) throw new CfnApiError('ValidationError', `Stack [${input.StackName}] does not exist`);
    if (stack && !isSettled(stack.status)) throw new CfnApiError('ValidationError', `Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    if (type === 'UPDATE' && stack && !UPDATABLE.has(stack.status)) throw new CfnApiError('ValidationError', `Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    if (stack?.changeSets.has(input.ChangeSetName)) throw new CfnApiError('AlreadyExistsException', `ChangeSet ${input.ChangeSetName} already exists`);
    const templateBody = await this.templateBody(input, stack);
    const template = parseTemplate(templateBody);
    checkCapabilities(template, input.Capabilities);
    const parameters = resolveParameters(template, input.Parameters, stack?.parameters ?? [], this.options.parameters);
    stack ??= this.newStack(input.StackName);
    const exports = new Map([...this.exports].map(([k, v]) => [k, v.value]));
    const scopeOf = scopeFactory({ stack, template, parameters, resources: stack.resources, exports, environment: this.options.environment });
    checkRules(template, scopeOf('Rules'));
    const changes = resourceChanges(stack.resources, template, scopeOf('Conditions').condition);
    const empty = type === 'UPDATE' && isEmptyUpdate(changes, stack, { template, parameters });
    const conflicts = empty ? [] : await this.nameConflicts(stack, template, parameters, changes, exports);
    const checkedAt = new Date();
    const reason = empty ? "The submitted information didn't contain changes. Submit different information to create a change set." : conflicts.length ? NAME_CONFLICT_STATUS_REASON : undefined;
    const operationId = randomUUID();
    const changeSet: ChangeSet = {
      id: `arn:aws:cloudformation:${this.options.environment.region}:${this.options.environment.account}:changeSet/${input.ChangeSetName}/${randomUUID()}`,
      name: input.ChangeSetName, stackId: stack.stackId, stackName: stack.stackName, type,
      status: reason ? 'FAILED' : 'CREATE_COMPLETE', executionStatus: reason ? 'UNAVAILABLE' : 'AVAILABLE',
      ...(reason ? { statusReason: reason } : {}),
      templateBody, ...(input.TemplateBody === undefined && !input.UsePreviousTemplate && input.TemplateURL !== undefined ? { templateUrl: input.TemplateURL } : {}), template, parameters, changes, capabilities: [...input.Capabilities], tags: [...input.Tags],
      ...(input.Description !== undefined ? { description: input.Description } : {}), creationTime: startTime, operationId,
    };
    stack.changeSets.set(changeSet.name, changeSet);
    stack.changeSetOperations.set(changeSet.name, operationId).set(changeSet.id, operationId);
    stack.operationEvents.unshift(...changeSetOperationEvents({ stackId: stack.stackId, operationId, startTime, checkedAt, endTime: new Date(), failed: reason !== undefined, conflicts }));
    return changeSet;
  }

  /**
   * Pre-deployment validation's name conflict check (CloudFormation User Guide, "Validate stack deployments"): the
   * resources the change set adds under a name that exists already outside the stack. Names resolve against what
   * exists before execution: the resources this change set leaves alone.
   */
  private async nameConflicts(stack: Stack, template: Template, parameters: readonly StackParameter[], changes: readonly ResourceChange[], exports: ReadonlyMap<string, string>): Promise<NameConflict[]> {
    const scopeOf = scopeFactory({ stack, template, parameters, resources: untouched(stack, changes), exports, environment: this.options.environment });
    return nameConflicts(namedAdditions(changes, template, this.options.provider, scopeOf), stack.resources);
  }

  /** DescribeEvents: the operation events of a change set's creation, a stack or an operation ({@link describeEvents}). */
  describeEvents(input: DescribeEventsInput, pageSize = DESCRIBE_EVENTS_PAGE): DescribeEventsPage {
    return describeEvents({ stacks: [...this.stacks.values()], stack: (nameOrId) => this.stack(nameOrId) }, input, pageSize);
  }

  changeSet(name: string, stackName?: string): ChangeSet {
    if (name.startsWith('arn:')) {
      for (const stack of this.stacks.values()) for (const cs of stack.changeSets.values()) if (cs.id === name) return cs;
    } else if (stackName) {
      const found = this.stacks.get(this.active.get(stackName) ?? stackName)?.changeSets.get(name);
      if (found) return found;
    }
    throw new CfnApiError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, 404);
  }

  /** Starts the change set's execution; the promise it returns resolves when the execution has ended (never rejects). */
  executeChangeSet(name: string, stackName?: string): Promise<void> {
    const changeSet = this.changeSet(name, stackName);
    const stack = this.stack(changeSet.stackId);
    if (changeSet.executionStatus !== 'AVAILABLE') throw new CfnApiError('InvalidChangeSetStatus', `ChangeSet [${changeSet.id}] cannot be executed in its current execution status of [${changeSet.executionStatus}]`);
    if (!isSettled(stack.status)) throw new CfnApiError('ValidationError', `Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    changeSet.executionStatus = 'EXECUTE_IN_PROGRESS';
    for (const other of stack.changeSets.values()) if (other !== changeSet) stack.changeSets.delete(other.name);
    const run = changeSet.type === 'CREATE' ? this.engine.create(stack, changeSet) : this.engine.update(stack, changeSet);
    return this.track(run.then(() => { changeSet.executionStatus = stack.status.endsWith('_COMPLETE') && !stack.status.includes('ROLLBACK') ? 'EXECUTE_COMPLETE' : 'EXECUTE_FAILED'; }));
  }

  deleteChangeSet(name: string, stackName?: string): void {
    const changeSet = this.changeSet(name, stackName);
    if (changeSet.executionStatus === 'EXECUTE_IN_PROGRESS') throw new CfnApiError('InvalidChangeSetStatus', `ChangeSet [${changeSet.id}] is being executed and cannot be deleted`);
    this.stack(changeSet.stackId).changeSets.delete(changeSet.name);
  }

  /** Starts the stack's deletion; the promise it returns resolves when the deletion has ended (never rejects). */
  deleteStack(nameOrId: string): Promise<void> {
    const id = this.active.get(nameOrId) ?? nameOrId;
    const stack = this.stacks.get(id);
    if (!stack || stack.status === 'DELETE_COMPLETE') return Promise.resolve(); // DeleteStack of a missing stack succeeds silently, as on AWS.
    if (!isSettled(stack.status) && stack.status !== 'DELETE_IN_PROGRESS') throw new CfnApiError('ValidationError', `Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`);
    // Imports are not tracked per importing stack: unlike AWS, an export still imported elsewhere does not block the deletion.
    return this.track(this.engine.delete(stack).then(() => { if (stack.status === 'DELETE_COMPLETE') this.active.delete(stack.stackName); }));
  }

  /** Resolves when every execution and deletion started so far has ended. */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private track(run: Promise<void>): Promise<void> {
    const guarded = run.catch((error: unknown) => { console.error(`cloudformation: ${(error as Error).stack ?? String(error)}`); });
    this.running.add(guarded);
    void guarded.finally(() => this.running.delete(guarded));
    return guarded;
  }

  private newStack(name: string): Stack {
    if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) throw new CfnApiError('ValidationError', `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`);
    const stack: Stack = {
      stackId: `arn:aws:cloudformation:${this.options.environment.region}:${this.options.environment.account}:stack/${name}/${randomUUID()}`,
      stackName: name, status: 'REVIEW_IN_PROGRESS', parameters: [], outputs: [], tags: [], capabilities: [],
      creationTime: new Date(), resources: new Map(), events: [], changeSets: new Map(), operationEvents: [], changeSetOperations: new Map(),
    };
    this.stacks.set(stack.stackId, stack);
    this.active.set(name, stack.stackId);
    this.engine.event(stack, name, 'AWS::CloudFormation::Stack', stack.stackId, 'REVIEW_IN_PROGRESS', 'User Initiated');
    return stack;
  }

  private async templateBody(input: CreateChangeSetInput, stack: Stack | undefined): Promise<string> {
    if (input.UsePreviousTemplate) {
      if (!stack?.templateBody) throw new CfnApiError('ValidationError', 'UsePreviousTemplate is set but the stack has no template yet');
      return stack.templateBody;
    }
    if (input.TemplateBody !== undefined) return input.TemplateBody;
    if (input.TemplateURL !== undefined) {
      try {
        return await this.options.readTemplateUrl(input.TemplateURL);
      } catch (error) {
        throw new CfnApiError('ValidationError', `TemplateURL must be a supported URL: reading ${input.TemplateURL} failed (${(error as Error).message})`);
      }
    }
    throw new CfnApiError('ValidationError', 'Either Template URL or Template Body must be specified.');
  }
}

/** The stack's resources the change set leaves alone: what a name may `Ref` or `Fn::GetAtt` before execution. */
function untouched(stack: Stack, changes: readonly ResourceChange[]): Map<string, DeployedResource> {
  const touched = new Set(changes.map((change) => change.LogicalResourceId));
  return new Map([...stack.resources].filter(([id]) => !touched.has(id)));
}
