import { BatchGetImageCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { awsError, DeployError } from '../errors';

/** Manifest media types the release tag may point at (single images and indexes). */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/**
 * Moves release tags in ECR by digest: the manifest is read with BatchGetImage
 * and put again under the tag, byte for byte, so the digest is unchanged.
 *
 * @example
 * await new EcrReleaseAdapter({ client: new ECRClient({}) }).moveTag('portal-api', 'dev-live', 'sha256:...');
 */
export class EcrReleaseAdapter {
  private readonly client: ECRClient;

  constructor(options: { client?: ECRClient } = {}) {
    this.client = options.client ?? new ECRClient({});
  }

  /** The digest `tag` points at, or `undefined` when the tag does not exist. */
  async resolveTag(repositoryName: string, tag: string): Promise<string | undefined> {
    const doing = `resolving ${repositoryName}:${tag}`;
    const output = await this.send(doing, { repositoryName, tag }, () => this.client.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: tag }], acceptedMediaTypes: MANIFEST_MEDIA_TYPES })));
    return output.images?.[0]?.imageId?.imageDigest;
  }

  /** Points `tag` at `digest`; a tag already there is success (ImageAlreadyExistsException). */
  async moveTag(repositoryName: string, tag: string, digest: string): Promise<void> {
    const doing = `moving ${repositoryName}:${tag} to ${digest}`;
    const context = { repositoryName, tag, digest };
    const output = await this.send(doing, context, () => this.client.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageDigest: digest }], acceptedMediaTypes: MANIFEST_MEDIA_TYPES })));
    const image = output.images?.[0];
    if (!image?.imageManifest) {
      const failure = output.failures?.[0];
      throw new DeployError('IMAGE_NOT_FOUND', `${doing}: expected the manifest of ${digest}, ECR said ${failure?.failureCode ?? 'nothing'}: ${failure?.failureReason ?? 'no image returned'}`, { context });
    }
    try {
      await this.client.send(new PutImageCommand({
        repositoryName, imageTag: tag, imageDigest: digest, imageManifest: image.imageManifest, imageManifestMediaType: image.imageManifestMediaType,
      }));
    } catch (error) {
      if ((error as { name?: string }).name === 'ImageAlreadyExistsException') return;
      throw awsError('ECR_FAILED', doing, error, context);
    }
  }

  private async send<T>(doing: string, context: Record<string, string>, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw awsError('ECR_FAILED', doing, error, context);
    }
  }
}
