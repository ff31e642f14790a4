import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../kernel/clock';
import { BlobStore } from './blob-store';
import { EcrEmulatorError, immutableTag, repositoryNotFound } from './errors';
import { inspectManifest } from './manifest-facts';
import type { MutabilityPolicy, TagWrite } from './mutability';
import { planDeletion, planManifestPut, resolveReference } from './repository-state';
import type { DeletionPlan, RepositoryRecord } from './repository-state';
import { isRepositoryName, isSha256Digest, isTag } from './routes';

/** One manifest push, as recorded for tests and the demo. */
export interface PushRecord {
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string;
  readonly mediaType: string;
  /** Emulated epoch ms. */
  readonly at: number;
  readonly via: 'oci' | 'PutImage';
  readonly tagWrite: TagWrite | 'none';
}

/** A stored manifest as read back. */
export interface StoredManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

/** Settings of {@link EcrStore.open}. */
export interface EcrStoreOptions {
  /** Directory the store owns. */
  readonly root: string;
  readonly clock: Clock;
  /** Account id for messages. */
  readonly registryId: string;
  /** Called after every push and every deletion. */
  readonly onChange?: (change: { readonly action: 'PUSH' | 'DELETE'; readonly repository: string; readonly digest: string; readonly tag: string | undefined }) => void;
}

/**
 * The one store behind both front ends: repositories with their blobs,
 * manifests and tags, persisted as one JSON file per repository next to the
 * content-addressed blob files, so a restart with the same directory keeps
 * every image. State changes happen synchronously in memory, then the file is
 * rewritten (temp file + rename), in order.
 */
