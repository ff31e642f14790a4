import { load } from 'js-yaml';
import { CfnApiError, TemplateError } from './errors';

/** One resource of a template, as written. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: unknown;
}

/** A template parameter declaration. */
export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly Description?: string;
  readonly NoEcho?: boolean | string;
  readonly AllowedValues?: readonly unknown[];
}

/** The sections of a CloudFormation template the emulator reads. */
export interface Template {
  readonly AWSTemplateFormatVersion?: string;
  readonly Description?: string;
  readonly Parameters?: Record<string, TemplateParameter>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Rules?: Record<string, { RuleCondition?: unknown; Assertions?: { Assert: unknown; AssertDescription?: string }[] }>;
  readonly Resources: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string; Condition?: string; Export?: { Name: unknown } }>;
}

const SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Conditions', 'Mappings', 'Rules', 'Resources', 'Outputs', 'Transform']);

/**
 * Parses a template body (JSON, or YAML as the CDK CLI sends it) and checks
 * its shape: a `Resources` section of typed resources, no unknown sections,
 * no `Transform` (macros are not emulated).
 *
 * @example
 * parseTemplate('{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}').Resources.B.Type // 'AWS::S3::Bucket'
 */
export function parseTemplate(body: string): Template {
  let parsed: unknown;
  try {
    parsed = body.trimStart().startsWith('{') ? JSON.parse(body) : load(body);
  } catch (error) {
    throw new CfnApiError('ValidationError', `Template format error: not valid JSON or YAML (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CfnApiError('ValidationError', 'Template format error: the template is not a JSON/YAML object');
  const template = parsed as Record<string, unknown>;
  for (const section of Object.keys(template)) {
    if (!SECTIONS.has(section)) throw new CfnApiError('ValidationError', `Template format error: unknown top-level section ${JSON.stringify(section)}; expected one of ${[...SECTIONS].join(', ')}`);
  }
  if (template.Transform !== undefined) throw new CfnApiError('ValidationError', `Template format error: Transform ${JSON.stringify(template.Transform)} is not emulated`);
  const resources = template.Resources;
  if (!resources || typeof resources !== 'object' || Object.keys(resources).length === 0) throw new CfnApiError('ValidationError', 'Template format error: At least one Resources member must be defined.');
  for (const [id, resource] of Object.entries(resources as Record<string, unknown>)) {
    const type = (resource as { Type?: unknown } | null)?.Type;
    if (typeof type !== 'string') throw new CfnApiError('ValidationError', `Template format error: resource ${id} has no Type (received ${JSON.stringify(resource)})`);
  }
  return template as unknown as Template;
}

/**
 * The logical ids a value refers to: `Ref`, `Fn::GetAtt` and the `${Name}` /
 * `${Name.Attr}` placeholders of `Fn::Sub` (pseudo parameters and a
 * `Fn::Sub`'s own variables excluded). Parameters are included; callers keep
 * only resource ids.
 */
export function references(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) references(item, found);
    return found;
  }
  if (!value || typeof value !== 'object') return found;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'Ref' && typeof record.Ref === 'string') {
    if (!record.Ref.startsWith('AWS::')) found.add(record.Ref);
    return found;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const target = record['Fn::GetAtt'];
    const id = Array.isArray(target) ? target[0] : typeof target === 'string' ? target.split('.')[0] : undefined;
    if (typeof id === 'string') found.add(id);
    else references(target, found);
    return found;
  }
  if (keys.length === 1 && keys[0] === 'Fn::Sub') {
    const sub = record['Fn::Sub'];
    const [text, vars] = Array.isArray(sub) ? [sub[0], (sub[1] ?? {}) as Record<string, unknown>] : [sub, {}];
    if (typeof text === 'string') {
      for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const name = match[1]!.split('.')[0]!;
        if (!name.startsWith('AWS::') && !(name in vars)) found.add(name);
      }
    }
    references(vars, found);
    return found;
  }
  for (const item of Object.values(record)) references(item, found);
  return found;
}

/** Each resource's dependencies on other resources (Ref, GetAtt, Sub, DependsOn). */
export function dependencyGraph(template: Template): Map<string, Set<string>> {
  const ids = new Set(Object.keys(template.Resources));
  const graph = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const deps = new Set<string>();
    for (const ref of references(resource.Properties ?? {})) if (ids.has(ref)) deps.add(ref);
    const dependsOn = resource.DependsOn === undefined ? [] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    for (const dep of dependsOn) {
      if (!ids.has(dep)) throw new TemplateError(id, 'DependsOn', `names ${JSON.stringify(dep)}, which is not a resource of the template`);
      deps.add(dep);
    }
    graph.set(id, deps);
  }
  return graph;
}

/**
 * A creation order in which every resource comes after what it depends on
 * (ties in template order, so the order is stable); a cycle is an error
 * naming the resources on it.
 *
 * @example
 * creationOrder(template) // ['Role', 'Function', 'Permission']
 */
export function creationOrder(template: Template): string[] {
  const graph = dependencyGraph(template);
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    const seen = state.get(id);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new TemplateError(id, 'DependsOn', `circular dependency between resources: ${[...path.slice(path.indexOf(id)), id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const dep of graph.get(id) ?? []) visit(dep, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of graph.keys()) visit(id, []);
  return order;
}
