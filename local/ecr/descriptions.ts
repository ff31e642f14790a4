import { LOCAL_ACCOUNT, LOCAL_REGION } from '../kernel/events';
import type { TagMutability } from './mutability';
import type { RepositoryRecord } from './repository-state';
import { imageSize, tagsOf } from './repository-state';

/** A repository as DescribeRepositories / CreateRepository answer it (API reference: Repository). */
export interface RepositoryDescription {
  readonly repositoryArn: string;
  readonly registryId: string;
  readonly repositoryName: string;
  /** `127.0.0.1:PORT/<name>`: the emulator's stand-in for `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  readonly repositoryUri: string;
  readonly createdAt: Date;
  readonly imageTagMutability: TagMutability;
  readonly imageTagMutabilityExclusionFilters?: readonly { readonly filterType: 'WILDCARD'; readonly filter: string }[];
  readonly imageScanningConfiguration: { readonly scanOnPush: boolean };
  readonly encryptionConfiguration: { readonly encryptionType: 'AES256' };
}

/** An image as DescribeImages answers it (API reference: ImageDetail). */
export interface ImageDescription {
  readonly registryId: string;
  readonly repositoryName: string;
  readonly imageDigest: string;
  /** Absent for an untagged image, as on ECR. */
  readonly imageTags?: readonly string[];
  readonly imageSizeInBytes: number;
  readonly imagePushedAt: Date;
  readonly imageManifestMediaType: string;
  readonly artifactMediaType?: string;
}

/** The repository's description; `host` is the registry `127.0.0.1:PORT`. */
export function describeRepository(record: RepositoryRecord, host: string): RepositoryDescription {
  const filters = record.policy.exclusionFilters.map((filter) => ({ filterType: 'WILDCARD' as const, filter }));
  return {
    repositoryArn: `arn:aws:ecr:${LOCAL_REGION}:${LOCAL_ACCOUNT}:repository/${record.name}`,
    registryId: LOCAL_ACCOUNT,
    repositoryName: record.name,
    repositoryUri: `${host}/${record.name}`,
    createdAt: new Date(record.createdAt),
    imageTagMutability: record.policy.mutability,
    ...(filters.length > 0 ? { imageTagMutabilityExclusionFilters: filters } : {}),
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfiguration: { encryptionType: 'AES256' },
  };
}

/** One image of a repository. */
export function describeImage(record: RepositoryRecord, digest: string): ImageDescription {
  const manifest = record.manifests[digest];
  if (!manifest) throw new RangeError(`${digest} is not a manifest of ${record.name}`);
  const tags = tagsOf(record, digest);
  return {
    registryId: LOCAL_ACCOUNT,
    repositoryName: record.name,
    imageDigest: digest,
    ...(tags.length > 0 ? { imageTags: tags } : {}),
    imageSizeInBytes: imageSize(record, digest),
    imagePushedAt: new Date(manifest.pushedAt),
    imageManifestMediaType: manifest.mediaType,
    ...(manifest.configMediaType ? { artifactMediaType: manifest.configMediaType } : {}),
  };
}

/** Every image of a repository, oldest push first (ties by digest). */
export function describeImages(record: RepositoryRecord): ImageDescription[] {
  return Object.entries(record.manifests)
    .sort(([a, left], [b, right]) => left.pushedAt - right.pushedAt || a.localeCompare(b))
    .map(([digest]) => describeImage(record, digest));
}
