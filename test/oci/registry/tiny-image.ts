import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';

/** A blob for tests: its bytes, digest, size and a re-openable stream. */
export interface TestBlob {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly size: number;
  readonly open: () => Readable;
}

/** A complete single-layer image: layer, config and OCI manifest. */
export interface TinyImage {
  readonly layer: TestBlob;
  readonly config: TestBlob;
  readonly manifest: TestBlob;
  readonly manifestMediaType: string;
}

/** Hashes bytes the way registries do, independently of the code under test. */
export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Wraps bytes as a {@link TestBlob}. */
export function testBlob(bytes: Buffer): TestBlob {
  return { bytes, digest: sha256(bytes), size: bytes.length, open: () => Readable.from([bytes]) };
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Builds a valid one-layer linux/amd64 OCI image from a few files (a real
 * gzip'd tar, a config with the matching diff_id, and a manifest).
 */
export async function tinyImage(files: Record<string, string>): Promise<TinyImage> {
  const tar = await tarOf(files);
  const layer = testBlob(gzipSync(tar, { level: 9 }));
  const config = testBlob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Cmd: ['/bin/true'] },
        rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
        history: [{ created_by: 'tiny-image test helper' }],
      }),
    ),
  );
  const manifestMediaType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = testBlob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: manifestMediaType,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
      }),
    ),
  );
  return { layer, config, manifest, manifestMediaType };
}

/** Reads a stream to the end. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}
