import { Readable } from 'node:stream';
import { NormalizedSchema } from '@smithy/core/schema';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** One HTTP exchange as the client saw it: the operation (awsJson's X-Amz-Target or the request path) and the raw response. */
export interface CapturedResponse {
  readonly target: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * A request handler that answers as the SDK's own Node handler does and
 * keeps every raw response body, so a test checks what the emulator sent,
 * not what the deserializer kept of it (it drops members the model lacks).
 *
 * @example
 * const captured: CapturedResponse[] = [];
 * new ECSClient({ endpoint, requestHandler: capturingHandler(captured) });
 */
export function capturingHandler(captured: CapturedResponse[]): NodeHttpHandler {
  const inner = new NodeHttpHandler();
  const handler = Object.create(inner) as NodeHttpHandler;
  handler.handle = async (...[request, options]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> => {
    const { response } = await inner.handle(request, options);
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
    const body = Buffer.concat(chunks);
    captured.push({ target: String(request.headers['x-amz-target'] ?? ''), path: request.path, status: response.statusCode, headers: response.headers, body: body.toString('utf8') });
    response.body = Readable.from([body]);
    return { response };
  };
  return handler;
}

/** Enum members by `<Structure>.<member>`: the SDK's enum objects (`DeploymentRolloutState`), whose values the model allows. */
export type EnumTable = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** How a JSON protocol writes a response. */
export type JsonProtocol = 'awsJson' | 'restJson';

const HTTP_BINDINGS = ['httpHeader', 'httpResponseCode', 'httpPrefixHeaders', 'httpQuery', 'httpLabel'];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * Checks a JSON response body against an operation's output shape from the
 * SDK's own model (the schemas the client deserializes with): every member
 * the body holds exists in the shape, with the model's type (timestamps as
 * the protocol writes them: epoch seconds, or ISO-8601 with the date-time
 * format), enum values the SDK lists, and every required member present.
 * Returns one line per problem, empty when the body fits.
 *
 * @example
 * expect(modelDifferences(DescribeServicesResponse$, JSON.parse(body), 'awsJson', enums)).toEqual([]);
 */
export function modelDifferences(schema: unknown, body: unknown, protocol: JsonProtocol, enums: EnumTable = {}): string[] {
  return check(NormalizedSchema.of(schema as Parameters<typeof NormalizedSchema.of>[0]), body, '', protocol, enums, true);
}

function check(ns: NormalizedSchema, value: unknown, path: string, protocol: JsonProtocol, enums: EnumTable, top = false): string[] {
  const at = path || '(output)';
  if (value === null) return [];
  if (ns.isStructSchema()) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: ${JSON.stringify(value).slice(0, 60)}, the model has structure ${ns.getName()}`];
    const record = value as Record<string, unknown>;
    const members = new Map<string, NormalizedSchema>();
    for (const [name, member] of ns.structIterator()) {
      const traits = member.getMergedTraits() as Record<string, unknown>;
      if (top && protocol === 'restJson' && HTTP_BINDINGS.some((binding) => traits[binding] !== undefined)) continue;
      members.set(typeof traits.jsonName === 'string' ? traits.jsonName : name, member);
    }
    const raw = ns.getSchema() as unknown as unknown[];
    const requiredCount = typeof raw[6] === 'number' ? raw[6] : 0;
    const required = (raw[4] as string[]).slice(0, requiredCount).filter((name) => members.has(name));
    const structName = ns.getName() ?? '';
    return [
      ...Object.keys(record).filter((key) => !members.has(key)).map((key) => `${path ? `${path}.` : ''}${key}: not a member of ${structName} (${JSON.stringify(record[key]).slice(0, 60)})`),
      ...required.filter((name) => record[name] === undefined).map((name) => `${path ? `${path}.` : ''}${name}: required by ${structName}, missing`),
      ...Object.entries(record).filter(([key]) => members.has(key)).flatMap(([key, item]) => {
        const member = members.get(key)!;
        const enumValues = enums[`${structName}.${key}`];
        const memberPath = `${path ? `${path}.` : ''}${key}`;
        if (enumValues && typeof item === 'string' && !Object.values(enumValues).includes(item)) return [`${memberPath}: ${JSON.stringify(item)} is not one of ${Object.values(enumValues).join(', ')}`];
        return check(member, item, memberPath, protocol, enums);
      }),
    ];
  }
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) return [`${at}: ${typeof value}, the model has a list`];
    return value.flatMap((item, i) => check(ns.getValueSchema(), item, `${path}[${i}]`, protocol, enums));
  }
  if (ns.isMapSchema()) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: ${typeof value}, the model has a map`];
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => check(ns.getValueSchema(), item, `${path}{${key}}`, protocol, enums));
  }
  if (ns.isTimestampSchema()) {
    const format = ns.getSchema() as unknown as number;
    if (format === 5) return typeof value === 'string' && ISO.test(value) ? [] : [`${at}: ${JSON.stringify(value)}, the model has an ISO-8601 date-time`];
    if (format === 6) return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? [] : [`${at}: ${JSON.stringify(value)}, the model has an HTTP date`];
    return typeof value === 'number' && Number.isFinite(value) ? [] : [`${at}: ${JSON.stringify(value)}, the model has a timestamp in epoch seconds (the JSON protocols' default)`];
  }
  if (ns.isBooleanSchema()) return typeof value === 'boolean' ? [] : [`${at}: ${JSON.stringify(value)}, the model has a boolean`];
  if (ns.isNumericSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema()) return typeof value === 'number' ? [] : [`${at}: ${JSON.stringify(value)}, the model has a number`];
  if (ns.isBlobSchema()) return typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) ? [] : [`${at}: ${JSON.stringify(value).slice(0, 60)}, the model has a blob (base64)`];
  if (ns.isStringSchema()) return typeof value === 'string' ? [] : [`${at}: ${JSON.stringify(value)}, the model has a string`];
  return [];
}

