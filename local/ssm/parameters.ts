import { createCipheriv, randomBytes } from 'node:crypto';
import type { Clock } from '../kernel/clock';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../kernel/events';
import {
  HierarchyLevelLimitExceededError, ParameterAlreadyExistsError, ParameterNotFoundError, ParameterVersionNotFoundError, SsmValidationError,
} from './errors';

/** The three parameter types of Parameter Store. */
export type ParameterType = 'String' | 'StringList' | 'SecureString';
const TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString'];

/** One version of one parameter, as the emulator keeps it. */
export interface ParameterVersion {
  readonly name: string;
  readonly type: ParameterType;
  readonly value: string;
  readonly version: number;
  /** Emulated epoch milliseconds of the PutParameter that wrote this version. */
  readonly lastModified: number;
  readonly description?: string;
  readonly dataType: string;
  readonly tier: 'Standard' | 'Advanced';
  readonly keyId?: string;
}

/** What PutParameter receives (already read from the JSON body). */
export interface PutParameterRequest {
  readonly name: string;
  readonly value: string;
  readonly type?: string;
  readonly overwrite?: boolean;
  readonly description?: string;
  readonly dataType?: string;
  readonly tier?: string;
  readonly keyId?: string;
}

// Naming constraints: PutParameter API reference, "Name" (a-zA-Z0-9_.- and /, no aws/ssm prefix, at most fifteen levels).
const NAME = /^[A-Za-z0-9_.\-/]+$/;
const MAX_NAME_LENGTH = 1011;
const MAX_LEVELS = 15;
// Standard parameters hold up to 4 KB, advanced ones 8 KB (PutParameter API reference, "Value").
const MAX_VALUE = { Standard: 4096, Advanced: 8192 } as const;
const DATA_TYPES = new Set(['text', 'aws:ec2:image', 'aws:ssm:integration']);

/**
 * Checks a parameter name against Parameter Store's naming rules and returns
 * it without the spaces the service trims from its ends.
 */
export function checkParameterName(raw: string, field = 'Name'): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw new SsmValidationError(field, `${name.length} characters`, `1 to ${MAX_NAME_LENGTH} characters`);
  if (!NAME.test(name)) throw new SsmValidationError(field, JSON.stringify(name), 'only a-z A-Z 0-9 _ . - and / (no spaces)');
  if (name.includes('/') && !name.startsWith('/')) throw new SsmValidationError(field, JSON.stringify(name), 'a fully qualified name: a hierarchy starts with /');
  if (/^\/?(aws|ssm)/i.test(name)) throw new SsmValidationError(field, JSON.stringify(name), 'a name not prefixed with "aws" or "ssm" (case-insensitive)');
  if (name.endsWith('/') || name.includes('//')) throw new SsmValidationError(field, JSON.stringify(name), 'no empty hierarchy level');
  const levels = name.split('/').filter(Boolean).length;
  if (levels > MAX_LEVELS) throw new HierarchyLevelLimitExceededError(name, levels);
  return name;
}

