import { randomBytes } from 'node:crypto';

/** The only user name ECR accepts with an authorization token's password. */
export const ECR_USER = 'AWS';
/** ECR authorization tokens are valid for 12 hours (API reference: GetAuthorizationToken). */
export const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** The outcome of checking a request's `Authorization` header. */
export type AuthDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'wrong-user' | 'unknown-token' | 'expired' };

/** Decodes `Basic base64(user:password)`; `undefined` when the header is not that. */
export function parseBasicAuthorization(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Whether a request may use the registry: Basic credentials `AWS:<password>`
 * where the password is a token issued by GetAuthorizationToken that has not
 * expired at `now` (`tokens` maps password → expiry in epoch ms).
 */
export function decideAuth(header: string | undefined, tokens: ReadonlyMap<string, number>, now: number): AuthDecision {
  if (!header) return { ok: false, reason: 'missing' };
  const credentials = parseBasicAuthorization(header);
  if (!credentials) return { ok: false, reason: 'malformed' };
  if (credentials.username !== ECR_USER) return { ok: false, reason: 'wrong-user' };
  const expiresAt = tokens.get(credentials.password);
  if (expiresAt === undefined) return { ok: false, reason: 'unknown-token' };
  return now < expiresAt ? { ok: true } : { ok: false, reason: 'expired' };
}

/** A registry password as GetAuthorizationToken hands it out. */
export interface IssuedToken {
  readonly username: typeof ECR_USER;
  readonly password: string;
  /** base64 of `AWS:<password>`, the `authorizationToken` field. */
  readonly authorizationToken: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** The tokens this emulator has issued (in memory: a restart asks clients to log in again, as an expiry would). */
export class TokenBook {
  private readonly tokens = new Map<string, number>();

  constructor(private readonly lifetimeMs: number = TOKEN_LIFETIME_MS) {}

  /** Issues a new token valid for the lifetime from `now`. */
  issue(now: number): IssuedToken {
    const password = randomBytes(24).toString('base64url');
    const expiresAt = now + this.lifetimeMs;
    this.tokens.set(password, expiresAt);
    for (const [known, expiry] of this.tokens) if (expiry <= now) this.tokens.delete(known);
    return { username: ECR_USER, password, authorizationToken: Buffer.from(`${ECR_USER}:${password}`).toString('base64'), expiresAt };
  }

  /** {@link decideAuth} against the issued tokens. */
  check(header: string | undefined, now: number): AuthDecision {
    return decideAuth(header, this.tokens, now);
  }
}
