import { NormalizedSchema } from '@smithy/core/schema';
import { parseXML } from '@aws-sdk/xml-builder';
import type { CapturedResponse, EnumTable } from './sdk-model';

/**
 * Sends a command through a client whose request handler captures the raw answers
 * (`capturingHandler(captured)`), then checks the answer against the command's output
 * shape ({@link queryModelDifferences}); returns the problems, each prefixed by the action.
 *
 * @example
 * expect(await queryAnswerProblems(client, captured, new ListTopicsCommand({}))).toEqual([]);
 */
export async function queryAnswerProblems(client: { send(command: never): Promise<unknown> }, captured: readonly CapturedResponse[], command: object, enums: EnumTable = {}): Promise<string[]> {
  const before = captured.length;
  await client.send(command as never);
  const answer = captured[captured.length - 1];
  if (captured.length === before || !answer) throw new Error('no response was captured');
  const operation = (command as { schema: unknown[] }).schema;
  const action = String(operation[2]);
  return queryModelDifferences((operation[5] as () => unknown)(), action, parseXML(answer.body) as Record<string, unknown>, enums).map((line) => `${action}: ${line}`);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * Checks an awsQuery answer (CloudFormation, SNS, STS: parsed with the SDK's
 * own `parseXML`) against the operation's output shape from the SDK model:
 * the `<Action>Response><Action>Result>` envelope, element names from the
 * members (`xmlName` where the model sets one), lists as `<member>` items and
 * maps as `<entry><key/><value/></entry>` (the protocol's defaults), text of
 * the member's type (ISO-8601 timestamps, numbers, booleans), enum values the
 * SDK lists, every required member present and no element the shape lacks.
 * Returns one line per problem, empty when the answer fits.
 *
 * @example
 * expect(queryModelDifferences(DescribeStacksOutput$, 'DescribeStacks', parseXML(body), enums)).toEqual([]);
 */
export function queryModelDifferences(schema: unknown, action: string, document: Record<string, unknown>, enums: EnumTable = {}): string[] {
  const root = Object.keys(document).filter((key) => !key.startsWith('?'));
  if (root.length !== 1 || root[0] !== `${action}Response`) return [`(document): root ${root.join(', ')}, expected ${action}Response`];
  const response = document[root[0]] as Record<string, unknown>;
  const extra = Object.keys(response).filter((key) => !key.startsWith('@_') && key !== 'xmlns' && key !== `${action}Result` && key !== 'ResponseMetadata');
  const output = NormalizedSchema.of(schema as Parameters<typeof NormalizedSchema.of>[0]);
  const result = response[`${action}Result`];
  // An operation without output members (ExecuteChangeSet, DeleteStack) answers an empty result or none.
  if (!output.isStructSchema() || [...output.structIterator()].length === 0) {
    return [...extra.map((key) => `${action}Response.${key}: not part of the envelope`), ...(result === undefined || result === '' ? [] : [`${action}Result: ${JSON.stringify(result).slice(0, 60)}, the model has no output members`])];
  }
  return [...extra.map((key) => `${action}Response.${key}: not part of the envelope`), ...check(output, result ?? {}, `${action}Result`, enums)];
}

function check(ns: NormalizedSchema, value: unknown, path: string, enums: EnumTable): string[] {
  if (ns.isStructSchema()) return checkStruct(ns, value, path, enums);
  if (ns.isListSchema()) {
    if (value === '' || value === undefined) return [];
    const itemName = (ns.getValueSchema().getMergedTraits() as { xmlName?: string }).xmlName ?? 'member';
    const record = value as Record<string, unknown>;
    const stray = Object.keys(record).filter((key) => key !== itemName);
    const items = record[itemName];
    return [
      ...stray.map((key) => `${path}.${key}: not a list item (the model writes <${itemName}>)`),
      ...(items === undefined ? [] : (Array.isArray(items) ? items : [items])).flatMap((entry, i) => check(ns.getValueSchema(), entry, `${path}[${i}]`, enums)),
    ];
  }
  if (ns.isMapSchema()) {
    if (value === '' || value === undefined) return [];
    const entries = (value as Record<string, unknown>).entry;
    return (entries === undefined ? [] : Array.isArray(entries) ? entries : [entries]).flatMap((entry, i) => {
      const { key, value: item } = entry as { key?: unknown; value?: unknown };
      return typeof key === 'string' ? check(ns.getValueSchema(), item, `${path}{${key}}`, enums) : [`${path}.entry[${i}]: no <key>`];
    });
  }
  if (typeof value !== 'string') return [`${path}: ${JSON.stringify(value).slice(0, 60)}, the model has a simple value`];
  if (ns.isTimestampSchema()) return ISO.test(value) ? [] : [`${path}: ${JSON.stringify(value)}, the model has an ISO-8601 timestamp (awsQuery's default)`];
  if (ns.isNumericSchema()) return /^-?\d+(\.\d+)?$/.test(value) ? [] : [`${path}: ${JSON.stringify(value)}, the model has a number`];
  if (ns.isBooleanSchema()) return /^(true|false)$/.test(value) ? [] : [`${path}: ${JSON.stringify(value)}, the model has a boolean`];
  return [];
}

function checkStruct(ns: NormalizedSchema, value: unknown, path: string, enums: EnumTable): string[] {
  const record: Record<string, unknown> = value === '' || value === undefined ? {} : (value as Record<string, unknown>);
  if (typeof record !== 'object' || Array.isArray(record)) return [`${path}: ${JSON.stringify(value).slice(0, 60)}, the model has structure ${ns.getName()}`];
  const elements = new Map<string, { name: string; member: NormalizedSchema }>();
  for (const [name, member] of ns.structIterator()) {
    const traits = member.getMergedTraits() as { xmlName?: string };
    elements.set(traits.xmlName ?? name, { name, member });
  }
  const raw = ns.getSchema() as unknown as unknown[];
  const requiredCount = typeof raw[6] === 'number' ? raw[6] : 0;
  const required = (raw[4] as string[]).slice(0, requiredCount);
  const structName = ns.getName() ?? '';
  const present = Object.keys(record).filter((key) => !key.startsWith('@_') && key !== 'xmlns');
  return [
    ...required.filter((name) => record[name] === undefined).map((name) => `${path}.${name}: required by ${structName}, missing`),
    ...present.flatMap((key) => {
      const found = elements.get(key);
      if (!found) return [`${path}.${key}: not a member of ${structName} (${JSON.stringify(record[key]).slice(0, 60)})`];
      const allowed = enums[`${structName}.${found.name}`];
      const item = record[key];
      if (allowed && !found.member.isListSchema() && typeof item === 'string' && !Object.values(allowed).includes(item)) return [`${path}.${key}: ${JSON.stringify(item)} is not one of ${Object.values(allowed).join(', ')}`];
      if (allowed && found.member.isListSchema()) {
        const items = (item as Record<string, unknown> | '')?.['member' as never] as unknown;
        const wrong = (items === undefined ? [] : Array.isArray(items) ? items : [items]).filter((entry) => typeof entry === 'string' && !Object.values(allowed).includes(entry));
        if (wrong.length) return [`${path}.${key}: ${wrong.map((entry) => JSON.stringify(entry)).join(', ')} not among ${Object.values(allowed).join(', ')}`];
      }
      return check(found.member, item, `${path}.${key}`, enums);
    }),
  ];
}
