import { createHash } from 'node:crypto';
import type { JsonOperation } from '../kernel/aws-json';
import { AwsServiceError } from '../kernel/aws-json';
import type { Clock } from '../kernel/clock';
import { LOCAL_ACCOUNT } from '../kernel/events';
import type { TokenBook } from './auth';
import { describeImage, describeImages, describeRepository } from './descriptions';
import { EcrEmulatorError, isEcrEmulatorError } from './errors';
import { checkMutabilityPolicy } from './mutability';
import { imageFailure, imageId, readImageIds, resolveId } from './image-ids';
import { resolveReference } from './repository-state';
import type { EcrStore } from './store';

/** The X-Amz-Target prefix of the ECR JSON API. */
export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';

/** What the JSON API needs. */
export interface EcrJsonApiOptions {
  readonly store: EcrStore;
  readonly tokens: TokenBook;
  readonly clock: Clock;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: () => string;
  /** `127.0.0.1:PORT`. */
  readonly host: () => string;
}

/**
 * The ECR JSON API operations the project uses (API reference pages of the
 * same names), over the same store as the distribution endpoint. Emulator
 * errors become ECR's exception names (see ERROR_WIRE_FORMS).
 */
export function ecrOperations(options: EcrJsonApiOptions): Record<string, JsonOperation> {
  const { store } = options;
  const operations: Record<string, JsonOperation> = {
    GetAuthorizationToken: () => {
      const token = options.tokens.issue(options.clock.now());
      return { authorizationData: [{ authorizationToken: token.authorizationToken, expiresAt: new Date(token.expiresAt), proxyEndpoint: options.origin() }] };
    },
    CreateRepository: async (input) => {
      const policy = checkMutabilityPolicy(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
      return { repository: describeRepository(await store.createRepository(text(input, 'repositoryName'), policy), options.host()) };
    },
    DescribeRepositories: (input) => {
      const names = input.repositoryNames === undefined ? undefined : (input.repositoryNames as unknown[]).map(String);
      const records = names === undefined ? store.list() : names.map((name) => store.repository(name));
      return { repositories: records.map((record) => describeRepository(record, options.host())) };
    },
    DescribeImages: (input) => describeImagesOperation(store, input),
    BatchGetImage: (input) => batchGetImage(store, input),
    BatchDeleteImage: (input) => batchDeleteImage(store, input),
    PutImage: (input) => putImage(store, input),
  };
  return Object.fromEntries(Object.entries(operations).map(([name, operation]) => [name, translated(operation)]));
}

function describeImagesOperation(store: EcrStore, input: Record<string, unknown>): unknown {
  const record = store.repository(text(input, 'repositoryName'));
  const ids = input.imageIds === undefined ? undefined : readImageIds(input.imageIds);
  if (ids) {
    return {
      imageDetails: ids.map((id) => {
        const digest = resolveId(record, id);
        if (digest === undefined) throw new EcrEmulatorError('IMAGE_NOT_FOUND', `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${record.name}' in the registry with id '${LOCAL_ACCOUNT}'`);
        return describeImage(record, digest);
      }),
    };
  }
  const status = ((input.filter ?? {}) as { tagStatus?: unknown }).tagStatus ?? 'ANY';
  const all = describeImages(record).filter((image) => status === 'ANY' || (status === 'TAGGED') === (image.imageTags !== undefined));
  const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
  const max = input.maxResults === undefined ? 100 : Number(input.maxResults);
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(max) || max < 1 || max > 1000) {
    throw new EcrEmulatorError('INVALID_PARAMETER', `maxResults must be 1-1000 and nextToken one this API returned, received ${JSON.stringify({ maxResults: input.maxResults, nextToken: input.nextToken })}`);
  }
  const page = all.slice(start, start + max);
  return { imageDetails: page, ...(start + max < all.length ? { nextToken: String(start + max) } : {}) };
}

async function batchGetImage(store: EcrStore, input: Record<string, unknown>): Promise<unknown> {
  const record = store.repository(text(input, 'repositoryName'));
  const images = [];
  const failures = [];
  for (const id of readImageIds(input.imageIds)) {
    const failure = imageFailure(record, id);
    if (failure) {
      failures.push(failure);
      continue;
    }
    const manifest = await store.getManifest(record.name, resolveId(record, id) as string);
    images.push({ registryId: LOCAL_ACCOUNT, repositoryName: record.name, imageId: imageId(id, manifest.digest), imageManifest: manifest.bytes.toString('utf8'), imageManifestMediaType: manifest.mediaType });
  }
  return { images, failures };
}

async function batchDeleteImage(store: EcrStore, input: Record<string, unknown>): Promise<unknown> {
  const record = store.repository(text(input, 'repositoryName'));
  const imageIds = [];
  const failures = [];
  for (const id of readImageIds(input.imageIds)) {
    const failure = imageFailure(record, id);
    if (failure) {
      failures.push(failure);
      continue;
    }
    const plan = await store.deleteManifest(record.name, id.imageTag ?? (id.imageDigest as string));
    imageIds.push(imageId(id, plan.digest));
  }
  return { imageIds, failures };
}

async function putImage(store: EcrStore, input: Record<string, unknown>): Promise<unknown> {
  const record = store.repository(text(input, 'repositoryName'));
  const bytes = Buffer.from(text(input, 'imageManifest'), 'utf8');
  const tag = optionalText(input, 'imageTag');
  const wanted = optionalText(input, 'imageDigest');
  const mediaType = optionalText(input, 'imageManifestMediaType');
  const reference = tag ?? wanted;
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (wanted !== undefined && wanted !== `sha256:${digest}`) {
    throw new EcrEmulatorError('DIGEST_MISMATCH', `The manifest hashes to sha256:${digest}, which does not match the imageDigest ${wanted}`);
  }
  const existing = reference === undefined ? resolveReference(record, `sha256:${digest}`) : resolveReference(record, tag ?? `sha256:${digest}`);
  if (existing === `sha256:${digest}`) {
    throw new EcrEmulatorError('IMAGE_ALREADY_EXISTS', `Image with digest 'sha256:${digest}' and tag '${tag ?? 'null'}' already exists in the repository with name '${record.name}' in registry with id '${LOCAL_ACCOUNT}'`);
  }
  const push = await store.putManifest(record.name, reference ?? `sha256:${digest}`, bytes, mediaType, 'PutImage');
  return { image: { registryId: LOCAL_ACCOUNT, repositoryName: record.name, imageId: { imageDigest: push.digest, ...(tag ? { imageTag: tag } : {}) }, imageManifest: bytes.toString('utf8'), imageManifestMediaType: push.mediaType } };
}

function translated(operation: JsonOperation): JsonOperation {
  return async (input) => {
    try {
      return await operation(input);
    } catch (error) {
      if (isEcrEmulatorError(error)) throw new AwsServiceError(error.wire.aws, error.message, 400);
      throw error;
    }
  };
}

function text(input: Record<string, unknown>, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw new EcrEmulatorError('INVALID_PARAMETER', `${key} must be a non-empty string, received ${JSON.stringify(value)}`);
  return value;
}

function optionalText(input: Record<string, unknown>, key: string): string | undefined {
  return input[key] === undefined || input[key] === null ? undefined : text(input, key);
}
