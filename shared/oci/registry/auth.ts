import { parseWwwAuthenticate } from './challenge';
import type { AuthChallenge } from './challenge';
import type { CredentialProvider } from './credentials';
import { RegistryError } from './errors';
import { networkError, responseError } from './failures';
import type { OperationContext } from './failures';
import { checkUrlSecurity } from './security';
import type { HttpResponse, HttpTransport } from './transport';

/** How the registry wants to be authenticated, learnt from its challenge. */
export type AuthScheme =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'basic' }
  | { readonly kind: 'bearer'; readonly realm: string; readonly service: string | undefined };

/** Tokens are renewed this long before they expire. */
const TOKEN_EXPIRY_MARGIN_MS = 10_000;
/** The distribution token spec: when `expires_in` is missing or smaller, assume 60 s. */
const MIN_TOKEN_LIFETIME_S = 60;

/**
 * Picks the scheme to use from a registry's challenges: Bearer (with a realm)
 * before Basic; `undefined` when neither is offered.
 */
export function schemeFromChallenges(challenges: readonly AuthChallenge[]): AuthScheme | undefined {
  const bearer = challenges.find((challenge) => challenge.scheme === 'bearer' && challenge.params.realm);
  if (bearer) return { kind: 'bearer', realm: bearer.params.realm as string, service: bearer.params.service };
  if (challenges.some((challenge) => challenge.scheme === 'basic')) return { kind: 'basic' };
  return undefined;
}

/** Settings of an {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** Registry origin, e.g. `https://r.example` or `http://127.0.0.1:5000`. */
  readonly origin: string;
  readonly insecure: boolean;
  readonly credentials: CredentialProvider | undefined;
  readonly transport: HttpTransport;
  readonly userAgent: string;
  readonly now: () => number;
}

/**
 * Produces the `Authorization` header for registry requests: pings `/v2/`
 * once to learn the scheme, sends Basic credentials or fetches Bearer tokens
 * from the challenge's realm (with Basic credentials when given), and caches
 * tokens per scope set until shortly before they expire.
 */
export class Authenticator {
  private scheme: AuthScheme | undefined;
  private ping: Promise<AuthScheme> | undefined;
  private readonly tokens = new Map<string, { token: string; refreshAt: number }>();
  private readonly pendingTokens = new Map<string, Promise<string>>();

  constructor(private readonly options: AuthenticatorOptions) {}

  /** The header value for a request needing `scopes`, or `undefined` for anonymous access. */
  async authorize(scopes: readonly string[], context: OperationContext): Promise<string | undefined> {
    const scheme = this.scheme ?? (await this.negotiate(context));
    if (scheme.kind === 'anonymous') return undefined;
    if (scheme.kind === 'bearer') return `Bearer ${await this.token(scheme, scopes, context)}`;
    if (!this.options.credentials) return undefined; // the registry's 401 then says what is missing
    const { username, password } = await this.options.credentials.get();
    return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }

  /**
   * Handles a 401 from the registry: learns the (possibly new) challenge and
   * drops cached tokens and credentials. Returns true when one more attempt
   * with fresh authorization may succeed.
   */
  unauthorized(wwwAuthenticate: string | null, scopes: readonly string[], sentAuthorization: boolean): boolean {
    const next = schemeFromChallenges(parseWwwAuthenticate(wwwAuthenticate ?? ''));
    if (!next) return false;
    const changed = this.scheme?.kind !== next.kind;
    this.scheme = next;
    if (next.kind === 'bearer') this.tokens.delete(tokenKey(next, scopes));
    if (sentAuthorization) this.options.credentials?.invalidate?.();
    return changed || sentAuthorization;
  }

  private negotiate(context: OperationContext): Promise<AuthScheme> {
    this.ping ??= this.pingRegistry(context).then(
      (scheme) => (this.scheme = scheme),
      (error: unknown) => {
        this.ping = undefined; // let the next attempt ping again
        throw error;
      },
    );
    return this.ping;
  }

