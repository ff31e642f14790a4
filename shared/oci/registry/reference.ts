import { ImageReferenceError } from './errors';

/** The Docker Hub name as written in references; its API is served by {@link DOCKER_HUB_HOST}. */
export const DOCKER_HUB_REGISTRY = 'docker.io';
/** The host that serves Docker Hub's distribution API. */
export const DOCKER_HUB_HOST = 'registry-1.docker.io';

/** An image in a registry: `HOST[:PORT]/REPO[:TAG][@DIGEST]`. */
export interface RegistryImageReference {
  readonly kind: 'registry';
  /** Registry as written, normalised (`docker.io` for Docker Hub short names). */
  readonly registry: string;
  /** Host (and port) that serves the distribution API, e.g. `registry-1.docker.io` or `127.0.0.1:5000`. */
  readonly host: string;
  /** Repository path, e.g. `library/alpine` or `portal-api`. */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
  /** What to ask the manifests endpoint for: the digest, else the tag, else `latest`. */
  readonly reference: string;
}

/** An OCI image layout directory: `oci:DIR[:TAG]`. */
export interface OciLayoutReference {
  readonly kind: 'oci-layout';
  /** Directory of the layout, as written. */
  readonly path: string;
  /** `org.opencontainers.image.ref.name` to select, when given. */
  readonly tag: string | undefined;
}

/** A parsed image reference: a registry image or an OCI layout directory. */
export type ImageReference = RegistryImageReference | OciLayoutReference;

const MAX_NAME_LENGTH = 255;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/**
 * Parses an image reference. `oci:` always selects an OCI layout directory
 * (split at the first `:` after the prefix, as skopeo does). Everything else
 * follows the Docker reference grammar: the first path component is a
 * registry host when it contains `.` or `:`, is `localhost`, or has
 * upper-case letters; otherwise the image is on Docker Hub and a single
 * component gets the `library/` prefix.
 *
 * @throws {ImageReferenceError} when the text is not a valid reference.
 * @example
 * parseImageReference('127.0.0.1:5000/portal-api:cfg-1a2b');
 * // { kind: 'registry', host: '127.0.0.1:5000', repository: 'portal-api', tag: 'cfg-1a2b', ... }
 * parseImageReference('haufelexware/wicked.api:1.0.0').host; // 'registry-1.docker.io'
 * parseImageReference('oci:/tmp/out:latest'); // { kind: 'oci-layout', path: '/tmp/out', tag: 'latest' }
 */
export function parseImageReference(text: string): ImageReference {
  if (text.startsWith('oci:')) return parseOciLayout(text);
  return parseRegistryReference(text);
}

/**
 * Parses a reference that must name a registry image (not `oci:`).
 *
 * @throws {ImageReferenceError} when the text is invalid or is an OCI layout reference.
 */
export function parseRegistryReference(text: string): RegistryImageReference {
  if (text.startsWith('oci:')) throw new ImageReferenceError(text, 'expected a registry image, received an OCI layout reference');
  if (text.length === 0) throw new ImageReferenceError(text, 'expected HOST[:PORT]/REPO[:TAG][@DIGEST], received an empty string');
  const [rest, digest] = splitDigest(text);
  const [name, tag] = splitTag(text, rest);
  const { registry, path } = splitDomain(text, name);
  const repository = registry === DOCKER_HUB_REGISTRY && !path.includes('/') ? `library/${path}` : path;
  checkRepository(text, repository, registry);
  return {
    kind: 'registry',
    registry,
    host: registry === DOCKER_HUB_REGISTRY ? DOCKER_HUB_HOST : registry,
    repository,
    tag,
    digest,
    reference: digest ?? tag ?? 'latest',
  };
}

function parseOciLayout(text: string): OciLayoutReference {
  const body = text.slice('oci:'.length);
  const colon = body.indexOf(':');
  const path = colon === -1 ? body : body.slice(0, colon);
  const tag = colon === -1 ? undefined : body.slice(colon + 1);
  if (path.length === 0) throw new ImageReferenceError(text, 'expected oci:DIR[:TAG], received an empty directory');
  if (tag !== undefined && !/^[\x21-\x7e]+$/.test(tag)) {
    throw new ImageReferenceError(text, `expected a non-empty printable ASCII tag after the directory, received ${JSON.stringify(tag)}`);
  }
  return { kind: 'oci-layout', path, tag };
}

function splitDigest(text: string): [string, string | undefined] {
  const at = text.indexOf('@');
  if (at === -1) return [text, undefined];
  const digest = text.slice(at + 1);
  if (!DIGEST.test(digest)) {
    throw new ImageReferenceError(text, `expected a digest sha256:<64 hex> or sha512:<128 hex> after @, received ${JSON.stringify(digest)}`);
  }
  return [text.slice(0, at), digest];
}

function splitTag(text: string, rest: string): [string, string | undefined] {
  const colon = rest.lastIndexOf(':');
  // A colon before the last slash belongs to HOST:PORT, not to a tag.
  if (colon === -1 || colon < rest.lastIndexOf('/')) return [rest, undefined];
  const tag = rest.slice(colon + 1);
  if (!TAG.test(tag)) throw new ImageReferenceError(text, `expected a tag of [A-Za-z0-9_.-] (at most 128, not starting with . or -), received ${JSON.stringify(tag)}`);
  return [rest.slice(0, colon), tag];
}

function splitDomain(text: string, name: string): { registry: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isDomain = first !== '' && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  if (!isDomain) return { registry: DOCKER_HUB_REGISTRY, path: name };
  if (!DOMAIN.test(first)) throw new ImageReferenceError(text, `expected a registry host[:port], received ${JSON.stringify(first)}`);
  const registry = first === 'index.docker.io' ? DOCKER_HUB_REGISTRY : first;
  return { registry, path: name.slice(slash + 1) };
}

function checkRepository(text: string, repository: string, registry: string): void {
  if (repository.length === 0) throw new ImageReferenceError(text, 'expected a repository name, received none');
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw new ImageReferenceError(text, `expected a name of at most ${MAX_NAME_LENGTH} characters`);
  }
  for (const component of repository.split('/')) {
    if (!COMPONENT.test(component)) {
      throw new ImageReferenceError(
        text,
        `expected repository path components of lower-case letters and digits joined by '.', '_', '__' or '-', received ${JSON.stringify(component)}`,
      );
    }
  }
}

/**
 * Formats a reference back to text (`HOST/REPO[:TAG][@DIGEST]`, or `oci:DIR[:TAG]`).
 * Docker Hub images keep their normalised `docker.io/...` form.
 */
export function formatImageReference(reference: ImageReference): string {
  if (reference.kind === 'oci-layout') return `oci:${reference.path}${reference.tag === undefined ? '' : `:${reference.tag}`}`;
  const tag = reference.tag === undefined ? '' : `:${reference.tag}`;
  const digest = reference.digest === undefined ? '' : `@${reference.digest}`;
  return `${reference.registry}/${reference.repository}${tag}${digest}`;
}

/** True when a manifest reference (the part after `:` or `@`) is a digest rather than a tag. */
export function isDigest(reference: string): boolean {
  return DIGEST.test(reference);
}

/** True when `name` is a valid repository path (`portal-api`, `team/portal-api`). */
export function isValidRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && name.split('/').every((component) => COMPONENT.test(component));
}
