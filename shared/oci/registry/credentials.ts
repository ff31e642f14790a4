import { RegistryError } from './errors';

/** A user name and password (or token) for HTTP Basic auth and token requests. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** Supplies credentials on demand, e.g. short-lived registry tokens. */
export interface CredentialProvider {
  /** Current credentials; may fetch or refresh them. */
  get(): Promise<BasicCredentials>;
  /** Drops cached credentials after the registry rejected them. */
  invalidate?(): void;
}

/** Static credentials or a provider. */
export type Credentials = BasicCredentials | CredentialProvider;

/** Wraps static credentials in a provider; providers pass through. */
export function toCredentialProvider(credentials: Credentials | undefined): CredentialProvider | undefined {
  if (credentials === undefined) return undefined;
  if ('get' in credentials && typeof credentials.get === 'function') return credentials;
  const { username, password } = credentials as BasicCredentials;
  return { get: async () => ({ username, password }) };
}

/** What `ecr:GetAuthorizationToken` returns for one registry. */
export interface EcrAuthorization {
  /** Base64 of `AWS:<password>`. */
  readonly authorizationToken?: string;
  readonly expiresAt?: Date;
}

/**
 * Calls `ecr:GetAuthorizationToken`, for `registryId`'s registry when one is
 * given; `sdkEcrToken` calls it through the AWS SDK's ECR client (the CLI and
 * the build-image function), tests pass their own.
 */
export type EcrTokenSource = (registryId: string | undefined) => Promise<EcrAuthorization | undefined>;

/** Options of {@link ecrCredentials}. */
export interface EcrCredentialsOptions {
  /** How the token is fetched. */
  readonly token: EcrTokenSource;
  /** Account whose registry the token is for. @default the caller's account */
  readonly registryId?: string;
  /** Refresh this long before the token's `expiresAt`. @default 300000 (5 minutes) */
  readonly refreshMarginMs?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/**
 * Credentials for an ECR registry from `ecr:GetAuthorizationToken`: the
 * base64 `AWS:<password>` token decoded into user and password, cached until
 * `expiresAt` minus a margin. Concurrent callers share one request.
 *
 * @example
 * const repository = createRegistryRepository({
 *   host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
 *   repository: 'portal-api',
 *   credentials: ecrCredentials({ token: sdkEcrToken(new ECRClient({ region: 'eu-west-1' })) }),
 * });
 */
export function ecrCredentials(options: EcrCredentialsOptions): CredentialProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 300_000;
  let cached: { credentials: BasicCredentials; refreshAt: number } | undefined;
  let pending: Promise<BasicCredentials> | undefined;

  const fetchToken = async (): Promise<BasicCredentials> => {
    let data: EcrAuthorization | undefined;
    try {
      data = await options.token(options.registryId);
    } catch (error) {
      throw new RegistryError(`ecr:GetAuthorizationToken failed: ${(error as Error).message}`, { code: 'ECR_TOKEN_FAILED', cause: error });
    }
    const credentials = decodeEcrToken(data?.authorizationToken);
    const expiresAt = data?.expiresAt?.getTime();
    cached = expiresAt === undefined ? undefined : { credentials, refreshAt: expiresAt - margin };
    return credentials;
  };

  return {
    get: async () => {
      if (cached && now() < cached.refreshAt) return cached.credentials;
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate: () => {
      cached = undefined;
    },
  };
}

/**
 * Decodes an ECR authorization token (base64 of `AWS:<password>`).
 *
 * @throws {RegistryError} code `ECR_TOKEN_FAILED` when the token is missing or malformed.
 */
export function decodeEcrToken(token: string | undefined): BasicCredentials {
  if (!token) throw new RegistryError('ecr:GetAuthorizationToken returned no authorizationToken', { code: 'ECR_TOKEN_FAILED' });
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) {
    throw new RegistryError(`ecr:GetAuthorizationToken returned a token that does not decode to USER:PASSWORD (${decoded.length} characters, ${colon < 0 ? 'no colon' : 'empty part'})`, {
      code: 'ECR_TOKEN_FAILED',
    });
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
