import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DatabaseUsersResponse } from '../../shared/database-users';
import { handleDatabaseUsersRequest } from '../../shared/database-users';

const logger = new Logger();
let secrets: SecretsManagerClient | undefined;

/**
 * onEvent of the `Custom::WickedDatabaseUsers` provider: creates or updates Kong's and
 * portal-api's database users as the master, does nothing on delete. The provider framework
 * answers CloudFormation; a thrown error fails the resource with its message.
 * TLS is verified against the RDS certificate authorities the runtime ships
 * (`NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem`, set by the construct).
 */
export async function handler(event: unknown): Promise<DatabaseUsersResponse> {
  secrets ??= new SecretsManagerClient({});
  return handleDatabaseUsersRequest(event, {
    secrets,
    ssl: { rejectUnauthorized: true },
    log: (message, fields) => logger.info(message, fields),
  });
}
