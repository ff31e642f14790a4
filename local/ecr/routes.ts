/**
 * Pure parsing of OCI distribution endpoint paths and of the names they
 * carry (distribution-spec v1.1, "Endpoints" and "Pulling manifests").
 */

/** One endpoint of the distribution API, with the names it was called with. */
export type OciRoute =
  | { readonly kind: 'base' }
  | { readonly kind: 'tags'; readonly name: string }
  | { readonly kind: 'manifest'; readonly name: string; readonly reference: string }
  | { readonly kind: 'blob'; readonly name: string; readonly digest: string }
  | { readonly kind: 'uploads'; readonly name: string }
  | { readonly kind: 'upload'; readonly name: string; readonly uuid: string };

const ROUTE = /^\/v2\/(.+?)\/(?:(tags\/list)|manifests\/([^/]+)|blobs\/uploads\/?([^/]*)|blobs\/([^/]+))$/;
const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

/**
 * The route a request path names, or `undefined` for a path outside the API.
 * Repository names may contain `/`, so the shortest name that leaves a known
 * endpoint suffix wins. Names are returned as written; check them with
 * {@link isRepositoryName}.
 *
 * @example
 * parseOciPath('/v2/team/portal-api/manifests/cfg-1'); // { kind: 'manifest', name: 'team/portal-api', reference: 'cfg-1' }
 */
export function parseOciPath(pathname: string): OciRoute | undefined {
  if (pathname === '/v2' || pathname === '/v2/') return { kind: 'base' };
  const match = ROUTE.exec(pathname);
  if (!match) return undefined;
  const name = decodeURIComponent(match[1] as string);
  const [, , tags, reference, uuid, digest] = match;
  if (tags !== undefined) return { kind: 'tags', name };
  if (reference !== undefined) return { kind: 'manifest', name, reference: decodeURIComponent(reference) };
  if (uuid !== undefined) return uuid === '' ? { kind: 'uploads', name } : { kind: 'upload', name, uuid };
  return { kind: 'blob', name, digest: decodeURIComponent(digest as string) };
}

/** Repository name grammar of the distribution spec (and ECR's 2–256 characters). */
export function isRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && name.split('/').every((component) => NAME_COMPONENT.test(component));
}

/** Tag grammar: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`. */
export function isTag(reference: string): boolean {
  return TAG.test(reference);
}

/** A sha256 digest, the only algorithm the emulator stores. */
export function isSha256Digest(reference: string): boolean {
  return SHA256.test(reference);
}
