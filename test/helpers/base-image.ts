import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import type { ImageRepository } from '../../shared/oci/repository';

/** Container settings every synthetic base carries; built images must keep them. */
export const BASE_CONTAINER_CONFIG = Object.freeze({
  User: 'node',
  Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production'],
  Entrypoint: ['/usr/src/app/bin/docker-entrypoint.sh'],
  Cmd: ['npm', 'start'],
  WorkingDir: '/usr/src/app',
  ExposedPorts: { '3001/tcp': {} },
  Labels: { maintainer: 'synthetic base' },
});

/** `created` of synthetic base configs. */
export const BASE_CREATED = '2024-05-01T10:00:00Z';

/** One platform image of a synthetic base. */
export interface SyntheticImage {
  readonly platform: { os: string; architecture: string; variant?: string };
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly configDigest: string;
  readonly layers: readonly { digest: string; diffId: string; size: number }[];
}

/** What {@link writeBaseImage} stored. */
export interface SyntheticBase {
  readonly tag: string;
  /** Digest the tag names (the index when there is one). */
  readonly digest: string;
  readonly mediaType: string;
  readonly images: readonly SyntheticImage[];
}

/** Options of {@link writeBaseImage}. */
export interface BaseImageOptions {
  readonly family: 'oci' | 'docker';
  readonly tag: string;
  /** One entry: a plain image; several, or `index: true`: an index / manifest list. */
  readonly platforms?: readonly { os: string; architecture: string; variant?: string }[];
  readonly index?: boolean;
  /** Adds an `unknown/unknown` attestation entry to an OCI index, as BuildKit does. */
  readonly attestation?: boolean;
}

const TYPES = {
  oci: { manifest: 'application/vnd.oci.image.manifest.v1+json', index: 'application/vnd.oci.image.index.v1+json', config: 'application/vnd.oci.image.config.v1+json', layer: 'application/vnd.oci.image.layer.v1.tar+gzip' },
  docker: { manifest: 'application/vnd.docker.distribution.manifest.v2+json', index: 'application/vnd.docker.distribution.manifest.list.v2+json', config: 'application/vnd.docker.container.image.v1+json', layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip' },
};

/**
 * Writes a tiny base image into a repository (an OCI layout or a registry):
 * two gzip layers per platform (one shared by all platforms), a config with
 * User/Env/Entrypoint/Cmd/WorkingDir/ExposedPorts/Labels, manifests serialised
 * non-canonically (indented, as Docker does) so that builders cannot rely on
 * canonical input. Layers are made with tar-stream, independently of the code under test.
 */
export async function writeBaseImage(repository: ImageRepository, options: BaseImageOptions): Promise<SyntheticBase> {
  const types = TYPES[options.family];
  const platforms = options.platforms ?? [{ os: 'linux', architecture: 'amd64' }];
  const shared = await pushLayer(repository, {
    'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n',
    'etc/group': 'root:x:0:\nnode:x:1000:\n',
    'usr/src/app/package.json': '{"name":"portal-api"}\n',
    'usr/src/app/bin/docker-entrypoint.sh': '#!/bin/sh\nexec "$@"\n',
  });
  const images: SyntheticImage[] = [];
  for (const platform of platforms) {
    const own = await pushLayer(repository, { 'etc/platform': `${platform.os}/${platform.architecture}\n` });
    const config = json({
      created: BASE_CREATED, architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}),
      config: BASE_CONTAINER_CONFIG,
      rootfs: { type: 'layers', diff_ids: [shared.diffId, own.diffId] },
      history: [{ created: BASE_CREATED, created_by: 'ADD app' }, { created: BASE_CREATED, created_by: 'ADD platform' }, { created: BASE_CREATED, created_by: 'CMD ["npm","start"]', empty_layer: true }],
    });
    const configDigest = await pushBytes(repository, config);
    const manifest = json({
      schemaVersion: 2, mediaType: types.manifest,
      config: { mediaType: types.config, digest: configDigest, size: config.length },
      layers: [shared, own].map((l) => ({ mediaType: types.layer, digest: l.digest, size: l.size })),
    });
    const single = platforms.length === 1 && !options.index;
    const digest = await repository.putManifest(single ? options.tag : sha(manifest), types.manifest, manifest);
    images.push({ platform, digest, size: manifest.length, mediaType: types.manifest, configDigest, layers: [shared, own] });
  }
  if (platforms.length === 1 && !options.index) return { tag: options.tag, digest: images[0].digest, mediaType: types.manifest, images };
  const entries: unknown[] = images.map((i) => ({ mediaType: i.mediaType, digest: i.digest, size: i.size, platform: i.platform }));
  if (options.attestation) entries.push(await pushAttestation(repository, images[0].digest));
  const index = json({ schemaVersion: 2, mediaType: types.index, manifests: entries });
  const digest = await repository.putManifest(options.tag, types.index, index);
  return { tag: options.tag, digest, mediaType: types.index, images };
}

/** Builds a gzip'd tar of the files (with tar-stream) and pushes it. */
export async function pushLayer(repository: ImageRepository, files: Record<string, string>): Promise<{ digest: string; diffId: string; size: number }> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  const tar = Buffer.concat(chunks);
  const gz = gzipSync(tar);
  const digest = await pushBytes(repository, gz);
  return { digest, diffId: sha(tar), size: gz.length };
}

async function pushAttestation(repository: ImageRepository, subject: string): Promise<unknown> {
  const statement = Buffer.from('{"_type":"https://in-toto.io/Statement/v0.1"}');
  const layerDigest = await pushBytes(repository, statement);
  const config = Buffer.from('{"architecture":"unknown","os":"unknown","rootfs":{"type":"layers","diff_ids":[]}}');
  const configDigest = await pushBytes(repository, config);
  const manifest = json({
    schemaVersion: 2, mediaType: TYPES.oci.manifest,
    config: { mediaType: TYPES.oci.config, digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.in-toto+json', digest: layerDigest, size: statement.length }],
  });
  const digest = await repository.putManifest(sha(manifest), TYPES.oci.manifest, manifest);
  return {
    mediaType: TYPES.oci.manifest, digest, size: manifest.length, platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': subject },
  };
}

async function pushBytes(repository: ImageRepository, bytes: Buffer): Promise<string> {
  const digest = sha(bytes);
  await repository.pushBlob(digest, bytes.length, () => Readable.from([bytes]));
  return digest;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 3));
}

/** `sha256:<hex>` of bytes. */
export function sha(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
