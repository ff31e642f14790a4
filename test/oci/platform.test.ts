import type { Descriptor } from '../../shared/oci/image';
import { MediaTypes } from '../../shared/oci/media-types';
import { buildableEntries, formatPlatform, parsePlatform, platformMatches, selectPlatform } from '../../shared/oci/platform';

const entry = (hex: string, os: string, architecture: string, variant?: string, mediaType: string = MediaTypes.ociManifest): Descriptor => ({
  mediaType, digest: `sha256:${hex.repeat(64)}`, size: 1, platform: variant ? { os, architecture, variant } : { os, architecture },
});

describe('parsePlatform / formatPlatform', () => {
  it.each([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
  ])('%s', (text, platform) => {
    expect(parsePlatform(text)).toEqual(platform);
    expect(formatPlatform(platform)).toBe(text);
  });

  it.each(['linux', 'linux/', 'a/b/c/d', 'Linux/AMD64', ''])('rejects %j', (text) => {
    expect(() => parsePlatform(text)).toThrow(/expected "os\/architecture\[\/variant\]"/);
  });
});

describe('platformMatches', () => {
  it.each([
    [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64' }, true],
    [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }, false],
    [{ os: 'windows', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64' }, false],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, { os: 'linux', architecture: 'arm' }, true],
    [{ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' }, false],
    [{ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }, true],
    [undefined, { os: 'linux', architecture: 'amd64' }, false],
  ])('%j satisfies %j: %s', (candidate, wanted, expected) => {
    expect(platformMatches(candidate, wanted)).toBe(expected);
  });
});

describe('selectPlatform / buildableEntries', () => {
  const manifests = [
    entry('1', 'unknown', 'unknown'),
    entry('2', 'linux', 'arm', 'v6'),
    entry('3', 'linux', 'arm', 'v7'),
    entry('4', 'linux', 'amd64', undefined, MediaTypes.ociIndex),
    entry('5', 'linux', 'amd64'),
    { mediaType: MediaTypes.ociManifest, digest: `sha256:${'6'.repeat(64)}`, size: 1 },
  ];

  it.each([
    [{ os: 'linux', architecture: 'amd64' }, '5'],
    [{ os: 'linux', architecture: 'arm' }, '2'],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, '3'],
    [{ os: 'linux', architecture: 's390x' }, undefined],
  ])('picks for %j the entry %s', (wanted, hex) => {
    expect(selectPlatform(manifests, wanted)?.digest).toBe(hex ? `sha256:${hex.repeat(64)}` : undefined);
  });

  it('leaves out attestations, nested indexes and entries without a platform', () => {
    expect(buildableEntries(manifests).map((m) => m.digest.slice(-1))).toEqual(['2', '3', '5']);
  });
});
