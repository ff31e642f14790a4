import { randomUUID } from 'node:crypto';
import { TemplateError } from './errors';
import { NO_VALUE, resolveValue } from './intrinsics';
import type { ChangeSet, DeployedResource, ResourceStatus, Stack, StackOutput, StackStatus } from './model';
import type { ProviderContext, ResourceProvider } from './providers/provider';
import { ResourceNotStabilized } from './providers/provider';
import type { CfnEnvironment } from './scope';
import { scopeFactory } from './scope';
import type { Template, TemplateResource } from './template';
import { creationOrder } from './template';

/** An export and the stack that owns it. */
export interface ExportEntry {
  readonly value: string;
  readonly stackId: string;
}

/** What the engine needs: where it runs, the providers by type, the region's exports. */
export interface EngineOptions {
  readonly environment: CfnEnvironment;
  readonly provider: (type: string) => ResourceProvider;
  readonly exports: Map<string, ExportEntry>;
  /** Called after every stack status change (the local inventory file follows it). @default none */
  readonly onStatus?: (stack: Stack) => void;
}

/**
 * Runs change sets and deletions as CloudFormation does: resources in
 * dependency order, a stack event per step, a failed resource fails the stack
 * and rolls it back (CREATE_FAILED -> ROLLBACK_COMPLETE, or UPDATE_ROLLBACK_COMPLETE),
 * deletions in reverse order honouring DeletionPolicy and UpdateReplacePolicy.
 */
export class StackEngine {
  private lastEvent = 0;

  constructor(private readonly options: EngineOptions) {}

  /** Event times strictly increase, so readers that order by Timestamp see the order they happened in. */
  private eventTime(): Date {
    this.lastEvent = Math.max(Date.now(), this.lastEvent + 1);
    return new Date(this.lastEvent);
  }

