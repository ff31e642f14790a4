import type { BuildRequest, ImageRepository } from '../oci';
import { OciLayoutRepository } from '../oci';
import type { Credentials, EcrTokenSource } from '../oci/registry/credentials';
import { ecrCredentials } from '../oci/registry/credentials';
import { canMount } from '../oci/registry/options';
import type { ImageReference } from '../oci/registry/reference';
import { parseImageReference } from '../oci/registry/reference';
import { createRegistryRepository } from '../oci/registry/registry-repository';
import { PipelineError } from './errors';
import { RegistrySession } from '../oci/registry/session';
import type { FetchFunction } from '../oci/registry/transport';
import { ECR_HOST } from '../oci/registry/ecr-host';

export { ECR_HOST } from '../oci/registry/ecr-host';

/** How to reach the registries named by references. */
export interface EndpointOptions {
  /** Plain HTTP for loopback registries. @default false */
  readonly insecure?: boolean;
  /** Credentials for registries other than ECR. @default anonymous */
  readonly credentials?: Credentials;
  /**
   * How ECR registries' tokens are fetched (`sdkEcrToken()`, or a test's
   * own source). Required to open an ECR registry. @default none
   */
  readonly ecrToken?: EcrTokenSource;
  /** ECR pull-through cache prefixes (e.g. `docker-hub`): blobs there cannot be mounted. @default ['docker-hub'] */
  readonly pullThroughCachePrefixes?: readonly string[];
  /**
   * Further hosts to treat as ECR (token from `GetAuthorizationToken`), such as
   * the local emulator's `127.0.0.1:PORT`. @default none
   */
  readonly ecrHosts?: readonly string[];
  /** A fetch implementation to reach registries with. @default `node:http(s)` */
  readonly fetch?: FetchFunction;
  /** Shares each registry's version check, tokens and credentials between the repositories opened with it. @default none */
  readonly session?: RegistrySession;
}

/** Whether a registry host is ECR: an ECR host name, or one named in `ecrHosts`. */
export function isEcrHost(host: string, options: Pick<EndpointOptions, 'ecrHosts'> = {}): boolean {
  return ECR_HOST.test(host) || (options.ecrHosts ?? []).includes(host.toLowerCase());
}

/** A repository and the reference (tag or digest) that was named with it. */
export interface ResolvedEndpoint {
  readonly reference: ImageReference;
  readonly repository: ImageRepository;
  /** Tag or digest to read, for a base. */
  readonly tagOrDigest: string;
}

/**
 * Opens the repository a reference names: an OCI layout for `oci:DIR`, a
 * registry otherwise, with ECR credentials from `ecrToken` for ECR hosts and
 * the given credentials for any other registry.
 */
export async function openEndpoint(text: string, options: EndpointOptions = {}): Promise<ResolvedEndpoint> {
  const reference = parseImageReference(text);
  if (reference.kind === 'oci-layout') {
    return { reference, repository: await OciLayoutRepository.open(reference.path), tagOrDigest: reference.tag ?? 'latest' };
  }
  const ecr = isEcrHost(reference.host, options);
  if (ecr && options.ecrToken === undefined) {
    throw new PipelineError('ECR_TOKEN_SOURCE_MISSING', `opening ${text}: ${reference.host} is an ECR registry, and no way to fetch its token was given (ecrToken)`, { host: reference.host });
  }
  const credentials = ecr ? ecrCredentials({ token: options.ecrToken! }) : options.credentials;
  const repository = createRegistryRepository({
    host: reference.host,
    repository: reference.repository,
    insecure: options.insecure ?? false,
    ...(credentials ? { credentials } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.session ? { session: options.session } : {}),
    pullThroughCachePrefixes: options.pullThroughCachePrefixes ?? (ecr ? ['docker-hub'] : []),
  });
  return { reference, repository, tagOrDigest: reference.reference };
}

/**
 * The `base`/`target` pair for a build: blobs are mounted when both live in
 * the same registry and the base is not a pull-through cache; otherwise the
 * base layers are copied into the target once. Both share one
 * {@link RegistrySession} (unless one is given): in the same registry, one
 * version check and one ECR authorization token serve the whole build.
 */
export async function openBuildEndpoints(
  baseText: string,
  targetText: string,
  options: EndpointOptions = {},
): Promise<Pick<BuildRequest, 'base' | 'target'> & { targetReference: ImageReference }> {
  const shared = { ...options, session: options.session ?? new RegistrySession() };
  const base = await openEndpoint(baseText, shared);
  const target = await openEndpoint(targetText, shared);
  const mountFrom = mountSource(base.reference, target.reference, options);
  return {
    base: { repository: base.repository, reference: base.tagOrDigest, ...(mountFrom ? { mountFrom } : {}) },
    target: target.repository,
    targetReference: target.reference,
  };
}

function mountSource(base: ImageReference, target: ImageReference, options: EndpointOptions): string | undefined {
  if (base.kind !== 'registry' || target.kind !== 'registry') return undefined;
  const prefixes = options.pullThroughCachePrefixes ?? (isEcrHost(target.host, options) ? ['docker-hub'] : []);
  const possible = canMount({ host: target.host, repository: target.repository, pullThroughCachePrefixes: prefixes }, { host: base.host, repository: base.repository });
  return possible ? base.repository : undefined;
}
