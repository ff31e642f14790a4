import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { EcrTokenSource } from './credentials';

export { ECRClient };

/**
 * `ecr:GetAuthorizationToken` through the given AWS SDK ECR client, imported by name: a bundle
 * keeps this command only. A Lambda handler imports this module directly; {@link sdkEcrToken}
 * loads it on first use. A bundle with a dynamic `import()` of the SDK (or of a module that
 * imports it) keeps the package's whole namespace instead: every command, paginator, waiter and
 * their schemas, evaluated at load.
 *
 * @example
 * const credentials = ecrCredentials({ token: ecrToken(new ECRClient({})) });
 */
export function ecrToken(client: ECRClient): EcrTokenSource {
  return async (registryId) => {
    const output = await client.send(new GetAuthorizationTokenCommand(registryId === undefined ? {} : { registryIds: [registryId] }));
    const data = output.authorizationData?.[0];
    return data === undefined ? undefined : { ...(data.authorizationToken ? { authorizationToken: data.authorizationToken } : {}), ...(data.expiresAt ? { expiresAt: data.expiresAt } : {}) };
  };
}
