import type { ParameterStore } from '../../../local/cloudformation/parameters';
import type { ProviderContext, ResourceProvider } from '../../../local/cloudformation/providers/provider';

/** What the fake providers did, in order. */
export type Call = `${'create' | 'update' | 'delete'} ${string}`;

/**
 * Providers backed by an in-memory world: `Test::Thing` resources exist
 * while created, `Test::Failing` fails to create with the property `Reason`,
 * `Test::Strict` understands only Name and Size, `Test::Named` is a Test::Thing
 * that takes part in the name conflict check (its `Name` exists when `live`
 * holds it: a test puts what exists outside any stack there).
 */
export function fakeWorld(): { provider: (type: string) => ResourceProvider; calls: Call[]; live: Map<string, Record<string, unknown>> } {
  const calls: Call[] = [];
  const live = new Map<string, Record<string, unknown>>();
  let n = 0;
  const thing: ResourceProvider = {
    emulated: true,
    create: async (props, c: ProviderContext) => {
      const id = typeof props.Name === 'string' ? props.Name : `${c.logicalId}-${(n += 1)}`;
      calls.push(`create ${c.logicalId}`);
      live.set(id, props);
      return { physicalId: id, attributes: { Arn: `arn:test:${id}` } };
    },
    update: async (props, previous, c) => {
      calls.push(`update ${c.logicalId}`);
      if (props.Name !== previous.properties.Name) return thing.create(props, c);
      live.set(previous.physicalId, props);
      return { physicalId: previous.physicalId, attributes: previous.attributes };
    },
    delete: async (resource, c) => {
      calls.push(`delete ${c.logicalId}`);
      live.delete(resource.physicalId);
    },
  };
  const failing: ResourceProvider = {
    emulated: true,
    create: async (props, c) => { calls.push(`create ${c.logicalId}`); throw new Error(String(props.Reason)); },
    update: async (props, _previous, c) => { calls.push(`update ${c.logicalId}`); throw new Error(String(props.Reason)); },
    delete: async (_resource, c) => { calls.push(`delete ${c.logicalId}`); },
  };
  const strict: ResourceProvider = { ...thing, understood: new Set(['Name', 'Size']) };
  const named: ResourceProvider = { ...thing, nameConflict: { name: 'Name', existing: async (name) => (live.has(name) ? name : undefined) } };
  const byType: Record<string, ResourceProvider> = { 'Test::Failing': failing, 'Test::Strict': strict, 'Test::Named': named };
  return { provider: (type) => byType[type] ?? thing, calls, live };
}

/** Parameter Store in a map. */
export function fakeParameters(values: Record<string, string> = {}): ParameterStore & { values: Map<string, string> } {
  const map = new Map(Object.entries(values));
  return {
    values: map,
    put: ({ name, value, overwrite }) => {
      if (map.has(name) && !overwrite) throw new Error(`ParameterAlreadyExists: ${name}`);
      map.set(name, value);
    },
    latest: (name) => {
      const value = map.get(name);
      if (value === undefined) throw new Error(`ParameterNotFound: ${name}`);
      return { value };
    },
    delete: (name) => { map.delete(name); },
  };
}
