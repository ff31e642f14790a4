import { canonicalJson } from '../../shared/oci/canonical-json';
import { sha256Digest } from '../../shared/oci/digest';
import { ManifestError } from '../../shared/oci/errors';
import type { Image } from '../../shared/oci/image';
import { imageFromParts, parseConfig, parseManifest } from '../../shared/oci/image';
import type { Layer } from '../../shared/oci/layer';
import { MediaTypes } from '../../shared/oci/media-types';
import type { ManifestFamily } from '../../shared/oci/media-types';
import { FALLBACK_CREATED, Labels, appendLayer, labelsFor, replaceIndexManifests } from '../../shared/oci/mutate';
import { deriveTag } from '../../shared/oci/tag';
import { BASE_CONTAINER_CONFIG, BASE_CREATED } from '../helpers/base-image';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const layer: Layer = { digest: d('a'), diffId: d('b'), size: 123, uncompressedSize: 2048, compression: 'gzip' };
const TYPES = {
  oci: { manifest: MediaTypes.ociManifest, config: MediaTypes.ociConfig, layer: MediaTypes.ociLayerGzip },
  docker: { manifest: MediaTypes.dockerManifest, config: MediaTypes.dockerConfig, layer: MediaTypes.dockerLayerGzip },
};

/** A base image from non-canonical (indented) bytes, as a registry would serve it. */
function baseImage(family: ManifestFamily, configOverrides: Record<string, unknown> = {}): Image {
  const config = Buffer.from(JSON.stringify({ created: BASE_CREATED, architecture: 'amd64', os: 'linux', config: BASE_CONTAINER_CONFIG, rootfs: { type: 'layers', diff_ids: [d('1')] }, history: [{ created_by: 'ADD' }], ...configOverrides }, null, 2));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: TYPES[family].manifest,
    config: { mediaType: TYPES[family].config, digest: sha256Digest(config), size: config.length },
    layers: [{ mediaType: TYPES[family].layer, digest: d('2'), size: 10 }],
    annotations: { keep: 'me' },
  }, null, 2));
  const parsed = parseManifest({ mediaType: TYPES[family].manifest, digest: sha256Digest(manifest), bytes: manifest });
  if (parsed.kind !== 'image') throw new Error('expected an image');
  return imageFromParts(parsed, manifest, config);
}

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: [{ d: 2, c: 3 }] }, '{"a":[{"c":3,"d":2}],"b":1}'],
    [{ '10': 1, '9': 2, a: undefined }, '{"10":1,"9":2}'],
    [[undefined, null, 'x'], '[null,null,"x"]'],
    [{ 'é': 'ü', e: '\n' }, '{"e":"\\n","é":"ü"}'],
  ])('serialises %j', (value, expected) => {
    expect(canonicalJson(value).toString('utf8')).toBe(expected);
  });
});