/** Response headers every S3 answer carries, outside any operation's output shape. */
const S3_PROTOCOL_HEADERS: ReadonlySet<string> = new Set(['x-amz-request-id', 'x-amz-id-2']);

/**
 * Checks a restXml answer's headers against the output shape's `httpHeader`
 * members: every `x-amz-*` header the emulator sends is a member of the
 * shape (user metadata aside), and every bound header has the member's type
 * (HTTP dates for timestamps, integers, booleans).
 *
 * @example
 * expect(headerModelDifferences(HeadObjectOutput$, captured.headers)).toEqual([]);
 */
export function headerModelDifferences(schema: unknown, headers: Readonly<Record<string, string>>): string[] {
  const ns = NormalizedSchema.of(schema as Parameters<typeof NormalizedSchema.of>[0]);
  const bound = new Map<string, NormalizedSchema>();
  for (const [, member] of ns.structIterator()) {
    const header = (member.getMergedTraits() as { httpHeader?: string }).httpHeader;
    if (header) bound.set(header.toLowerCase(), member);
  }
  return Object.entries(headers).flatMap(([name, value]) => {
    const member = bound.get(name.toLowerCase());
    if (!member) return name.startsWith('x-amz-') && !name.startsWith('x-amz-meta-') && !S3_PROTOCOL_HEADERS.has(name) ? [`header ${name}: not a member of ${ns.getName()}`] : [];
    if (member.isTimestampSchema()) return Number.isNaN(Date.parse(value)) ? [`header ${name}: ${JSON.stringify(value)}, the model has an HTTP date`] : [];
    if (member.isNumericSchema()) return /^-?\d+$/.test(value) ? [] : [`header ${name}: ${JSON.stringify(value)}, the model has a number`];
    if (member.isBooleanSchema()) return /^(true|false)$/.test(value) ? [] : [`header ${name}: ${JSON.stringify(value)}, the model has a boolean`];
    return [];
  });
}

/**
 * Checks a restXml body (parsed with the SDK's own `parseXML`) against the
 * output shape: element names from the members' `xmlName`, flattened and
 * wrapped lists, text values of the member's type (ISO-8601 timestamps,
 * numbers, booleans), and no element the shape lacks.
 *
 * @example
 * expect(xmlModelDifferences(ListObjectsV2Output$, parseXML(body))).toEqual([]);
 */
export function xmlModelDifferences(schema: unknown, document: Record<string, unknown>): string[] {
  const output = NormalizedSchema.of(schema as Parameters<typeof NormalizedSchema.of>[0]);
  // An `httpPayload` member is the whole body (GetBucketEncryption's ServerSideEncryptionConfiguration).
  const payload = [...output.structIterator()].find(([, member]) => (member.getMergedTraits() as { httpPayload?: unknown }).httpPayload !== undefined)?.[1];
  const root = Object.keys(document).filter((key) => !key.startsWith('?'));
  if (root.length !== 1) return [`(document): ${root.length} root elements, expected one`];
  return checkXml(payload ?? output, document[root[0]!], root[0]!, !payload);
}

function checkXml(ns: NormalizedSchema, value: unknown, path: string, top = false): string[] {
  if (ns.isStructSchema()) {
    if (value === '' || value === undefined) return [];
    if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: ${JSON.stringify(value).slice(0, 60)}, the model has structure ${ns.getName()}`];
    const elements = new Map<string, NormalizedSchema>();
    for (const [name, member] of ns.structIterator()) {
      const traits = member.getMergedTraits() as Record<string, unknown>;
      if (traits.xmlAttribute !== undefined || (top && HTTP_BINDINGS.some((binding) => traits[binding] !== undefined))) continue;
      elements.set(typeof traits.xmlName === 'string' ? traits.xmlName : name, member);
    }
    return Object.entries(value as Record<string, unknown>).filter(([key]) => !key.startsWith('@_') && key !== 'xmlns').flatMap(([key, item]) => {
      const member = elements.get(key);
      if (!member) return [`${path}.${key}: not a member of ${ns.getName()}`];
      if (member.isListSchema() && (member.getMergedTraits() as { xmlFlattened?: unknown }).xmlFlattened !== undefined) {
        return (Array.isArray(item) ? item : [item]).flatMap((entry, i) => checkXml(member.getValueSchema(), entry, `${path}.${key}[${i}]`));
      }
      return checkXml(member, item, `${path}.${key}`);
    });
  }
  if (ns.isListSchema()) {
    if (value === '' || value === undefined) return [];
    const itemName = (ns.getValueSchema().getMergedTraits() as { xmlName?: string }).xmlName ?? 'member';
    const items = (value as Record<string, unknown>)[itemName];
    return (Array.isArray(items) ? items : [items]).flatMap((entry, i) => checkXml(ns.getValueSchema(), entry, `${path}.${itemName}[${i}]`));
  }
  if (typeof value !== 'string') return [`${path}: ${JSON.stringify(value).slice(0, 60)}, the model has a simple value`];
  if (ns.isTimestampSchema()) return ISO.test(value) ? [] : [`${path}: ${JSON.stringify(value)}, the model has an ISO-8601 timestamp (restXml's default)`];
  if (ns.isNumericSchema()) return /^-?\d+(\.\d+)?$/.test(value) ? [] : [`${path}: ${JSON.stringify(value)}, the model has a number`];
  if (ns.isBooleanSchema()) return /^(true|false)$/.test(value) ? [] : [`${path}: ${JSON.stringify(value)}, the model has a boolean`];
  return [];
}
