import { toCredentialProvider } from './credentials';
import type { CredentialProvider, Credentials } from './credentials';
import { RegistryOptionsError } from './errors';
import { isValidRepositoryName } from './reference';
import { resolveRetryPolicy } from './retry';
import type { RetryPolicy, RetryRuntime } from './retry';
import { SYSTEM_RETRY_RUNTIME } from './retry';
import { registryOrigin } from './security';
import { RegistrySession } from './session';
import { fetchTransport, nodeTransport } from './transport';
import type { FetchFunction, HttpTransport } from './transport';

/** Options of {@link createRegistryRepository}. */
export interface RegistryRepositoryOptions {
  /** Registry `HOST[:PORT]`, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com` or `127.0.0.1:5000`. */
  readonly host: string;
  /** Repository path, e.g. `portal-api`. */
  readonly repository: string;
  /** Talk plain HTTP; only allowed for loopback hosts. @default false */
  readonly insecure?: boolean;
  /** Static credentials or a provider such as `ecrCredentials()`. @default anonymous */
  readonly credentials?: Credentials;
  /** A fetch implementation to send requests with. @default `node:http(s)` ({@link nodeTransport}) */
  readonly fetch?: FetchFunction;
  /** Retry bounds. @default DEFAULT_RETRY_POLICY */
  readonly retry?: Partial<RetryPolicy>;
  /** User-Agent header. @default 'wicked-control-plane' */
  readonly userAgent?: string;
  /** This repository is served by a pull-through cache rule: blobs cannot be mounted from it. @default false */
  readonly pullThroughCache?: boolean;
  /** Repository prefixes of this registry that are pull-through caches (ECR rule prefixes). @default [] */
  readonly pullThroughCachePrefixes?: readonly string[];
  /** Clock, randomness and sleep, for tests. @default the system ones */
  readonly runtime?: Partial<RetryRuntime>;
  /** Shares the version check, tokens and credentials with the session's other repositories of this registry. @default none */
  readonly session?: RegistrySession;
}

/** {@link RegistryRepositoryOptions} checked and with defaults filled in. */
export interface ResolvedRepositoryOptions {
  readonly host: string;
  readonly repository: string;
  readonly origin: string;
  readonly insecure: boolean;
  readonly credentials: CredentialProvider | undefined;
  readonly transport: HttpTransport;
  readonly retry: RetryPolicy;
  readonly userAgent: string;
  readonly pullThroughCache: boolean;
  readonly pullThroughCachePrefixes: readonly string[];
  readonly runtime: RetryRuntime;
  readonly session: RegistrySession | undefined;
}

const KNOWN_KEYS = new Set([
  'host', 'repository', 'insecure', 'credentials', 'fetch', 'retry', 'userAgent', 'pullThroughCache', 'pullThroughCachePrefixes', 'runtime', 'session',
]);

/**
 * Checks options at the boundary: unknown keys, a malformed host or
 * repository, and plain HTTP to a non-loopback host are refused.
 */
export function resolveRepositoryOptions(options: RegistryRepositoryOptions): ResolvedRepositoryOptions {
  const unknown = Object.keys(options).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) throw new RegistryOptionsError(`unknown option(s) ${unknown.join(', ')}; expected only ${[...KNOWN_KEYS].join(', ')}`);
  if (typeof options.repository !== 'string' || !isValidRepositoryName(options.repository)) {
    throw new RegistryOptionsError(`repository must be a path of lower-case components such as "portal-api", received ${JSON.stringify(options.repository)}`);
  }
  const prefixes = (options.pullThroughCachePrefixes ?? []).map((prefix) => prefix.replace(/\/+$/, ''));
  if (prefixes.some((prefix) => !isValidRepositoryName(prefix))) {
    throw new RegistryOptionsError(`pullThroughCachePrefixes must be repository paths, received ${JSON.stringify(options.pullThroughCachePrefixes)}`);
  }
  if (options.session !== undefined && !(options.session instanceof RegistrySession)) {
    throw new RegistryOptionsError('session must be a RegistrySession');
  }
  const insecure = options.insecure ?? false;
  return {
    host: String(options.host).toLowerCase(),
    repository: options.repository,
    origin: registryOrigin(String(options.host), insecure),
    insecure,
    credentials: toCredentialProvider(options.credentials),
    transport: options.fetch ? fetchTransport(options.fetch) : nodeTransport,
    retry: resolveRetryPolicy(options.retry),
    userAgent: options.userAgent ?? 'wicked-control-plane',
    pullThroughCache: options.pullThroughCache ?? false,
    pullThroughCachePrefixes: prefixes,
    runtime: { ...SYSTEM_RETRY_RUNTIME, ...options.runtime },
    session: options.session,
  };
}

/** A repository blobs might be mounted from. */
export interface MountSource {
  /** Registry `HOST[:PORT]`. */
  readonly host: string;
  readonly repository: string;
  /** The source is served by a pull-through cache rule. @default false */
  readonly pullThroughCache?: boolean;
}

/**
 * Whether a cross-repository mount into `target` can work from `source`: same
 * registry host, a different repository, and the source is not a
 * pull-through cache (ECR cannot mount blobs out of pull-through-cache
 * repositories), neither by its own flag nor by one of the target registry's
 * pull-through-cache prefixes.
 */
export function canMount(
  target: { readonly host: string; readonly repository: string; readonly pullThroughCachePrefixes: readonly string[] },
  source: MountSource,
): boolean {
  if (source.host.toLowerCase() !== target.host.toLowerCase()) return false;
  if (source.repository === target.repository || source.pullThroughCache === true) return false;
  return !underPrefix(source.repository, target.pullThroughCachePrefixes);
}

/** True when `repository` is one of `prefixes` or lies below one of them. */
export function underPrefix(repository: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => repository === prefix || repository.startsWith(`${prefix}/`));
}
