import type { ECRClient } from '@aws-sdk/client-ecr';
import type { EcrTokenSource } from './credentials';

/**
 * `ecr:GetAuthorizationToken` through the AWS SDK's ECR client (the SDK's
 * credential chain: profiles, SSO, roles). The client is loaded on first use:
 * builds to other registries never pay for it.
 *
 * @example
 * const credentials = ecrCredentials({ token: sdkEcrToken() });
 */
export function sdkEcrToken(client?: ECRClient): EcrTokenSource {
  let ecr = client;
  return async (registryId) => {
    const { ECRClient: Client, GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
    ecr ??= new Client({});
    const output = await ecr.send(new GetAuthorizationTokenCommand(registryId === undefined ? {} : { registryIds: [registryId] }));
    const data = output.authorizationData?.[0];
    return data === undefined ? undefined : { ...(data.authorizationToken ? { authorizationToken: data.authorizationToken } : {}), ...(data.expiresAt ? { expiresAt: data.expiresAt } : {}) };
  };
}