  private async pingRegistry(context: OperationContext): Promise<AuthScheme> {
    const url = new URL('/v2/', this.options.origin);
    let response: HttpResponse;
    try {
      response = await this.options.transport(url, { method: 'GET', headers: { 'user-agent': this.options.userAgent } });
    } catch (error) {
      throw networkError(error, context, 'GET', url);
    }
    if (response.status === 200) {
      await response.discard();
      return { kind: 'anonymous' };
    }
    if (response.status === 401) {
      const scheme = schemeFromChallenges(parseWwwAuthenticate(response.headers.get('www-authenticate') ?? ''));
      await response.discard();
      if (scheme) return scheme;
      throw new RegistryError(`GET /v2/ answered 401 with WWW-Authenticate ${JSON.stringify(response.headers.get('www-authenticate'))}, expected a Basic or Bearer challenge`, {
        code: 'UNAUTHORIZED',
        ...context,
        status: 401,
      });
    }
    throw await responseError('GET', url, response, context, '200 or 401 from the registry version check');
  }

  private async token(scheme: Extract<AuthScheme, { kind: 'bearer' }>, scopes: readonly string[], context: OperationContext): Promise<string> {
    const key = tokenKey(scheme, scopes);
    const cached = this.tokens.get(key);
    if (cached && this.options.now() < cached.refreshAt) return cached.token;
    let pending = this.pendingTokens.get(key);
    if (!pending) {
      pending = this.requestToken(scheme, scopes, context).finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    return pending;
  }

  private async requestToken(scheme: Extract<AuthScheme, { kind: 'bearer' }>, scopes: readonly string[], context: OperationContext): Promise<string> {
    const url = tokenUrl(scheme, scopes);
    checkUrlSecurity(url, this.options.insecure, 'token realm');
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, accept: 'application/json' };
    if (this.options.credentials) {
      const { username, password } = await this.options.credentials.get();
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    }
    let response: HttpResponse;
    try {
      response = await this.options.transport(url, { method: 'GET', headers });
    } catch (error) {
      throw networkError(error, context, 'GET', url);
    }
    if (response.status !== 200) throw await responseError('GET', url, response, context, '200 with a token from the token server');
    const obtainedAt = this.options.now();
    const { token, expiresInS } = parseTokenResponse(await response.text(), context);
    const lifetimeMs = Math.max(expiresInS ?? MIN_TOKEN_LIFETIME_S, MIN_TOKEN_LIFETIME_S) * 1000;
    this.tokens.set(tokenKey(scheme, scopes), { token, refreshAt: obtainedAt + lifetimeMs - TOKEN_EXPIRY_MARGIN_MS });
    return token;
  }
}

function tokenKey(scheme: Extract<AuthScheme, { kind: 'bearer' }>, scopes: readonly string[]): string {
  return [scheme.realm, scheme.service ?? '', ...[...scopes].sort()].join(' ');
}

function tokenUrl(scheme: Extract<AuthScheme, { kind: 'bearer' }>, scopes: readonly string[]): URL {
  const url = new URL(scheme.realm);
  if (scheme.service !== undefined) url.searchParams.set('service', scheme.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  return url;
}

/**
 * Reads a token server's answer: `token` (or OAuth2's `access_token`) and the
 * optional `expires_in` in seconds.
 *
 * @throws {RegistryError} code `TOKEN_REQUEST_FAILED` when no token is present.
 */
export function parseTokenResponse(text: string, context?: OperationContext): { token: string; expiresInS: number | undefined } {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // reported below as a missing token
  }
  const token = typeof body.token === 'string' && body.token ? body.token : typeof body.access_token === 'string' ? body.access_token : '';
  if (!token) {
    throw new RegistryError(`token server answered without a token, expected JSON with "token" or "access_token" (received ${text.length} bytes)`, {
      code: 'TOKEN_REQUEST_FAILED',
      ...context,
    });
  }
  const expiresIn = body.expires_in;
  return { token, expiresInS: typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined };
}
