import type { ECRClient } from '@aws-sdk/client-ecr';
import type { EcrTokenSource } from './credentials';

/**
 * `ecr:GetAuthorizationToken` through the AWS SDK's ECR client (the SDK's
 * credential chain: profiles, SSO, roles). The client is loaded on first use:
 * builds to other registries never pay for it. For the CLI and tests, which run
 * unbundled; a bundled Lambda handler uses {@link ecrToken} (see there why).
 *
 * @example
 * const credentials = ecrCredentials({ token: sdkEcrToken() });
 */
export function sdkEcrToken(client?: ECRClient): EcrTokenSource {
  let source: EcrTokenSource | undefined;
  return async (registryId) => {
    if (source === undefined) {
      const { ecrToken, ECRClient: Client } = await import('./ecr-token');
      source = ecrToken(client ?? new Client({}));
    }
    return source(registryId);
  };
}