export class EcrStore {
  /** Every manifest push, in order. */
  readonly pushes: PushRecord[] = [];
  private readonly repositories = new Map<string, RepositoryRecord>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly options: EcrStoreOptions, readonly blobs: BlobStore) {}

  /** Opens the store under `options.root`, loading the repositories saved there. */
  static async open(options: EcrStoreOptions): Promise<EcrStore> {
    const store = new EcrStore(options, await BlobStore.open(options.root));
    await mkdir(store.metadataDir, { recursive: true });
    for (const file of (await readdir(store.metadataDir)).filter((name) => name.endsWith('.json')).sort()) {
      const record = JSON.parse(await readFile(join(store.metadataDir, file), 'utf8')) as RepositoryRecord;
      store.repositories.set(record.name, record);
    }
    return store;
  }

  /** Creates an empty repository. @throws `NAME_INVALID`, `REPOSITORY_ALREADY_EXISTS` */
  async createRepository(name: string, policy: MutabilityPolicy): Promise<RepositoryRecord> {
    if (!isRepositoryName(name)) throw new EcrEmulatorError('NAME_INVALID', `repository name must be 2-256 characters of lower-case components separated by / (${'[a-z0-9]+(?:[._-][a-z0-9]+)*'}), received ${JSON.stringify(name)}`, { repository: name });
    if (this.repositories.has(name)) {
      throw new EcrEmulatorError('REPOSITORY_ALREADY_EXISTS', `The repository with name '${name}' already exists in the registry with id '${this.options.registryId}'`, { repository: name });
    }
    const record: RepositoryRecord = { name, createdAt: this.options.clock.now(), policy, blobs: {}, manifests: {}, tags: {} };
    this.repositories.set(name, record);
    await this.save(record);
    return record;
  }

  /** All repositories, by name. */
  list(): RepositoryRecord[] {
    return [...this.repositories.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * DeleteRepository: a repository with images only with `force`, as ECR
   * answers RepositoryNotEmptyException otherwise ("DeleteRepository", Amazon ECR API Reference).
   */
  async deleteRepository(name: string, force: boolean): Promise<void> {
    const record = this.repository(name);
    const images = Object.keys(record.manifests).length;
    if (images > 0 && !force) throw new EcrEmulatorError('REPOSITORY_NOT_EMPTY', `The repository with name '${name}' in registry with id '${this.options.registryId}' cannot be deleted because it still contains images (${images} manifests)`, { repository: name });
    this.repositories.delete(name);
    await this.saving;
    await rm(join(this.metadataDir, `${encodeURIComponent(name)}.json`), { force: true });
  }

  /** A repository. @throws `REPOSITORY_NOT_FOUND` */
  repository(name: string): RepositoryRecord {
    const record = this.repositories.get(name);
    if (!record) throw repositoryNotFound(name, this.options.registryId);
    return record;
  }

  /** Size of a blob the repository holds, or `undefined`. */
  async statBlob(name: string, digest: string): Promise<number | undefined> {
    const size = this.repository(name).blobs[digest];
    return size === undefined ? undefined : this.blobs.size(digest);
  }

  /** A blob's size and bytes. @throws `BLOB_UNKNOWN` */
  async openBlob(name: string, digest: string): Promise<{ size: number; stream: Readable }> {
    const size = await this.statBlob(name, digest);
    if (size === undefined) throw blobUnknown(name, digest);
    return { size, stream: this.blobs.open(digest) };
  }

  /** Unlinks a blob from a repository (the bytes stay for other repositories). @throws `BLOB_UNKNOWN` */
  async deleteBlob(name: string, digest: string): Promise<void> {
    const record = this.repository(name);
    if (record.blobs[digest] === undefined) throw blobUnknown(name, digest);
    delete record.blobs[digest];
    await this.save(record);
  }

  /** Links a blob of repository `from` into `name`; false when `from` does not hold it. */
  async mountBlob(name: string, digest: string, from: string): Promise<boolean> {
    const target = this.repository(name);
    const source = this.repositories.get(from);
    const size = source?.blobs[digest];
    if (size === undefined || (await this.blobs.size(digest)) === undefined) return false;
    target.blobs[digest] = size;
    await this.save(target);
    return true;
  }

  /** Ends an upload session into the repository. @throws `DIGEST_MISMATCH`, `UPLOAD_UNKNOWN` */
  async commitUpload(name: string, uuid: string, digest: string): Promise<number> {
    const record = this.repository(name);
    if (!isSha256Digest(digest)) throw new EcrEmulatorError('DIGEST_MISMATCH', `digest must be sha256:<64 hex>, received ${JSON.stringify(digest)}`, { repository: name });
    const size = await this.blobs.commit(name, uuid, digest);
    record.blobs[digest] = size;
    await this.save(record);
    return size;
  }

  /**
   * Stores a manifest under a tag or digest, enforcing the repository's tag
   * mutability. @throws `MANIFEST_INVALID`, `DIGEST_MISMATCH`, `LAYERS_NOT_FOUND`, `TAG_IMMUTABLE`
   */
  async putManifest(name: string, reference: string, bytes: Buffer, contentType: string | undefined, via: PushRecord['via']): Promise<PushRecord> {
    const record = this.repository(name);
    checkReference(name, reference);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (isSha256Digest(reference) && reference !== digest) {
      throw new EcrEmulatorError('DIGEST_MISMATCH', `manifest bytes hash to ${digest}, the reference names ${reference}`, { repository: name, reference });
    }
    const facts = inspectManifest(bytes, contentType);
    const plan = planManifestPut(record, reference, digest, facts);
    if (plan.missing.length > 0) {
      throw new EcrEmulatorError('LAYERS_NOT_FOUND', `manifest ${digest} references ${plan.missing.join(', ')}, not in repository ${name}`, { repository: name, reference, detail: { missing: plan.missing } });
    }
    if (plan.tagWrite === 'conflict') throw immutableTag(name, reference, plan.previous as string, digest);
    await this.blobs.putBytes(digest, bytes);
    const now = this.options.clock.now();
    if (plan.newManifest) {
      record.manifests[digest] = { mediaType: facts.mediaType, size: bytes.length, pushedAt: now, layerBytes: facts.layerBytes, configMediaType: facts.configMediaType, children: facts.manifests };
    }
    if (plan.tag !== undefined) record.tags[plan.tag] = digest;
    const push: PushRecord = { repository: name, tag: plan.tag, digest, mediaType: facts.mediaType, at: now, via, tagWrite: plan.tagWrite };
    this.pushes.push(push);
    await this.save(record);
    if (plan.newManifest || plan.tagWrite === 'create' || plan.tagWrite === 'move') this.options.onChange?.({ action: 'PUSH', repository: name, digest, tag: plan.tag });
    return push;
  }

  /** A manifest by tag or digest. @throws `IMAGE_NOT_FOUND` */
  async getManifest(name: string, reference: string): Promise<StoredManifest> {
    const record = this.repository(name);
    const digest = resolveReference(record, reference);
    if (digest === undefined) throw imageNotFound(name, reference);
    return { digest, mediaType: (record.manifests[digest] as { mediaType: string }).mediaType, bytes: await readFile(this.blobs.pathOf(digest)) };
  }

  /** Deletes a tag or an image (see {@link planDeletion}). @throws `IMAGE_NOT_FOUND` */
  async deleteManifest(name: string, reference: string): Promise<DeletionPlan> {
    const record = this.repository(name);
    const plan = planDeletion(record, reference);
    if (!plan) throw imageNotFound(name, reference);
    for (const tag of plan.removeTags) delete record.tags[tag];
    if (plan.removeManifest) delete record.manifests[plan.digest];
    await this.save(record);
    if (plan.removeManifest) this.options.onChange?.({ action: 'DELETE', repository: name, digest: plan.digest, tag: plan.removeTags[0] });
    return plan;
  }

  private get metadataDir(): string {
    return join(this.options.root, 'repositories');
  }

  private save(record: RepositoryRecord): Promise<void> {
    const file = join(this.metadataDir, `${encodeURIComponent(record.name)}.json`);
    const write = async (): Promise<void> => {
      await writeFile(`${file}.tmp`, JSON.stringify(record));
      await rename(`${file}.tmp`, file);
    };
    this.saving = this.saving.then(write, write);
    return this.saving;
  }
}

function checkReference(name: string, reference: string): void {
  if (!isTag(reference) && !isSha256Digest(reference)) {
    throw new EcrEmulatorError('REFERENCE_INVALID', `reference must be a tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127}) or sha256:<64 hex>, received ${JSON.stringify(reference)}`, { repository: name, reference });
  }
}

function blobUnknown(name: string, digest: string): EcrEmulatorError {
  return new EcrEmulatorError('BLOB_UNKNOWN', `blob ${digest} is not in repository ${name}`, { repository: name, reference: digest });
}

/** ECR's ImageNotFoundException wording. */
export function imageNotFound(name: string, reference: string): EcrEmulatorError {
  const id = isSha256Digest(reference) ? `imageDigest=${reference}` : `imageTag=${reference}`;
  return new EcrEmulatorError('IMAGE_NOT_FOUND', `The image with imageId {${id}} does not exist within the repository with name '${name}'`, { repository: name, reference });
}
