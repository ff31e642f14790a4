import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from '../zod';
import { DatabaseUsersError } from './errors';
import { checkIdentifier } from './plan';
import type { ConnectFn, MasterConnection, UserOutcome } from './postgres';
import { connectClient, ensureUsers } from './postgres';
import { readCredentials } from './secrets';

/** The physical id of the resource: one per stack, kept by every update so CloudFormation never deletes it for a replacement. */
export const DATABASE_USERS_PHYSICAL_ID = 'wicked-database-users';

/** One user as the template names it: role, database, and the secret holding its password. */
const UserSchema = z.object({ Role: z.string(), Database: z.string(), SecretArn: z.string().check(z.regex(/^arn:[^:]+:secretsmanager:/, 'expected a Secrets Manager ARN')) });

/** The custom resource request, as the provider framework hands it to the onEvent handler. */
export const DatabaseUsersRequestSchema = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: z.object({
    MasterSecretArn: z.string().check(z.regex(/^arn:[^:]+:secretsmanager:/, 'expected a Secrets Manager ARN')),
    Users: z.array(UserSchema).check(z.minLength(1)),
    // Only there to make CloudFormation send an Update (the passwords are set again on every Update).
    PasswordsRevision: z.optional(z.string()),
  }),
});

/** A parsed request. */
export type DatabaseUsersRequest = z.output<typeof DatabaseUsersRequestSchema>;

/** What the handler answers the provider framework. */
export interface DatabaseUsersResponse {
  readonly PhysicalResourceId: string;
}

/** Everything a request needs from outside. */
export interface DatabaseUsersDeps {
  /** Reads the master's and the users' secrets. */
  readonly secrets: SecretsManagerClient;
  /** TLS to the instance (RDS forces it). */
  readonly ssl: MasterConnection['ssl'];
  /** Opens Postgres clients. @default connectClient */
  readonly connect?: ConnectFn;
  /** Receives one line per user with the statements run (passwords redacted). */
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Parses a custom resource request.
 *
 * @throws DatabaseUsersError `INVALID_REQUEST` naming every malformed field
 */
export function parseDatabaseUsersRequest(event: unknown): DatabaseUsersRequest {
  const parsed = DatabaseUsersRequestSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
  throw new DatabaseUsersError('INVALID_REQUEST', `database users request: ${problems}; expected RequestType Create|Update|Delete and ResourceProperties { MasterSecretArn, Users: [{ Role, Database, SecretArn }] }`);
}

/**
 * Create and Update: every user's role and database made or brought back to the wanted state
 * (idempotent; a failed run is simply run again by the next deploy). Delete: nothing. Roles,
 * databases and their data stay with the instance: a stack delete keeps or snapshots the
 * instance by its own removal policy, a failed create's rollback deletes the instance itself,
 * and a replaced resource must never drop what the running tasks use.
 *
 * @example
 * await handleDatabaseUsersRequest(event, { secrets: new SecretsManagerClient({}), ssl: { rejectUnauthorized: true } });
 */
export async function handleDatabaseUsersRequest(event: unknown, deps: DatabaseUsersDeps): Promise<DatabaseUsersResponse> {
  const request = parseDatabaseUsersRequest(event);
  const PhysicalResourceId = request.PhysicalResourceId ?? DATABASE_USERS_PHYSICAL_ID;
  if (request.RequestType === 'Delete') {
    deps.log?.('delete: roles, databases and data are kept', { physicalResourceId: PhysicalResourceId });
    return { PhysicalResourceId };
  }
  const props = request.ResourceProperties;
  const users = props.Users.map((u) => ({ role: checkIdentifier('Users[].Role', u.Role), database: checkIdentifier('Users[].Database', u.Database), secretArn: u.SecretArn }));
  for (const [field, values] of [['Role', users.map((u) => u.role)], ['Database', users.map((u) => u.database)]] as const) {
    if (new Set(values).size !== values.length) throw new DatabaseUsersError('INVALID_REQUEST', `Users[].${field}: received ${values.join(', ')}, expected each user to have its own`);
  }
  const master = await readCredentials(deps.secrets, props.MasterSecretArn);
  if (master.host === undefined) throw new DatabaseUsersError('INVALID_SECRET', `secret ${props.MasterSecretArn}: no host; expected the master secret attached to the instance`, { context: { secretArn: props.MasterSecretArn } });
  const withPasswords = await Promise.all(users.map(async (u) => {
    const credentials = await readCredentials(deps.secrets, u.secretArn);
    if (credentials.username !== u.role) throw new DatabaseUsersError('INVALID_SECRET', `secret ${u.secretArn}: username ${JSON.stringify(credentials.username)}, expected ${JSON.stringify(u.role)} (the role the containers log in as)`, { context: { secretArn: u.secretArn, role: u.role } });
    return { role: u.role, database: u.database, password: credentials.password };
  }));
  const outcomes: UserOutcome[] = await ensureUsers(
    { host: master.host, port: master.port ?? 5432, username: master.username, password: master.password, ssl: deps.ssl },
    withPasswords, deps.connect ?? connectClient);
  for (const outcome of outcomes) deps.log?.(`${request.RequestType.toLowerCase()}: role ${outcome.role} owns database ${outcome.database}`, { ...outcome });
  return { PhysicalResourceId };
}
