import { ECRClient } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { MediaTypes } from '../../../shared/oci/media-types';
import { ecrCredentials } from '../../../shared/oci/registry/credentials';
import { createRegistryRepository } from '../../../shared/oci/registry/registry-repository';
import type { RegistryRepository } from '../../../shared/oci/registry/registry-repository';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaledClock } from '../../../local/kernel/clock';
import type { AwsEvent, EventSink } from '../../../local/kernel/events';
import { startEcr } from '../../../local/ecr';
import type { RunningEcr } from '../../../local/ecr';
import { sdkEcrToken } from '../../../shared/oci/registry/ecr-sdk-token';

/** A started emulator with an SDK client pointed at it and the events it emitted. */
export interface EcrFixture {
  readonly ecr: RunningEcr;
  readonly client: ECRClient;
  readonly stateDir: string;
  readonly events: Parameters<EventSink['put']>[0][];
  /** Restarts the emulator on the same state directory. */
  restart(): Promise<EcrFixture>;
  stop(): Promise<void>;
}

/** Starts the ECR emulator in a fresh temporary state directory (or `stateDir`). */
export async function startEcrFixture(stateDir?: string): Promise<EcrFixture> {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'ecr-emulator-')));
  const events: Parameters<EventSink['put']>[0][] = [];
  const ecr = await startEcr({ clock: scaledClock(1), bus: { put: (event) => void events.push(event) }, stateDir: dir });
  const client = new ECRClient({ endpoint: ecr.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const stopServer = async (): Promise<void> => {
    client.destroy();
    await ecr.stop();
  };
  return {
    ecr,
    client,
    stateDir: dir,
    events,
    restart: async () => {
      await stopServer();
      return startEcrFixture(dir);
    },
    stop: async () => {
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Basic `Authorization` header for a fresh registry password. */
export function authHeader(ecr: RunningEcr): string {
  const { username, password } = ecr.control.issueCredentials();
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export type { AwsEvent };

/** The project's registry client for a repository of the emulator, authenticated through GetAuthorizationToken. */
export function registryClient(fixture: EcrFixture, repository: string): RegistryRepository {
  return createRegistryRepository({ host: fixture.ecr.control.registry, repository, insecure: true, credentials: ecrCredentials({ token: sdkEcrToken(fixture.client) }), retry: { maxAttempts: 1 } });
}

/** A pushed one-layer OCI image. */
export interface TinyImage {
  readonly digest: string;
  readonly manifest: Buffer;
  readonly configDigest: string;
  readonly layerDigest: string;
  readonly layerSize: number;
}

/** Pushes a one-layer OCI image whose bytes depend on `seed`, under `tag`. */
export async function pushTinyImage(repository: RegistryRepository, tag: string, seed: string): Promise<TinyImage> {
  const layer = Buffer.from(`layer ${seed}`);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
  for (const blob of [layer, config]) await repository.pushBlob(sha(blob), blob.length, () => Readable.from([blob]));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha(config), size: config.length },
    layers: [{ mediaType: MediaTypes.ociLayerTar, digest: sha(layer), size: layer.length }],
  }));
  const digest = await repository.putManifest(tag, MediaTypes.ociManifest, manifest);
  return { digest, manifest, configDigest: sha(config), layerDigest: sha(layer), layerSize: layer.length };
}

/** `sha256:<hex>` of bytes. */
export function sha(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