/** The ARN of a parameter (a leading `/` belongs to the name; a flat name gets one). */
export function parameterArn(name: string): string {
  return `arn:aws:ssm:${LOCAL_REGION}:${LOCAL_ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/**
 * The parameters of the emulated Parameter Store with every version, in
 * memory. SecureString values are really encrypted (AES-256-GCM with a key
 * that lives only as long as this object) when a caller reads them without
 * `WithDecryption`, so a caller that forgets it sees ciphertext, as on AWS.
 *
 * @example
 * const store = new SsmParameters(clock);
 * store.put({ name: '/wicked/dev/config-bucket', value: 'wicked-dev-config', type: 'String' });
 * store.latest('/wicked/dev/config-bucket').value; // 'wicked-dev-config'
 */
export class SsmParameters {
  private readonly parameters = new Map<string, ParameterVersion[]>();
  private readonly key = randomBytes(32);

  constructor(private readonly clock: Clock) {}

  /** PutParameter: creates version 1, or with `overwrite` the next version; returns it. */
  put(request: PutParameterRequest): ParameterVersion {
    const name = checkParameterName(request.name);
    const history = this.parameters.get(name);
    const previous = history?.at(-1);
    if (previous && !request.overwrite) throw new ParameterAlreadyExistsError(name);
    const type = request.type ?? previous?.type;
    if (type === undefined) throw new SsmValidationError('Type', 'no type', 'String, StringList or SecureString when a parameter is created');
    if (!TYPES.includes(type as ParameterType)) throw new SsmValidationError('Type', JSON.stringify(type), TYPES.join(', '));
    const tier = checkTier(request.tier ?? previous?.tier ?? 'Standard');
    if (request.value.length === 0 || request.value.length > MAX_VALUE[tier]) throw new SsmValidationError('Value', `${request.value.length} characters`, `1 to ${MAX_VALUE[tier]} characters for the ${tier} tier`);
    const dataType = request.dataType ?? previous?.dataType ?? 'text';
    if (!DATA_TYPES.has(dataType)) throw new SsmValidationError('DataType', JSON.stringify(dataType), [...DATA_TYPES].join(', '));
    if (request.keyId !== undefined && type !== 'SecureString') throw new SsmValidationError('KeyId', 'a KeyId', `no KeyId for a ${type} parameter`);
    const description = request.description ?? previous?.description;
    const keyId = type === 'SecureString' ? (request.keyId ?? previous?.keyId ?? 'alias/aws/ssm') : undefined;
    const stored: ParameterVersion = {
      name, type: type as ParameterType, value: request.value, version: (previous?.version ?? 0) + 1, lastModified: this.clock.now(), dataType, tier,
      ...(description !== undefined ? { description } : {}), ...(keyId !== undefined ? { keyId } : {}),
    };
    this.parameters.set(name, [...(history ?? []), stored]);
    return stored;
  }

  /** The newest version of `name`; throws ParameterNotFound. */
  latest(name: string): ParameterVersion {
    const found = this.parameters.get(name)?.at(-1);
    if (!found) throw new ParameterNotFoundError(name);
    return found;
  }

  /** Resolves `name` or `name:<version>` (GetParameter's selector); labels are not emulated. */
  select(nameWithSelector: string): ParameterVersion {
    const colon = nameWithSelector.lastIndexOf(':');
    if (colon < 0) return this.latest(checkParameterName(nameWithSelector));
    const name = checkParameterName(nameWithSelector.slice(0, colon));
    const selector = nameWithSelector.slice(colon + 1);
    if (!/^[1-9][0-9]*$/.test(selector)) throw new SsmValidationError('Name', JSON.stringify(nameWithSelector), 'name or name:<version> (labels are not emulated)');
    const history = this.parameters.get(name);
    if (!history) throw new ParameterNotFoundError(name);
    const found = history.find((v) => v.version === Number(selector));
    if (!found) throw new ParameterVersionNotFoundError(name, selector);
    return found;
  }

  /** DeleteParameter: removes every version; throws ParameterNotFound. */
  delete(name: string): void {
    const checked = checkParameterName(name);
    if (!this.parameters.delete(checked)) throw new ParameterNotFoundError(checked);
  }

  /** The newest version of every parameter, sorted by name. */
  all(): ParameterVersion[] {
    return [...this.parameters.values()].map((history) => history.at(-1)!).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The value a reader sees: SecureString values are ciphertext (base64) unless decrypted. */
  visibleValue(parameter: ParameterVersion, withDecryption: boolean): string {
    if (parameter.type !== 'SecureString' || withDecryption) return parameter.value;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(parameter.value, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }
}

function checkTier(tier: string): 'Standard' | 'Advanced' {
  // Intelligent-Tiering picks Standard while the value and policies fit it (PutParameter API reference, "Tier").
  if (tier === 'Standard' || tier === 'Intelligent-Tiering') return 'Standard';
  if (tier === 'Advanced') return 'Advanced';
  throw new SsmValidationError('Tier', JSON.stringify(tier), 'Standard, Advanced or Intelligent-Tiering');
}

/** Whether `name` lies under `path` (GetParametersByPath): one level below it, or any depth when recursive. */
export function underPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  if (!name.startsWith(prefix)) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}
