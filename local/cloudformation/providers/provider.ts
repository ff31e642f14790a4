import { randomBytes } from 'node:crypto';

/** What a provider knows about the resource it works on. */
export interface ProviderContext {
  readonly stackName: string;
  readonly stackId: string;
  readonly logicalId: string;
  /** The resource's type (`Custom::PortalBaseImage`, ...). */
  readonly resourceType: string;
  readonly account: string;
  readonly region: string;
}

/** A resource as the stack holds it (what update and delete receive). */
export interface ExistingResource {
  readonly physicalId: string;
  readonly properties: Record<string, unknown>;
  readonly attributes: Record<string, unknown>;
}

/** What a provider returns: the physical id (`Ref`) and the attributes (`Fn::GetAtt`). */
export interface ResourceResult {
  readonly physicalId: string;
  readonly attributes?: Record<string, unknown>;
}

/**
 * Creates, updates and deletes one resource type. `emulated` says whether an
 * emulated service holds the resource (false: recorded only, with realistic
 * ids and attributes).
 */
export interface ResourceProvider {
  readonly emulated: boolean;
  /**
   * The properties this provider applies or accepts as recorded facts
   * (encryption, policies, tags the emulator does not enforce); any other
   * property fails the resource, naming it. Undefined: every property is accepted.
   */
  readonly understood?: ReadonlySet<string>;
  /**
   * CloudFormation's pre-deployment "resource name conflict detection" for this type (`../early-validation.ts`).
   * Absent: the type is not checked (AWS does not check it, or its identifier is not the template's to choose).
   */
  readonly nameConflict?: NameConflictCheck;
  create(properties: Record<string, unknown>, context: ProviderContext): Promise<ResourceResult>;
  /** In place when the result keeps the physical id, a replacement when it returns a new one; absent: every change replaces. */
  update?(properties: Record<string, unknown>, previous: ExistingResource, context: ProviderContext): Promise<ResourceResult>;
  delete(resource: ExistingResource, context: ProviderContext): Promise<void>;
}

/**
 * How a type takes part in the pre-deployment name conflict check: the property that names the resource (its primary
 * identifier; without it CloudFormation generates a name and nothing can conflict), the properties the name is unique
 * within, and the look-up in the emulated service.
 *
 * @example
 * const check: NameConflictCheck = { name: 'BucketName', existing: async (name) => ((await bucketExists(name)) ? name : undefined) };
 */
export interface NameConflictCheck {
  readonly name: string;
  /** Properties the name is unique within (a schedule's GroupName); absent ones are undefined. @default none */
  readonly within?: readonly string[];
  /** The identifier of the resource so named when one exists already, else undefined. */
  existing(name: string, within: Readonly<Record<string, string | undefined>>): Promise<string | undefined>;
}

/**
 * Runs a look-up that throws the service's "not found" error when the resource is absent: true when it answered,
 * false on that error (`isNotFound`), and any other error rethrown.
 *
 * @example
 * await found(() => s3.send(new HeadBucketCommand({ Bucket: name })), (error) => error.name === 'NotFound')
 */
export async function found(lookup: () => unknown, isNotFound: (error: Error) => boolean): Promise<boolean> {
  try {
    await lookup();
    return true;
  } catch (error) {
    if (error instanceof Error && isNotFound(error)) return false;
    throw error;
  }
}

/**
 * A name as CloudFormation generates one for a resource without an explicit
 * name: `<stack>-<logicalId>-<13 random characters>`, trimmed to `maxLength`.
 *
 * @example
 * generatedName({ stackName: 'wicked-dev', logicalId: 'Bucket' }, { lowercase: true, maxLength: 63 }) // 'wicked-dev-bucket-1x2y3z4w5v6u7'
 */
export function generatedName(context: Pick<ProviderContext, 'stackName' | 'logicalId'>, options: { maxLength?: number; lowercase?: boolean } = {}): string {
  const suffix = randomSuffix(13);
  const maxLength = options.maxLength ?? 255;
  const head = `${context.stackName}-${context.logicalId}`.slice(0, Math.max(1, maxLength - suffix.length - 1));
  const name = `${head}-${suffix}`;
  return options.lowercase ? name.toLowerCase() : name;
}

/** Random upper-case letters and digits, as in CloudFormation's generated names. */
export function randomSuffix(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** Random lower-case hex, as in EC2 ids (`vpc-0a1b2c...`). */
export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

/**
 * An update that keeps the resource when none of `replacing` changed (the
 * properties the CloudFormation reference marks "Update requires:
 * Replacement") and otherwise creates a new one, which the engine swaps in
 * and deletes the old one after. `apply` changes what the emulator applies in place.
 */
export function updateInPlaceUnless(replacing: readonly string[], create: ResourceProvider['create'], apply: (properties: Record<string, unknown>, previous: ExistingResource) => Promise<void> = async () => undefined): NonNullable<ResourceProvider['update']> {
  return async (properties, previous, context) => {
    if (replacing.some((key) => JSON.stringify(properties[key]) !== JSON.stringify(previous.properties[key]))) return create(properties, context);
    await apply(properties, previous);
    return { physicalId: previous.physicalId, attributes: previous.attributes };
  };
}

/** Reads a required string property or fails naming it. */
export function stringProperty(properties: Record<string, unknown>, name: string, fallback?: string): string {
  const value = properties[name] ?? fallback;
  if (typeof value !== 'string' || value === '') throw new TypeError(`property ${name} must be a non-empty string; received ${JSON.stringify(value)}`);
  return value;
}


/**
 * A resource the provider created or updated that then failed to stabilise
 * (an ECS service whose deployment failed): the engine fails it and still
 * records it, so the rollback deletes (or reverts) it as CloudFormation does.
 */
export class ResourceNotStabilized extends Error {
  constructor(message: string, readonly result: ResourceResult) {
    super(message);
    this.name = 'ResourceNotStabilized';
  }
}
