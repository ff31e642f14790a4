import type { FromEnvInit } from '@aws-sdk/credential-provider-env';
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** What the SDK clients expect of a credentials provider. */
export type CredentialsProvider = ReturnType<typeof fromEnv>;

/** The variables the provider reads; Lambda sets them from the execution role. */
export const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

/** Raised when the environment holds no credentials: not retryable, the function's configuration is wrong. */
export class MissingEnvironmentCredentialsError extends Error {
  readonly code = 'CREDENTIALS_NOT_IN_ENVIRONMENT';
  readonly retryable = false;
  constructor(readonly missing: readonly string[], options?: { cause?: unknown }) {
    super(`reading AWS credentials from the environment: expected ${CREDENTIAL_VARIABLES.join(' and ')} (and AWS_SESSION_TOKEN for a role), received no ${missing.join(', no ')}; this bundle reads credentials from the environment only, as Lambda provides them`, options);
    this.name = 'MissingEnvironmentCredentialsError';
  }
}

/**
 * Stands in for `@aws-sdk/credential-provider-node`'s `defaultProvider` in the
 * Lambda bundles that carry the AWS SDK (esbuild alias, see
 * `infra/constructs/control-plane-function.ts`): same call shape (the client's
 * configuration in, a credentials provider out), environment variables only.
 * Lambda always puts the execution role's credentials there, so the default
 * chain's SSO, INI, process, web-identity and container providers, with the
 * nested clients they bring, are never needed.
 *
 * @example
 * const provider = defaultProvider({ logger: console });
 * const { accessKeyId } = await provider(); // process.env.AWS_ACCESS_KEY_ID
 */
export function defaultProvider(init: FromEnvInit = {}): CredentialsProvider {
  const fromEnvironment = fromEnv(init);
  return async (properties) => {
    try {
      return await fromEnvironment(properties);
    } catch (error) {
      const missing = CREDENTIAL_VARIABLES.filter((name) => !process.env[name]);
      throw missing.length > 0 ? new MissingEnvironmentCredentialsError(missing, { cause: error }) : error;
    }
  };
}
