import type { Readable } from 'node:stream';
import type { Authenticator } from './auth';
import { RegistryError } from './errors';
import { networkError } from './failures';
import type { OperationContext } from './failures';
import { checkUrlSecurity } from './security';
import type { HttpResponse, HttpTransport } from './transport';

/** One logical request to the registry (redirects and re-authentication happen inside). */
export interface RegistryRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** Absolute URL, or a path such as `/v2/portal-api/blobs/sha256:…` resolved against the registry origin. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Opens the body; called again for every attempt and every body-keeping redirect. */
  readonly body?: () => Readable | Buffer;
  /** Token scopes this request needs, e.g. `repository:portal-api:pull,push`. */
  readonly scopes: readonly string[];
}

/** The final response and the URL that produced it. */
export interface RegistryResponse {
  readonly response: HttpResponse;
  readonly url: URL;
}

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Settings of {@link RegistryHttp}. */
export interface RegistryHttpOptions {
  readonly origin: string;
  readonly insecure: boolean;
  readonly transport: HttpTransport;
  readonly userAgent: string;
  readonly auth: Authenticator;
}

/**
 * Sends requests to one registry. Redirects are followed by hand so that the
 * `Authorization` header only ever goes to the registry's own origin (ECR
 * serves blobs through presigned S3 redirects, which must not see it), and
 * each redirect target passes the plain-HTTP rules. A 401 from the registry
 * triggers one re-authentication.
 */
export class RegistryHttp {
  constructor(private readonly options: RegistryHttpOptions) {}

  /** Registry origin, e.g. `https://r.example`. */
  get origin(): string {
    return this.options.origin;
  }

  /** Sends `request` and resolves the final response, whatever its status. */
  async send(request: RegistryRequest, context: OperationContext): Promise<RegistryResponse> {
    for (let reauthenticated = false; ; reauthenticated = true) {
      const authorization = await this.options.auth.authorize(request.scopes, context);
      const result = await this.follow(request, authorization, context);
      const fromRegistry = result.url.origin === this.options.origin;
      if (result.response.status !== 401 || !fromRegistry || reauthenticated) return result;
      const header = result.response.headers.get('www-authenticate');
      if (!this.options.auth.unauthorized(header, request.scopes, authorization !== undefined)) return result;
      await result.response.discard();
    }
  }

  private async follow(request: RegistryRequest, authorization: string | undefined, context: OperationContext): Promise<RegistryResponse> {
    let url = new URL(request.url, this.options.origin);
    let method: string = request.method;
    let keepBody = true;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const sameOrigin = url.origin === this.options.origin;
      if (!sameOrigin) checkUrlSecurity(url, this.options.insecure, 'redirect target');
      const headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...request.headers };
      if (!keepBody) deleteBodyHeaders(headers);
      if (sameOrigin && authorization !== undefined) headers.authorization = authorization;
      const response = await this.fetchOnce(url, method, headers, keepBody ? request.body : undefined, context);
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null) return { response, url };
      await response.discard();
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        keepBody = false;
      }
      url = new URL(location, url);
    }
    throw new RegistryError(`${request.method} ${request.url} was redirected more than ${MAX_REDIRECTS} times`, { code: 'TOO_MANY_REDIRECTS', ...context });
  }

  private async fetchOnce(url: URL, method: string, headers: Record<string, string>, body: RegistryRequest['body'], context: OperationContext): Promise<HttpResponse> {
    try {
      return await this.options.transport(url, { method, headers, body: body?.() });
    } catch (error) {
      throw networkError(error, context, method, url);
    }
  }
}

function deleteBodyHeaders(headers: Record<string, string>): void {
  for (const name of Object.keys(headers)) {
    if (/^content-(length|type)$/i.test(name)) delete headers[name];
  }
}
