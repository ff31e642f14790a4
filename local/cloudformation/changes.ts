import type { DeployedResource, ResourceChange, StackParameter } from './model';
import type { Template } from './template';

/**
 * The resource changes a template makes to a stack, from the definitions as
 * written (Type, Properties, policies): Add, Modify (Replacement True when
 * the type changes, else False), Remove. Resources whose Condition is false
 * are not in the template for this purpose.
 *
 * @example
 * resourceChanges(new Map(), template, () => true) // [{ Action: 'Add', LogicalResourceId: 'Bucket', ResourceType: 'AWS::S3::Bucket' }]
 */
export function resourceChanges(current: ReadonlyMap<string, DeployedResource>, template: Template, condition: (name: string) => boolean): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const wanted = Object.entries(template.Resources).filter(([, r]) => r.Condition === undefined || condition(r.Condition));
  for (const [id, definition] of wanted) {
    const old = current.get(id);
    if (!old) {
      changes.push({ Action: 'Add', LogicalResourceId: id, ResourceType: definition.Type });
      continue;
    }
    if (old.type !== definition.Type) {
      changes.push({ Action: 'Modify', LogicalResourceId: id, PhysicalResourceId: old.physicalId, ResourceType: definition.Type, Replacement: 'True', Scope: ['Properties'] });
      continue;
    }
    const scope: string[] = [];
    if (JSON.stringify(old.definition.Properties ?? {}) !== JSON.stringify(definition.Properties ?? {})) scope.push('Properties');
    if (JSON.stringify(old.definition.Metadata ?? null) !== JSON.stringify(definition.Metadata ?? null)) scope.push('Metadata');
    if (old.definition.DeletionPolicy !== definition.DeletionPolicy || old.definition.UpdateReplacePolicy !== definition.UpdateReplacePolicy) scope.push('DeletionPolicy');
    if (scope.length) changes.push({ Action: 'Modify', LogicalResourceId: id, PhysicalResourceId: old.physicalId, ResourceType: definition.Type, Replacement: 'False', Scope: scope });
  }
  const kept = new Set(wanted.map(([id]) => id));
  for (const old of current.values()) {
    if (!kept.has(old.logicalId)) changes.push({ Action: 'Remove', LogicalResourceId: old.logicalId, PhysicalResourceId: old.physicalId, ResourceType: old.type });
  }
  return changes;
}

/**
 * Whether an update would change nothing: no resource change, the same
 * parameters (as given and as resolved) and the same outputs. CloudFormation
 * then fails the change set with "The submitted information didn't contain changes."
 */
export function isEmptyUpdate(changes: readonly ResourceChange[], before: { template?: Template; parameters: readonly StackParameter[] }, after: { template: Template; parameters: readonly StackParameter[] }): boolean {
  if (changes.length) return false;
  if (JSON.stringify(before.parameters) !== JSON.stringify(after.parameters)) return false;
  return JSON.stringify(before.template?.Outputs ?? {}) === JSON.stringify(after.template.Outputs ?? {});
}
