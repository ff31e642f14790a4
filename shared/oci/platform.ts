import type { Descriptor } from './image';
import { InvalidOptionsError } from './errors';
import { classifyManifestMediaType } from './media-types';

/** A platform to build for: `linux/amd64`, `linux/arm64/v8`. */
export interface PlatformSpec {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** The platform built when none is requested. */
export const DEFAULT_PLATFORM: PlatformSpec = Object.freeze({ os: 'linux', architecture: 'amd64' });

/**
 * Parses `os/architecture[/variant]`.
 *
 * @throws InvalidOptionsError for anything else.
 * @example
 * parsePlatform('linux/arm64/v8'); // { os: 'linux', architecture: 'arm64', variant: 'v8' }
 */
export function parsePlatform(text: string): PlatformSpec {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/.test(p))) {
    throw new InvalidOptionsError('platform', `expected "os/architecture[/variant]" such as "linux/amd64", received "${text}"`);
  }
  const [os, architecture, variant] = parts;
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** `os/architecture[/variant]` of a platform. */
export function formatPlatform(platform: PlatformSpec): string {
  return [platform.os, platform.architecture, platform.variant].filter((p) => p !== undefined).join('/');
}

/**
 * Whether an index entry or config platform satisfies a requested one: same
 * os and architecture, and the same variant when one is requested (an arm64
 * entry without a variant counts as `v8`).
 */
export function platformMatches(candidate: PlatformSpec | undefined, wanted: PlatformSpec): boolean {
  if (!candidate || candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  if (wanted.variant === undefined) return true;
  const variant = candidate.variant ?? (candidate.architecture === 'arm64' ? 'v8' : undefined);
  return variant === wanted.variant;
}

/**
 * The image entries of an index that can be built on: an image manifest media
 * type and a real platform. Attestation entries (`unknown/unknown`) and
 * entries without a platform are left out.
 */
export function buildableEntries(manifests: readonly Descriptor[]): Descriptor[] {
  return manifests.filter(
    (entry) =>
      classifyManifestMediaType(entry.mediaType)?.kind === 'image' &&
      entry.platform !== undefined &&
      entry.platform.os !== 'unknown' &&
      entry.platform.architecture !== 'unknown',
  );
}

/** The first buildable entry (in index order) matching the wanted platform, or `undefined`. */
export function selectPlatform(manifests: readonly Descriptor[], wanted: PlatformSpec): Descriptor | undefined {
  return buildableEntries(manifests).find((entry) => platformMatches(entry.platform, wanted));
}
