import type { EcrTokenSource } from '../oci/registry/credentials';
import type { AwsHttpClient } from './client';
import { AwsHttpError } from './errors';

/** The part of GetAuthorizationToken's answer that is read (awsJson: `expiresAt` in epoch seconds). */
interface GetAuthorizationTokenOutput {
  readonly authorizationData?: readonly { readonly authorizationToken?: string; readonly expiresAt?: number }[];
}

/**
 * `ecr:GetAuthorizationToken` over the lean client, for the build-image function.
 *
 * @example
 * const credentials = ecrCredentials({ token: httpEcrToken(new AwsHttpClient({ service: 'ecr', credentials })) });
 */
export function httpEcrToken(client: AwsHttpClient): EcrTokenSource {
  if (client.service !== 'ecr') throw new TypeError(`httpEcrToken needs an ecr client, got ${client.service}`);
  return async (registryId) => {
    const output = await client.callJson<GetAuthorizationTokenOutput>('GetAuthorizationToken', registryId === undefined ? {} : { registryIds: [registryId] });
    const data = output.authorizationData?.[0];
    if (data === undefined) return undefined;
    if (data.expiresAt !== undefined && typeof data.expiresAt !== 'number') {
      throw new AwsHttpError('InvalidResponse', `ecr:GetAuthorizationToken answered an expiresAt that is not epoch seconds: ${JSON.stringify(data.expiresAt)}`, { fault: 'server' });
    }
    return {
      ...(data.authorizationToken ? { authorizationToken: data.authorizationToken } : {}),
      ...(data.expiresAt === undefined ? {} : { expiresAt: new Date(data.expiresAt * 1000) }),
    };
  };
}