  /** Executes a CREATE change set on a stack in REVIEW_IN_PROGRESS. */
  async create(stack: Stack, changeSet: ChangeSet): Promise<void> {
    adopt(stack, changeSet);
    this.status(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    const touched: DeployedResource[] = [];
    try {
      await this.apply(stack, changeSet.template, new Map(), touched, []);
      stack.outputs = this.outputs(stack);
      this.status(stack, 'CREATE_COMPLETE');
    } catch (error) {
      this.status(stack, 'ROLLBACK_IN_PROGRESS', `The following resource(s) failed to create: [${failedIds(stack)}]. Rollback requested by user. ${(error as Error).message}`);
      const rolledBack = await this.removeAll(stack, [...touched].reverse(), 'rollback');
      stack.outputs = [];
      this.status(stack, rolledBack ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED');
    }
  }

  /** Executes an UPDATE change set: creates, updates or replaces what changed, then cleans up what the template no longer holds. */
  async update(stack: Stack, changeSet: ChangeSet): Promise<void> {
    const before = { template: stack.template, templateBody: stack.templateBody, parameters: stack.parameters, resources: stack.resources, tags: stack.tags };
    adopt(stack, changeSet);
    this.status(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    const touched: DeployedResource[] = [];
    const replaced: DeployedResource[] = [];
    try {
      await this.apply(stack, changeSet.template, before.resources, touched, replaced);
      stack.outputs = this.outputs(stack);
      this.status(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      const removed = [...before.resources.values()].filter((r) => !stack.resources.has(r.logicalId)).reverse();
      await this.removeAll(stack, [...replaced, ...removed], 'cleanup');
      this.status(stack, 'UPDATE_COMPLETE');
    } catch (error) {
      this.status(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', `The following resource(s) failed to update: [${failedIds(stack)}]. ${(error as Error).message}`);
      const current = stack.resources;
      Object.assign(stack, before);
      for (const resource of [...touched].reverse()) await this.revert(stack, resource, before.resources.get(resource.logicalId), current);
      this.status(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
      this.status(stack, 'UPDATE_ROLLBACK_COMPLETE');
    }
  }

  /** Deletes every resource in reverse creation order; DELETE_FAILED when one cannot be deleted. */
  async delete(stack: Stack): Promise<void> {
    this.status(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    const ok = await this.removeAll(stack, [...stack.resources.values()].reverse(), 'delete');
    if (!ok) return this.status(stack, 'DELETE_FAILED', 'The following resource(s) failed to delete: [' + failedIds(stack) + '].');
    for (const [name, entry] of this.options.exports) if (entry.stackId === stack.stackId) this.options.exports.delete(name);
    stack.deletionTime = new Date();
    this.status(stack, 'DELETE_COMPLETE');
  }

  private async apply(stack: Stack, template: Template, previous: ReadonlyMap<string, DeployedResource>, touched: DeployedResource[], replaced: DeployedResource[]): Promise<void> {
    const next = new Map<string, DeployedResource>(previous);
    stack.resources = next;
    const scopeOf = scopeFactory({ stack, template, parameters: stack.parameters, resources: next, exports: this.exportValues(), environment: this.options.environment });
    const conditionOf = scopeOf('Conditions').condition;
    const wanted = new Set<string>();
    for (const id of creationOrder(template)) {
      const definition = template.Resources[id]!;
      if (definition.Condition !== undefined && !conditionOf(definition.Condition)) continue;
      wanted.add(id);
      const old = previous.get(id);
      let properties: Record<string, unknown>;
      try {
        properties = resolveValue(definition.Properties ?? {}, scopeOf(id), 'Properties') as Record<string, unknown>;
      } catch (error) {
        this.event(stack, id, definition.Type, old?.physicalId ?? '', old ? 'UPDATE_FAILED' : 'CREATE_FAILED', (error as Error).message);
        throw error;
      }
      if (old && old.type === definition.Type && JSON.stringify(old.properties) === JSON.stringify(properties)) {
        next.set(id, { ...old, definition });
        continue;
      }
      let resource: DeployedResource;
      try {
        resource = await this.put(stack, id, definition, properties, old);
      } catch (error) {
        // A resource that exists but did not stabilise is still the stack's: the rollback deletes or reverts it.
        const created = (error as { created?: DeployedResource }).created;
        if (created) { next.set(id, created); touched.push(created); }
        throw error;
      }
      next.set(id, resource);
      touched.push(resource);
      if (old && old.physicalId !== resource.physicalId) replaced.push({ ...old, definition: old.definition });
    }
    // Keep the template's order (DescribeStackResources, reverse deletion); drop what the template no longer holds.
    stack.resources = new Map([...next].filter(([id]) => wanted.has(id)));
  }

  private async put(stack: Stack, id: string, definition: TemplateResource, properties: Record<string, unknown>, old: DeployedResource | undefined): Promise<DeployedResource> {
    const provider = this.options.provider(definition.Type);
    const context = this.context(stack, id, definition.Type);
    const inPlace = old && old.type === definition.Type && provider.update;
    const verb = inPlace ? 'UPDATE' : 'CREATE';
    this.event(stack, id, definition.Type, old?.physicalId ?? '', `${verb}_IN_PROGRESS`, old && !inPlace ? 'Requested update requires the creation of a new physical resource; hence creating one.' : undefined);
    try {
      const unknown = provider.understood ? Object.keys(properties).filter((key) => !provider.understood!.has(key)) : [];
      if (unknown.length) throw new TemplateError(id, `Properties.${unknown[0]}`, `not understood by the emulated ${definition.Type}; it understands ${[...provider.understood!].join(', ')}`);
      const result = inPlace ? await provider.update!(properties, old, context) : await provider.create(properties, context);
      const resource: DeployedResource = {
        logicalId: id, type: definition.Type, physicalId: result.physicalId, properties, attributes: result.attributes ?? {},
        definition, status: `${verb}_COMPLETE`, lastUpdated: new Date(), emulated: provider.emulated,
      };
      if (verb === 'CREATE') this.event(stack, id, definition.Type, result.physicalId, 'CREATE_IN_PROGRESS', 'Resource creation Initiated');
      this.event(stack, id, definition.Type, result.physicalId, `${verb}_COMPLETE`);
      return resource;
    } catch (error) {
      const reason = error instanceof TemplateError ? error.message : `${id} (${definition.Type}): ${(error as Error).message}`;
      const physicalId = error instanceof ResourceNotStabilized ? error.result.physicalId : old?.physicalId ?? '';
      // The resource exists (its create call succeeded) and then failed to stabilise: AWS shows its initiation first.
      if (error instanceof ResourceNotStabilized && verb === 'CREATE') this.event(stack, id, definition.Type, physicalId, 'CREATE_IN_PROGRESS', 'Resource creation Initiated');
      this.event(stack, id, definition.Type, physicalId, `${verb}_FAILED`, reason);
      const failed = new TemplateError(id, '', reason.startsWith(`${id}`) ? reason.slice(id.length).replace(/^[.:]\s*/, '') : reason);
      if (error instanceof ResourceNotStabilized) {
        Object.assign(failed, { created: { logicalId: id, type: definition.Type, physicalId, properties, attributes: error.result.attributes ?? {}, definition, status: `${verb}_FAILED`, lastUpdated: new Date(), emulated: provider.emulated } });
      }
      throw failed;
    }
  }

  /** Deletes resources in the order given; resolves false when one failed (the rest are still tried). */
  private async removeAll(stack: Stack, resources: readonly DeployedResource[], why: 'rollback' | 'cleanup' | 'delete'): Promise<boolean> {
    let ok = true;
    for (const resource of resources) {
      const policy = why === 'cleanup' && stack.resources.has(resource.logicalId) ? resource.definition.UpdateReplacePolicy : resource.definition.DeletionPolicy;
      const retain = policy === 'Retain' || (policy === 'RetainExceptOnCreate' && why !== 'rollback');
      if (retain) {
        this.event(stack, resource.logicalId, resource.type, resource.physicalId, 'DELETE_SKIPPED');
        if (!stack.resources.has(resource.logicalId) || why !== 'cleanup') stack.resources.delete(resource.logicalId);
        continue;
      }
      this.event(stack, resource.logicalId, resource.type, resource.physicalId, 'DELETE_IN_PROGRESS');
      try {
        if (resource.physicalId) await this.options.provider(resource.type).delete(resource, this.context(stack, resource.logicalId, resource.type));
        this.event(stack, resource.logicalId, resource.type, resource.physicalId, 'DELETE_COMPLETE');
        if (why !== 'cleanup' || stack.resources.get(resource.logicalId)?.physicalId === resource.physicalId) stack.resources.delete(resource.logicalId);
      } catch (error) {
        ok = false;
        resource.status = 'DELETE_FAILED';
        this.event(stack, resource.logicalId, resource.type, resource.physicalId, 'DELETE_FAILED', (error as Error).message);
      }
    }
    return ok;
  }

  /** Undoes one step of a failed update: deletes what was added, puts back what was updated. */
  private async revert(stack: Stack, now: DeployedResource, before: DeployedResource | undefined, current: ReadonlyMap<string, DeployedResource>): Promise<void> {
    const provider = this.options.provider(now.type);
    const context = this.context(stack, now.logicalId, now.type);
    try {
      if (!before || before.physicalId !== now.physicalId) {
        this.event(stack, now.logicalId, now.type, now.physicalId, 'DELETE_IN_PROGRESS');
        await provider.delete(now, context);
        this.event(stack, now.logicalId, now.type, now.physicalId, 'DELETE_COMPLETE');
      } else if (provider.update) {
        this.event(stack, now.logicalId, now.type, now.physicalId, 'UPDATE_IN_PROGRESS');
        await provider.update(before.properties, current.get(now.logicalId) ?? now, context);
        this.event(stack, now.logicalId, now.type, now.physicalId, 'UPDATE_COMPLETE');
      }
    } catch (error) {
      this.event(stack, now.logicalId, now.type, now.physicalId, 'UPDATE_FAILED', `rollback: ${(error as Error).message}`);
    }
  }

  private outputs(stack: Stack): StackOutput[] {
    const template = stack.template!;
    const scopeOf = scopeFactory({ stack, template, parameters: stack.parameters, resources: stack.resources, exports: this.exportValues(), environment: this.options.environment });
    const outputs: StackOutput[] = [];
    for (const [key, output] of Object.entries(template.Outputs ?? {})) {
      const scope = scopeOf(`Outputs.${key}`);
      if (output.Condition !== undefined && !scope.condition(output.Condition)) continue;
      const value = resolveValue(output.Value, scope, 'Value');
      if (value === NO_VALUE) continue;
      const text = Array.isArray(value) ? value.join(',') : String(value);
      const exportName = output.Export ? String(resolveValue(output.Export.Name, scope, 'Export.Name')) : undefined;
      if (exportName !== undefined) {
        const owner = this.options.exports.get(exportName);
        if (owner && owner.stackId !== stack.stackId) throw new TemplateError(`Outputs.${key}`, 'Export.Name', `Export with name ${exportName} is already exported by stack ${owner.stackId}`);
        this.options.exports.set(exportName, { value: text, stackId: stack.stackId });
      }
      outputs.push({ OutputKey: key, OutputValue: text, ...(output.Description ? { Description: output.Description } : {}), ...(exportName ? { ExportName: exportName } : {}) });
    }
    return outputs;
  }

  private exportValues(): Map<string, string> {
    return new Map([...this.options.exports].map(([name, entry]) => [name, entry.value]));
  }

  private context(stack: Stack, logicalId: string, resourceType: string): ProviderContext {
    return { stackName: stack.stackName, stackId: stack.stackId, logicalId, resourceType, account: this.options.environment.account, region: this.options.environment.region };
  }

  private status(stack: Stack, status: StackStatus, reason?: string): void {
    stack.status = status;
    this.options.onStatus?.(stack);
    // The rollback's cause stays the stack's reason once the rollback completes, as DescribeStacks shows on AWS.
    if (reason !== undefined) stack.statusReason = reason;
    else if (!status.includes('ROLLBACK')) delete stack.statusReason;
    if (status.startsWith('UPDATE')) stack.lastUpdatedTime = new Date();
    this.event(stack, stack.stackName, 'AWS::CloudFormation::Stack', stack.stackId, status, reason);
  }

  /** Records a stack event (newest first); resource events also set the resource's status. */
  event(stack: Stack, logicalId: string, type: string, physicalId: string, status: ResourceStatus, reason?: string): void {
    const resource = stack.resources.get(logicalId);
    if (resource && resource.physicalId === physicalId) {
      resource.status = status;
      if (reason !== undefined) resource.statusReason = reason;
    }
    const time = this.eventTime();
    stack.events.unshift({
      EventId: type === 'AWS::CloudFormation::Stack' ? randomUUID() : `${logicalId}-${status}-${time.toISOString()}-${randomUUID().slice(0, 8)}`,
      StackId: stack.stackId, StackName: stack.stackName, LogicalResourceId: logicalId, PhysicalResourceId: physicalId,
      ResourceType: type, Timestamp: time, ResourceStatus: status, ...(reason !== undefined ? { ResourceStatusReason: reason } : {}),
    });
  }
}

function adopt(stack: Stack, changeSet: ChangeSet): void {
  stack.template = changeSet.template;
  stack.templateBody = changeSet.templateBody;
  stack.parameters = [...changeSet.parameters];
  stack.capabilities = [...changeSet.capabilities];
  if (changeSet.tags.length) stack.tags = [...changeSet.tags];
}

function failedIds(stack: Stack): string {
  const failed = new Set<string>();
  for (const event of stack.events) {
    if (event.ResourceType === 'AWS::CloudFormation::Stack') break;
    if (event.ResourceStatus.endsWith('_FAILED')) failed.add(event.LogicalResourceId);
  }
  return [...failed].join(', ');
}
