import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An AWS documentation page's example events, copied as facts (test/fixtures/aws-events/*.json). */
export interface DocExamples {
  readonly page: string;
  readonly section: string;
  readonly events?: Readonly<Record<string, Record<string, unknown>>>;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Reads one fixture file of AWS documentation examples. */
export function docExamples(file: string): DocExamples {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'aws-events', file), 'utf8')) as DocExamples;
}

/** How the comparison treats particular paths (`detail.object.version-id`, `resources[]`). */
export interface ShapeRules {
  /** Paths of the doc example the emulated event may leave out, each with the reason. */
  readonly optional?: Readonly<Record<string, string>>;
  /** Paths the emulated event may add, each with the reason (e.g. a field of the API object the doc says the detail resembles). */
  readonly extra?: Readonly<Record<string, string>>;
  /** Paths whose value the doc fixes (source, detail-type, eventName): the emulated value must equal the doc's. */
  readonly fixed?: readonly string[];
  /** Paths whose doc value is a placeholder (`"type"`, a made-up ARN): only the JSON type is compared. */
  readonly placeholder?: Readonly<Record<string, string>>;
}

/**
 * The format class of a string value, so that two values of the same kind
 * compare equal: ISO-8601 with or without milliseconds, an ARN by partition,
 * service and resource type with the number of path segments, a decimal
 * string, an image digest, or just a string.
 *
 * @example
 * formatOf('arn:aws:ecs:us-west-2:111122223333:service/default/svc') // 'arn:aws:ecs:<region>:<account>:service/*\/*'
 */
export function formatOf(value: string): string {
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value)) return 'iso-8601 seconds (YYYY-MM-DDThh:mm:ssZ)';
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value)) return 'iso-8601 milliseconds (YYYY-MM-DDThh:mm:ss.sssZ)';
  if (/^sha256:[0-9a-f]{64}$/.test(value)) return 'sha256 digest';
  const arn = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.*)$/.exec(value);
  if (arn) {
    const [, partition, service, region, account, resource] = arn as unknown as [string, string, string, string, string, string];
    // `service/default/svc` -> `service/*/*`; a bare name (an S3 bucket) -> `*`.
    const parts = resource.split(/([/:])/);
    const shape = parts.length === 1 ? '*' : parts.map((part, i) => (i === 0 || i % 2 === 1 ? part : '*')).join('');
    return `arn:${partition}:${service}:${region ? '<region>' : ''}:${account ? '<account>' : ''}:${shape}`;
  }
  if (/^\d+$/.test(value)) return 'decimal string';
  return 'string';
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Compares an emulated event with an AWS documentation example, structurally:
 * the same keys at every level (less the rules' optional paths, plus their
 * extra paths), the same JSON types, the same string formats ({@link formatOf}),
 * and equal values where the doc fixes them. Array elements are compared with
 * the doc's first element. Returns one line per difference, empty when equal.
 *
 * @example
 * expect(shapeDifferences(doc, emitted, { fixed: ['source', 'detail-type'] })).toEqual([]);
 */
export function shapeDifferences(doc: unknown, actual: unknown, rules: ShapeRules = {}, path = ''): string[] {
  const at = path || '(root)';
  if (rules.placeholder?.[path] !== undefined) return kind(doc) === kind(actual) ? [] : [`${at}: ${kind(actual)}, the doc has ${kind(doc)}`];
  if (rules.fixed?.includes(path) && JSON.stringify(doc) !== JSON.stringify(actual)) return [`${at}: ${JSON.stringify(actual)}, the doc fixes ${JSON.stringify(doc)}`];
  if (kind(doc) !== kind(actual)) return [`${at}: ${kind(actual)} ${JSON.stringify(actual)?.slice(0, 60)}, the doc has ${kind(doc)} ${JSON.stringify(doc)?.slice(0, 60)}`];
  if (typeof doc === 'string') {
    const [want, got] = [formatOf(doc), formatOf(actual as string)];
    return want === got ? [] : [`${at}: ${JSON.stringify(actual)} is ${got}, the doc's ${JSON.stringify(doc)} is ${want}`];
  }
  if (Array.isArray(doc)) {
    const items = actual as unknown[];
    if (doc.length === 0) return items.length === 0 || rules.extra?.[`${path}[]`] !== undefined ? [] : [`${at}: ${items.length} items, the doc's example has none`];
    return items.flatMap((item) => shapeDifferences(doc[0], item, rules, `${path}[]`));
  }
  if (kind(doc) !== 'object') return [];
  const [want, got] = [doc as Record<string, unknown>, actual as Record<string, unknown>];
  const key = (k: string): string => (path ? `${path}.${k}` : k);
  const missing = Object.keys(want).filter((k) => !(k in got) && rules.optional?.[key(k)] === undefined).map((k) => `${key(k)}: missing (the doc has ${JSON.stringify(want[k])?.slice(0, 60)})`);
  const added = Object.keys(got).filter((k) => !(k in want) && rules.extra?.[key(k)] === undefined).map((k) => `${key(k)}: not in the doc's example (${JSON.stringify(got[k])?.slice(0, 60)})`);
  const nested = Object.keys(want).filter((k) => k in got).flatMap((k) => shapeDifferences(want[k], got[k], rules, key(k)));
  return [...missing, ...added, ...nested];
}
