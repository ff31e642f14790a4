import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import type { ImageRepository } from '../shared/oci';
import { canonicalJson, MediaTypes } from '../shared/oci';

/** Tag of the stand-in base in its layout. */
export const STAND_IN_TAG = 'stand-in';

/**
 * Writes a small stand-in for the wicked base image (`haufelexware/wicked.api`)
 * into a repository, for the offline demo: no registry with the real base is
 * reachable here. It has the real image's shape where the builder cares:
 * a gzip layer, and a config with User, Env, Entrypoint, Cmd, WorkingDir and
 * ExposedPorts that the built image must keep unchanged.
 *
 * `options.version` stands for another wicked version of the base (a
 * different package.json, so a different digest) under `options.tag`.
 *
 * @example
 * await writeStandInBase(repository, { tag: '1.0.1', version: '1.0.1' }) // { reference: '1.0.1', digest: 'sha256:…' }
 */
export async function writeStandInBase(repository: ImageRepository, options: { tag?: string; version?: string } = {}): Promise<{ reference: string; digest: string }> {
  const tag = options.tag ?? STAND_IN_TAG;
  const version = options.version === undefined ? '' : `,"version":"${options.version}"`;
  const layer = await tarGz({
    'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n',
    'etc/group': 'root:x:0:\nnode:x:1000:\n',
    'usr/src/app/package.json': `{"name":"portal-api","description":"stand-in for haufelexware/wicked.api"${version}}\n`,
    'usr/src/app/bin/docker-entrypoint.sh': '#!/bin/sh\n# stand-in: the real base starts portal-api here\nexec "$@"\n',
  });
  await push(repository, layer.gz);
  const config = canonicalJson({
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-01T00:00:00Z',
    config: {
      User: 'node',
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production'],
      Entrypoint: ['/usr/src/app/bin/docker-entrypoint.sh'],
      Cmd: ['npm', 'start'],
      WorkingDir: '/usr/src/app',
      ExposedPorts: { '3001/tcp': {} },
      Labels: { 'org.opencontainers.image.title': 'wicked.api stand-in' },
    },
    rootfs: { type: 'layers', diff_ids: [digestOf(layer.tar)] },
    history: [{ created: '2024-01-01T00:00:00Z', created_by: 'stand-in base layer' }],
  });
  await push(repository, config);
  const manifest = canonicalJson({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: digestOf(config), size: config.length },
    layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: digestOf(layer.gz), size: layer.gz.length }],
  });
  const digest = await repository.putManifest(tag, MediaTypes.ociManifest, manifest);
  return { reference: tag, digest };
}

async function tarGz(files: Record<string, string>): Promise<{ tar: Buffer; gz: Buffer }> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) {
    pack.entry({ name, mode: name.endsWith('.sh') ? 0o755 : 0o644, mtime: new Date(0), uid: 0, gid: 0 }, content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  const tar = Buffer.concat(chunks);
  return { tar, gz: gzipSync(tar, { level: 9 }) };
}

async function push(repository: ImageRepository, bytes: Buffer): Promise<void> {
  const digest = digestOf(bytes);
  if ((await repository.statBlob(digest)) === undefined) await repository.pushBlob(digest, bytes.length, () => Readable.from([bytes]));
}

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
