import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsErrorName, isRetryableAwsError } from '../adapters/aws-error';
import * as z from '../zod';
import { DatabaseUsersError } from './errors';

/** The fields of an RDS database secret this module reads (RDS and `rds.DatabaseSecret` write more). */
export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
  /** Present once the secret is attached to the instance. */
  readonly host?: string;
  readonly port?: number;
}

const CredentialsSchema = z.object({
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1)),
  host: z.optional(z.string().check(z.minLength(1))),
  port: z.optional(z.union([z.number(), z.string().check(z.regex(/^\d+$/))])),
});

/**
 * Reads one database secret (`{"username", "password", "host", "port", ...}`, the JSON RDS
 * and CDK's `DatabaseSecret` store). The password is never part of an error.
 *
 * @throws DatabaseUsersError `SECRET_UNREADABLE` (retryable when AWS says so) or `INVALID_SECRET`
 */
export async function readCredentials(client: SecretsManagerClient, secretArn: string): Promise<DatabaseCredentials> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    throw new DatabaseUsersError('SECRET_UNREADABLE', `reading secret ${secretArn}: ${awsErrorName(error)}: ${(error as Error).message}`, { retryable: isRetryableAwsError(error), cause: error, context: { secretArn } });
  }
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    throw new DatabaseUsersError('INVALID_SECRET', `secret ${secretArn}: expected a JSON string value with username and password, received ${text === undefined ? 'no SecretString' : 'a string that is not JSON'}`, { context: { secretArn } });
  }
  const parsed = CredentialsSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new DatabaseUsersError('INVALID_SECRET', `secret ${secretArn}: fields ${fields} missing or malformed; expected username and password strings, optional host and port`, { context: { secretArn } });
  }
  const { username, password, host, port } = parsed.data;
  return { username, password, ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port: Number(port) } : {}) };
}
