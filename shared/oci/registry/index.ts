/**
 * OCI distribution registry client: an {@link ImageRepository} over HTTP with
 * Basic/Bearer/ECR auth, retries, redirect-safe authorization and image
 * reference parsing.
 */
export type { ImageRepository, FetchedManifest } from '../repository';
export { createRegistryRepository, RegistryRepository } from './registry-repository';
import type { RegistryRepository } from './registry-repository';
/** The registry client: the same object as {@link RegistryRepository}, under the name the issue uses. */
export type RegistryClient = RegistryRepository;
export { canMount, resolveRepositoryOptions } from './options';
export { RegistrySession } from './session';
export type { MountSource, RegistryRepositoryOptions, ResolvedRepositoryOptions } from './options';
export { ecrCredentials, decodeEcrToken, toCredentialProvider } from './credentials';
export type { BasicCredentials, CredentialProvider, Credentials, EcrAuthorization, EcrCredentialsOptions, EcrTokenSource } from './credentials';
export { sdkEcrToken } from './ecr-sdk-token';
export { ecrToken } from './ecr-token';
export { parseImageReference, parseRegistryReference, formatImageReference, isDigest, isValidRepositoryName, DOCKER_HUB_HOST, DOCKER_HUB_REGISTRY } from './reference';
export type { ImageReference, OciLayoutReference, RegistryImageReference } from './reference';
export { parseWwwAuthenticate, repositoryScope } from './challenge';
export type { AuthChallenge } from './challenge';
export { schemeFromChallenges, parseTokenResponse } from './auth';
export type { AuthScheme } from './auth';
export { createNodeTransport, DEFAULT_IDLE_TIMEOUT_MS, fetchTransport, nodeTransport } from './transport';
export type { FetchFunction, HttpHeaders, HttpRequestInit, HttpResponse, HttpTransport } from './transport';
export { decideRetry, isRetryableFailure, parseRetryAfter, resolveRetryPolicy, withRetry, DEFAULT_RETRY_POLICY, SYSTEM_RETRY_RUNTIME } from './retry';
export type { FailureFacts, RetryDecision, RetryPolicy, RetryRuntime } from './retry';
export { isLoopbackHost, registryOrigin } from './security';
export { parseErrorBody, isImmutableTagRejection } from './error-body';
export type { RegistryErrorEntry } from './error-body';
export { OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, MANIFEST_MEDIA_TYPES, sha256Digest } from './media-types';
export {
  RegistryError,
  ImageReferenceError,
  RegistryOptionsError,
  InsecureRegistryError,
  DigestMismatchError,
  ImmutableTagError,
} from './errors';
export type { ClientErrorCode, RegistryErrorContext } from './errors';
