import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../kernel/clock';
import { noSuchBucket, noSuchKey, noSuchVersion, S3Error } from './errors';

/** One stored version of an object. */
export interface ObjectVersion {
  readonly key: string;
  /** `null` in a bucket that never had versioning enabled, as S3 reports it. */
  readonly versionId: string;
  readonly size: number;
  /** Quoted MD5 of the bytes, as S3 reports a single-part upload's ETag. */
  readonly etag: string;
  readonly lastModified: number;
  readonly contentType: string;
  /** User-defined metadata (`x-amz-meta-<name>`), names lower-cased as S3 stores them. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** S3's ordering token for the events of one key: hex, increasing. */
  readonly sequencer: string;
  /** File holding the bytes. */
  readonly file: string;
}

/** One bucket's settings and objects. */
export interface BucketState {
  readonly name: string;
  versioning: 'Enabled' | 'Suspended' | undefined;
  /** "Amazon S3 Event Notifications / Using EventBridge": events go to the default bus when on. */
  eventBridge: boolean;
  /** Versions per key, newest last. */
  readonly objects: Record<string, ObjectVersion[]>;
}

/** A page of ListObjectsV2. */
export interface ListPage {
  readonly contents: readonly ObjectVersion[];
  readonly commonPrefixes: readonly string[];
  readonly nextContinuationToken?: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The emulated S3's buckets, objects and versions on disk under `dir`: bytes
 * in one file per version, each bucket's metadata in `bucket.json`, so that a
 * restarted emulator with the same state dir sees the same objects.
 */
export class S3Store {
  private readonly buckets = new Map<string, BucketState>();
  private sequence = 0n;

  constructor(private readonly dir: string, private readonly clock: Clock) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      const state = JSON.parse(readFileSync(join(dir, name, 'bucket.json'), 'utf8')) as BucketState;
      this.buckets.set(name, state);
    }
  }

  /** Creates a bucket; refuses a name S3 would refuse and a bucket that exists. */
  createBucket(name: string, settings: { versioning?: boolean; eventBridge?: boolean } = {}): BucketState {
    if (!BUCKET_NAME.test(name)) throw new S3Error('InvalidBucketName', `The specified bucket is not valid: received ${name}, expected 3-63 lowercase letters, digits, dots and hyphens`, 400, `/${name}`);
    if (this.buckets.has(name)) throw new S3Error('BucketAlreadyOwnedByYou', `Your previous request to create the named bucket succeeded and you already own it: ${name}`, 409, `/${name}`);
    const state: BucketState = { name, versioning: settings.versioning ? 'Enabled' : undefined, eventBridge: settings.eventBridge ?? false, objects: {} };
    mkdirSync(join(this.dir, name, 'data'), { recursive: true });
    this.buckets.set(name, state);
    this.save(state);
    return state;
  }

  /** A bucket's state, or NoSuchBucket. */
  bucket(name: string): BucketState {
    const state = this.buckets.get(name);
    if (!state) throw noSuchBucket(name);
    return state;
  }

  /**
   * DeleteBucket: only an empty bucket (no object versions left), as S3
   * answers BucketNotEmpty otherwise ("DeleteBucket", Amazon S3 API reference).
   */
  deleteBucket(name: string): void {
    const state = this.bucket(name);
    const keys = Object.entries(state.objects).filter(([, versions]) => versions.length > 0).map(([key]) => key);
    if (keys.length) throw new S3Error('BucketNotEmpty', `The bucket you tried to delete is not empty: ${name} holds ${keys.length} key(s), e.g. ${keys[0]}`, 409, `/${name}`);
    rmSync(join(this.dir, name), { recursive: true, force: true });
    this.buckets.delete(name);
  }

  /** Changes a bucket's settings. */
  configure(name: string, change: Partial<Pick<BucketState, 'versioning' | 'eventBridge'>>): void {
    const state = this.bucket(name);
    if ('versioning' in change) state.versioning = change.versioning;
    if ('eventBridge' in change) state.eventBridge = change.eventBridge ?? false;
    this.save(state);
  }

  /** Stores a new version (versioned bucket) or replaces the `null` version. */
  putObject(bucketName: string, key: string, bytes: Buffer, contentType: string, metadata: Readonly<Record<string, string>> = {}): ObjectVersion {
    const state = this.bucket(bucketName);
    const versionId = state.versioning === 'Enabled' ? `${this.clock.now().toString(36)}.${randomBytes(12).toString('base64url')}` : 'null';
    const file = join(this.dir, bucketName, 'data', `${createHash('sha256').update(key).digest('hex').slice(0, 32)}-${versionId === 'null' ? 'null' : createHash('sha256').update(versionId).digest('hex').slice(0, 16)}`);
    writeFileSync(file, bytes);
    this.sequence += 1n;
    const version: ObjectVersion = {
      key,
      versionId,
      size: bytes.length,
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      lastModified: this.clock.now(),
      contentType,
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      sequencer: (BigInt(this.clock.now()) * 1_000_000n + this.sequence).toString(16).toUpperCase().padStart(18, '0'),
      file,
    };
    const versions = (state.objects[key] ?? []).filter((existing) => existing.versionId !== versionId);
    state.objects[key] = [...versions, version];
    this.save(state);
    return version;
  }

  /** The newest version of a key, or the named version. */
  getObject(bucketName: string, key: string, versionId?: string): ObjectVersion {
    const versions = this.bucket(bucketName).objects[key];
    if (!versions?.length) throw noSuchKey(bucketName, key);
    if (versionId === undefined) return versions[versions.length - 1]!;
    const found = versions.find((version) => version.versionId === versionId);
    if (!found) throw noSuchVersion(bucketName, key, versionId);
    return found;
  }

  /** Every version of a key, oldest first. */
  versions(bucketName: string, key: string): readonly ObjectVersion[] {
    return this.bucket(bucketName).objects[key] ?? [];
  }

  /** ListObjectsV2: current versions in key order, after the token, grouped by delimiter. */
  list(bucketName: string, query: { prefix?: string; delimiter?: string; maxKeys?: number; after?: string }): ListPage {
    const state = this.bucket(bucketName);
    const prefix = query.prefix ?? '';
    const maxKeys = query.maxKeys ?? 1000;
    const keys = Object.keys(state.objects).filter((key) => key.startsWith(prefix) && (!query.after || key > query.after)).sort();
    const contents: ObjectVersion[] = [];
    const commonPrefixes: string[] = [];
    let last: string | undefined;
    for (const key of keys) {
      const cut = query.delimiter ? key.indexOf(query.delimiter, prefix.length) : -1;
      const common = cut >= 0 ? key.slice(0, cut + query.delimiter!.length) : undefined;
      if (common && commonPrefixes.includes(common)) continue;
      if (contents.length + commonPrefixes.length >= maxKeys) return { contents, commonPrefixes, ...(last ? { nextContinuationToken: Buffer.from(last).toString('base64url') } : {}) };
      if (common) commonPrefixes.push(common);
      else contents.push(this.getObject(bucketName, key));
      last = common ? `${common}\uffff` : key;
    }
    return { contents, commonPrefixes };
  }

  private save(state: BucketState): void {
    writeFileSync(join(this.dir, state.name, 'bucket.json'), JSON.stringify(state));
  }
}