describe('parseManifest', () => {
  const body = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
  const fetched = (mediaType: string, value: unknown) => ({ mediaType, digest: sha256Digest(body(value)), bytes: body(value) });
  const manifest = { schemaVersion: 2, config: { mediaType: MediaTypes.ociConfig, digest: d('c'), size: 1 }, layers: [] };
  it.each([
    ['OCI manifest with mediaType', fetched('application/json', { ...manifest, mediaType: MediaTypes.ociManifest }), 'image', 'oci', MediaTypes.ociManifest],
    ['OCI manifest without mediaType', fetched(MediaTypes.ociManifest, manifest), 'image', 'oci', MediaTypes.ociManifest],
    ['OCI manifest without any media type', fetched('application/octet-stream', manifest), 'image', 'oci', MediaTypes.ociManifest],
    ['OCI index without mediaType', fetched('', { schemaVersion: 2, manifests: [] }), 'index', 'oci', MediaTypes.ociIndex],
    ['Docker manifest', fetched(MediaTypes.dockerManifest, { ...manifest, mediaType: MediaTypes.dockerManifest }), 'image', 'docker', MediaTypes.dockerManifest],
    ['Docker manifest list', fetched(MediaTypes.dockerManifestList, { schemaVersion: 2, mediaType: MediaTypes.dockerManifestList, manifests: [] }), 'index', 'docker', MediaTypes.dockerManifestList],
  ])('recognises an %s', (_title, input, kind, family, mediaType) => {
    expect(parseManifest(input)).toMatchObject({ kind, family, mediaType });
  });

  it.each([
    ['Docker schema 1', fetched('application/vnd.docker.distribution.manifest.v1+prettyjws', { schemaVersion: 1, mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' }), 'MANIFEST_UNSUPPORTED'],
    ['not JSON', { mediaType: MediaTypes.ociManifest, digest: d('0'), bytes: Buffer.from('{nope') }, 'MANIFEST_INVALID'],
    ['a JSON array', fetched(MediaTypes.ociManifest, []), 'MANIFEST_INVALID'],
    ['a bad layer digest', fetched(MediaTypes.ociManifest, { ...manifest, layers: [{ mediaType: 'x', digest: 'md5:1', size: 1 }] }), 'MANIFEST_INVALID'],
    ['schemaVersion 1', fetched(MediaTypes.ociManifest, { ...manifest, schemaVersion: 1 }), 'MANIFEST_INVALID'],
  ])('rejects %s', (_title, input, code) => {
    expect(() => parseManifest(input)).toThrow(expect.objectContaining({ code }) as Error);
  });

  it('rejects a config whose rootfs is not layers, and config bytes that are not the ones named', () => {
    expect(() => parseConfig(Buffer.from('{"rootfs":{"type":"x","diff_ids":[]}}'), d('0'))).toThrow(ManifestError);
    const image = baseImage('oci');
    const parsed = parseManifest({ mediaType: image.mediaType, digest: image.digest, bytes: image.manifestBytes });
    if (parsed.kind !== 'image') throw new Error('expected an image');
    expect(() => imageFromParts(parsed, image.manifestBytes, Buffer.from('{}'))).toThrow(/expected sha256:/);
  });
});

describe('appendLayer', () => {
  const meta = { configHash: 'cafe01', source: { kind: 's3', bucket: 'cfg', key: 'dev/config.tgz', versionId: 'v 1' } } as const;

  it.each(['oci', 'docker'] as const)('keeps the %s base config and adds diff_id, history and labels', (family) => {
    const base = baseImage(family);
    const image = appendLayer(base, layer, meta);
    const { config: container, rootfs, history, created, ...rest } = image.config;
    const { config: baseContainer, rootfs: _r, history: _h, created: _c, ...baseRest } = base.config;
    expect(rest).toEqual(baseRest);
    expect(created).toBe(BASE_CREATED);
    expect({ ...container, Labels: undefined }).toEqual({ ...baseContainer, Labels: undefined });
    expect(container?.Labels).toEqual({
      maintainer: 'synthetic base',
      [Labels.baseDigest]: base.digest,
      [Labels.configHash]: 'cafe01',
      [Labels.configSource]: 's3://cfg/dev/config.tgz?versionId=v%201',
    });
    expect(rootfs.diff_ids).toEqual([d('1'), d('b')]);
    expect(history).toEqual([{ created_by: 'ADD' }, { created: BASE_CREATED, created_by: 'wicked-control-plane: static configuration cafe01' }]);
  });

  it.each(['oci', 'docker'] as const)('keeps the %s media types and appends a gzip layer of the same family', (family) => {
    const base = baseImage(family);
    const image = appendLayer(base, layer, meta);
    expect(image.mediaType).toBe(TYPES[family].manifest);
    expect(image.manifest).toEqual({
      schemaVersion: 2,
      mediaType: TYPES[family].manifest,
      config: { mediaType: TYPES[family].config, digest: sha256Digest(image.configBytes), size: image.configBytes.length },
      layers: [{ mediaType: TYPES[family].layer, digest: d('2'), size: 10 }, { mediaType: TYPES[family].layer, digest: layer.digest, size: layer.size }],
      annotations: { keep: 'me' },
    });
    expect(image.digest).toBe(sha256Digest(image.manifestBytes));
    expect(JSON.parse(image.manifestBytes.toString())).toEqual(image.manifest);
    expect(JSON.parse(image.configBytes.toString())).toEqual(image.config);
  });

  it('gives the same digest for the same inputs and another for any other input', () => {
    const digest = appendLayer(baseImage('oci'), layer, meta).digest;
    expect(appendLayer(baseImage('oci'), layer, meta).digest).toBe(digest);
    const others = [
      appendLayer(baseImage('oci'), { ...layer, diffId: d('e') }, meta),
      appendLayer(baseImage('oci'), layer, { ...meta, configHash: 'other' }),
      appendLayer(baseImage('oci'), layer, { configHash: 'cafe01' }),
      appendLayer(baseImage('docker'), layer, meta),
    ];
    expect(new Set([digest, ...others.map((i) => i.digest)]).size).toBe(5);
  });

  it('uses the fallback created time, creates Labels when the base has none, and leaves the base untouched', () => {
    const base = baseImage('oci', { created: undefined, config: { Cmd: ['x'], Labels: null } });
    const before = Buffer.from(base.configBytes);
    const image = appendLayer(base, layer, { configHash: 'h' });
    expect(image.config.created).toBe(FALLBACK_CREATED);
    expect(image.config.config).toEqual({ Cmd: ['x'], Labels: { [Labels.baseDigest]: base.digest, [Labels.configHash]: 'h' } });
    expect(base.config.rootfs.diff_ids).toEqual([d('1')]);
    expect(base.configBytes.equals(before)).toBe(true);
    expect(Object.isFrozen(image.config.rootfs.diff_ids)).toBe(true);
  });
});

describe('labelsFor', () => {
  it.each([
    [undefined, {}],
    [{ kind: 's3', bucket: 'b', key: 'k/x.zip' }, { [Labels.configSource]: 's3://b/k/x.zip' }],
    [{ kind: 'git', revision: 'abc123' }, { [Labels.revision]: 'abc123' }],
    [{ kind: 'git', revision: 'abc123', url: 'https://git.example/cfg.git' }, { [Labels.revision]: 'abc123', [Labels.configSource]: 'https://git.example/cfg.git' }],
  ] as const)('source %j', (source, extra) => {
    expect(labelsFor(d('f'), { configHash: 'h', source })).toEqual({ [Labels.baseDigest]: d('f'), [Labels.configHash]: 'h', ...extra });
  });
});

describe('replaceIndexManifests', () => {
  it('replaces built entries, keeps platforms and annotations, drops the others', () => {
    const built = appendLayer(baseImage('docker'), layer, { configHash: 'h' });
    const indexDoc = {
      schemaVersion: 2 as const, mediaType: MediaTypes.dockerManifestList,
      manifests: [
        { mediaType: MediaTypes.dockerManifest, digest: d('3'), size: 5, platform: { os: 'linux', architecture: 'amd64' }, annotations: { a: 'b' } },
        { mediaType: MediaTypes.dockerManifest, digest: d('4'), size: 5, platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    };
    const bytes = canonicalJson(indexDoc);
    const index = replaceIndexManifests({ family: 'docker', mediaType: MediaTypes.dockerManifestList, digest: sha256Digest(bytes), index: indexDoc, bytes }, new Map([[d('3'), built]]));
    expect(index.index.manifests).toEqual([{ mediaType: MediaTypes.dockerManifest, digest: built.digest, size: built.manifestBytes.length, platform: { os: 'linux', architecture: 'amd64' }, annotations: { a: 'b' } }]);
    expect(index.mediaType).toBe(MediaTypes.dockerManifestList);
    expect(index.digest).toBe(sha256Digest(index.bytes));
  });
});

describe('deriveTag', () => {
  it('is cfg- plus 32 hex digits of sha256(base digest + diff_id)', () => {
    const expected = sha256Digest(d('1') + d('2')).slice('sha256:'.length, 'sha256:'.length + 32);
    expect(deriveTag(d('1'), d('2'))).toBe(`cfg-${expected}`);
    expect(deriveTag(d('1'), d('3'))).not.toBe(deriveTag(d('1'), d('2')));
    expect(deriveTag(d('1'), d('2'))).toMatch(/^cfg-[0-9a-f]{32}$/);
  });
});
