import { createHash } from 'node:crypto';
import type { JsonOperation } from '../kernel/aws-json';
import { InvalidFilterError, InvalidNextTokenError, ParameterNotFoundError, SsmEmulatorError, SsmValidationError } from './errors';
import type { ParameterVersion, SsmParameters } from './parameters';
import { parameterArn, underPath } from './parameters';

type Input = Record<string, unknown>;

/**
 * The Parameter Store operations of the SSM API (awsJson1_1,
 * `X-Amz-Target: AmazonSSM.<Operation>`) that the control plane, the CDK CLI
 * and operators use. Limits follow the SSM API reference of each operation.
 */
export function ssmOperations(store: SsmParameters): Record<string, JsonOperation> {
  return {
    PutParameter: (input) => {
      const overwrite = optionalBoolean(input, 'Overwrite');
      const description = optionalString(input, 'Description');
      const type = optionalString(input, 'Type');
      const dataType = optionalString(input, 'DataType');
      const tier = optionalString(input, 'Tier');
      const keyId = optionalString(input, 'KeyId');
      const stored = store.put({
        name: requiredString(input, 'Name'), value: requiredString(input, 'Value'),
        ...(overwrite !== undefined ? { overwrite } : {}), ...(description !== undefined ? { description } : {}), ...(type !== undefined ? { type } : {}),
        ...(dataType !== undefined ? { dataType } : {}), ...(tier !== undefined ? { tier } : {}), ...(keyId !== undefined ? { keyId } : {}),
      });
      return { Version: stored.version, Tier: stored.tier };
    },
    GetParameter: (input) => {
      const selector = requiredString(input, 'Name');
      const found = store.select(selector);
      return { Parameter: parameterView(store, found, optionalBoolean(input, 'WithDecryption') ?? false, selector) };
    },
    GetParameters: (input) => {
      const names = nameList(input, 'Names');
      const withDecryption = optionalBoolean(input, 'WithDecryption') ?? false;
      const parameters: Input[] = [];
      const invalid: string[] = [];
      for (const name of names) {
        try {
          parameters.push(parameterView(store, store.select(name), withDecryption, name));
        } catch (error) {
          if (!(error instanceof ParameterNotFoundError) && !(error instanceof SsmEmulatorError && error.type === 'ParameterVersionNotFound')) throw error;
          invalid.push(name);
        }
      }
      return { Parameters: parameters, InvalidParameters: invalid };
    },
    GetParametersByPath: (input) => {
      const path = requiredString(input, 'Path');
      if (!path.startsWith('/')) throw new SsmValidationError('Path', JSON.stringify(path), 'a path that starts with /');
      const recursive = optionalBoolean(input, 'Recursive') ?? false;
      const type = typeFilter(input);
      const withDecryption = optionalBoolean(input, 'WithDecryption') ?? false;
      const matches = store.all().filter((p) => underPath(p.name, path, recursive) && (type === undefined || p.type === type));
      const page = paginate(matches, input, 10, { op: 'GetParametersByPath', path, recursive, type });
      return { Parameters: page.items.map((p) => parameterView(store, p, withDecryption)), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
    DeleteParameter: (input) => {
      store.delete(requiredString(input, 'Name'));
      return {};
    },
    DeleteParameters: (input) => {
      const deleted: string[] = [];
      const invalid: string[] = [];
      for (const name of nameList(input, 'Names')) {
        try {
          store.delete(name);
          deleted.push(name);
        } catch (error) {
          if (!(error instanceof ParameterNotFoundError)) throw error;
          invalid.push(name);
        }
      }
      return { DeletedParameters: deleted, InvalidParameters: invalid };
    },
    DescribeParameters: (input) => {
      if (input.Filters !== undefined) throw new InvalidFilterError('InvalidFilterKey', 'Filters', 'ParameterFilters (the older Filters field is not emulated)');
      const predicate = describeFilter(input.ParameterFilters);
      const page = paginate(store.all().filter(predicate), input, 50, { op: 'DescribeParameters', filters: input.ParameterFilters ?? null });
      return { Parameters: page.items.map(metadataView), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
  };
}

function parameterView(store: SsmParameters, p: ParameterVersion, withDecryption: boolean, selector?: string): Input {
  const colon = selector?.lastIndexOf(':') ?? -1;
  return {
    Name: p.name, Type: p.type, Value: store.visibleValue(p, withDecryption), Version: p.version,
    ...(selector !== undefined && colon >= 0 ? { Selector: selector.slice(colon) } : {}),
    LastModifiedDate: new Date(p.lastModified), ARN: parameterArn(p.name), DataType: p.dataType,
  };
}

function metadataView(p: ParameterVersion): Input {
  return {
    Name: p.name, ARN: parameterArn(p.name), Type: p.type, ...(p.keyId !== undefined ? { KeyId: p.keyId } : {}),
    LastModifiedDate: new Date(p.lastModified), LastModifiedUser: `arn:aws:iam::000000000000:root`,
    ...(p.description !== undefined ? { Description: p.description } : {}), Version: p.version, Tier: p.tier, Policies: [], DataType: p.dataType,
  };
}

/**
 * One page of `items` (sorted by name). The token names the request it
 * belongs to and the last name handed out, so parameters written between
 * pages neither repeat nor shift the next page.
 */
function paginate(items: readonly ParameterVersion[], input: Input, maxPage: number, request: unknown): { items: ParameterVersion[]; nextToken?: string } {
  const maxResults = optionalInteger(input, 'MaxResults') ?? maxPage;
  if (maxResults < 1 || maxResults > maxPage) throw new SsmValidationError('MaxResults', String(maxResults), `1 to ${maxPage}`);
  const fingerprint = createHash('sha256').update(JSON.stringify(request)).digest('base64url').slice(0, 16);
  const token = optionalString(input, 'NextToken');
  let after = '';
  if (token !== undefined) {
    const decoded = decodeToken(token);
    if (!decoded || decoded.f !== fingerprint) throw new InvalidNextTokenError(token);
    after = decoded.a;
  }
  const rest = items.filter((p) => p.name > after);
  const page = rest.slice(0, maxResults);
  if (rest.length <= maxResults) return { items: page };
  return { items: page, nextToken: Buffer.from(JSON.stringify({ f: fingerprint, a: page.at(-1)!.name })).toString('base64url') };
}

function decodeToken(token: string): { f: string; a: string } | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { f?: unknown; a?: unknown };
    return typeof value.f === 'string' && typeof value.a === 'string' ? { f: value.f, a: value.a } : undefined;
  } catch {
    return undefined;
  }
}

interface ParameterFilter { readonly Key: string; readonly Option?: string; readonly Values?: readonly string[] }

function filters(raw: unknown): ParameterFilter[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.some((f) => typeof f !== 'object' || f === null || typeof (f as Input).Key !== 'string')) throw new SsmValidationError('ParameterFilters', JSON.stringify(raw), 'a list of { Key, Option?, Values? }');
  return raw as ParameterFilter[];
}

/** GetParametersByPath accepts Type, KeyId, Label and tag filters; only `Type Equals` is emulated. */
function typeFilter(input: Input): string | undefined {
  let type: string | undefined;
  for (const filter of filters(input.ParameterFilters)) {
    if (filter.Key !== 'Type') throw new InvalidFilterError('InvalidFilterKey', filter.Key, 'Type (the only GetParametersByPath filter emulated)');
    if ((filter.Option ?? 'Equals') !== 'Equals') throw new InvalidFilterError('InvalidFilterOption', String(filter.Option), 'Equals');
    const values = filter.Values ?? [];
    if (values.length !== 1) throw new InvalidFilterError('InvalidFilterValue', JSON.stringify(values), 'exactly one type');
    type = values[0];
  }
  return type;
}

/** DescribeParameters' ParameterFilters: Name (Equals, BeginsWith), Path (OneLevel, Recursive), Type (Equals); all must hold. */
function describeFilter(raw: unknown): (p: ParameterVersion) => boolean {
  const checks = filters(raw).map((filter): ((p: ParameterVersion) => boolean) => {
    const values = filter.Values ?? [];
    if (values.length === 0) throw new InvalidFilterError('InvalidFilterValue', '[]', `at least one value for ${filter.Key}`);
    const option = filter.Option ?? (filter.Key === 'Path' ? 'OneLevel' : 'Equals');
    const allowed: Record<string, readonly string[]> = { Name: ['Equals', 'BeginsWith'], Path: ['OneLevel', 'Recursive'], Type: ['Equals'] };
    if (!allowed[filter.Key]) throw new InvalidFilterError('InvalidFilterKey', filter.Key, `one of ${Object.keys(allowed).join(', ')}`);
    if (!allowed[filter.Key]!.includes(option)) throw new InvalidFilterError('InvalidFilterOption', `${option} for ${filter.Key}`, allowed[filter.Key]!.join(' or '));
    if (filter.Key === 'Name') return (p) => values.some((v) => (option === 'Equals' ? p.name === v : p.name.startsWith(v)));
    if (filter.Key === 'Path') return (p) => values.some((v) => underPath(p.name, v, option === 'Recursive'));
    return (p) => values.includes(p.type);
  });
  return (p) => checks.every((check) => check(p));
}

function nameList(input: Input, field: string): string[] {
  const names = input[field];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new SsmValidationError(field, JSON.stringify(names), 'a list of parameter names');
  if (names.length < 1 || names.length > 10) throw new SsmValidationError(field, `${names.length} names`, '1 to 10 names');
  return names as string[];
}

function requiredString(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string') throw new SsmValidationError(field, value === undefined ? 'nothing' : JSON.stringify(value), 'a string');
  return value;
}

function optionalString(input: Input, field: string): string | undefined {
  return input[field] === undefined ? undefined : requiredString(input, field);
}

function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new SsmValidationError(field, JSON.stringify(value), 'true or false');
  return value;
}

function optionalInteger(input: Input, field: string): number | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new SsmValidationError(field, JSON.stringify(value), 'an integer');
  return value;
}
