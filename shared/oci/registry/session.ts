import { Authenticator } from './auth';
import type { AuthenticatorOptions } from './auth';

/**
 * What the repositories of one job share per registry: the scheme learnt from `GET /v2/`,
 * Bearer tokens (cached by scope set) and the credentials. A build whose base and target live
 * in the same registry then checks the version once and, on ECR, fetches one authorization
 * token instead of one per repository.
 *
 * The first repository opened for a registry brings the credentials for all of them, so a
 * session is for repositories reached with the same credentials (as `openBuildEndpoints`
 * opens them: by host).
 *
 * @example
 * const session = new RegistrySession();
 * const base = createRegistryRepository({ host, repository: 'wicked/base', session });
 * const target = createRegistryRepository({ host, repository: 'portal-api', session });
 */
export class RegistrySession {
  private readonly authenticators = new Map<string, Authenticator>();

  /** The authenticator of the registry at `options.origin`, created on first use. */
  authenticator(options: AuthenticatorOptions): Authenticator {
    const key = options.origin.toLowerCase();
    let authenticator = this.authenticators.get(key);
    if (authenticator === undefined) {
      authenticator = new Authenticator(options);
      this.authenticators.set(key, authenticator);
    }
    return authenticator;
  }
}
