import type { ClientConfig } from 'pg';
import { Client } from 'pg';
import { DatabaseUsersError } from './errors';
import type { DatabaseUser, ObservedUser, OwnedObject } from './plan';
import { handOverStatements, md5PasswordHash, userStatements } from './plan';

/** Where and as whom the master connects (the master secret's fields), and how TLS is checked. */
export interface MasterConnection {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /**
   * TLS settings for `pg`; `false` only against a local test server. RDS refuses
   * anything else with `rds.force_ssl` on.
   */
  readonly ssl: ClientConfig['ssl'];
}

/** A user with the password from its own secret. */
export interface UserWithPassword extends DatabaseUser {
  readonly password: string;
}

/** What one run did for one user, for the log (statements without the password). */
export interface UserOutcome {
  readonly role: string;
  readonly database: string;
  /** The statements run, with the password hash replaced by `'***'`. */
  readonly statements: readonly string[];
}

/** Opens a client; replaced in tests that need to count connections. */
export type ConnectFn = (config: ClientConfig) => Promise<Client>;

/** The default {@link ConnectFn}: a `pg` client, connected, with a short connect timeout. */
export const connectClient: ConnectFn = async (config) => {
  const client = new Client({ connectionTimeoutMillis: 10_000, ...config });
  await client.connect();
  return client;
};

/** Postgres error codes and socket errors after which the same request may succeed (instance starting, network). */
const RETRYABLE = new Set(['57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Node.js's codes for a server certificate it cannot verify (`tls.connect` with `rejectUnauthorized`). */
const CERTIFICATE_REJECTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED',
]);
/** What pg throws when it asked for TLS and the server answered that it has none (`N` to the SSLRequest). */
const NO_TLS_ON_SERVER = 'The server does not support SSL connections';

/**
 * A connection failure that is about TLS, with what was expected: a certificate the function
 * could not verify, or a server without TLS while the function requires it (RDS always offers
 * it; `rds.force_ssl` refuses anything else). Neither gets better by retrying.
 */
function tlsError(doing: string, error: unknown, context: Record<string, string>): DatabaseUsersError | undefined {
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (CERTIFICATE_REJECTED.has(code)) {
    return new DatabaseUsersError('TLS_FAILED', `${doing}: TLS: the server's certificate was rejected (${code}: ${message}); expected a certificate for this host issued by a certificate authority the function trusts (on Lambda the RDS certificate authorities, NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem)`, { cause: error, context });
  }
  if (message === NO_TLS_ON_SERVER) {
    return new DatabaseUsersError('TLS_FAILED', `${doing}: TLS: the server accepts no TLS connections; expected TLS, which the function requires (the master's password is never sent in clear) and RDS offers on every instance`, { cause: error, context });
  }
  return undefined;
}

function sqlError(doing: string, error: unknown, context: Record<string, string>): DatabaseUsersError {
  if (error instanceof DatabaseUsersError) return error;
  const tls = tlsError(doing, error, context);
  if (tls) return tls;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  // 28000 naming "no encryption": the server takes only TLS connections (hostssl, RDS's rds.force_ssl) and this one had none.
  const hint = code === '28000' && /no encryption/.test(message) ? '; the server requires TLS and this connection did not use it: expected the ssl setting to be on' : '';
  return new DatabaseUsersError('SQL_FAILED', `${doing}: ${code ? `${code} ` : ''}${message}${hint}`, { retryable: RETRYABLE.has(code), cause: error, context });
}

const redact = (statement: string): string => statement.replace(/PASSWORD '[^']*'/, "PASSWORD '***'");

async function observe(client: Client, user: DatabaseUser, master: string): Promise<ObservedUser> {
  const role = await client.query<{ member: boolean }>(
    // Postgres 16 separates membership from the right to SET ROLE (which ALTER ... OWNER TO needs): ask for
    // SET there (the implicit grant a CREATEROLE creator gets has SET FALSE); before 16, MEMBER meant SET ROLE.
    `SELECT pg_has_role($2, r.oid, CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END) AS member
       FROM pg_roles r WHERE r.rolname = $1`, [user.role, master]);
  const database = await client.query<{ owner: string; public: boolean }>(
    // aclexplode of a NULL acl (the default) stands for PUBLIC's default CONNECT and TEMPORARY.
    `SELECT pg_get_userbyid(d.datdba) AS owner,
            d.datacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(d.datacl) a WHERE a.grantee = 0) AS public
       FROM pg_database d WHERE d.datname = $1`, [user.database]);
  const row = database.rows[0];
  return {
    roleExists: role.rows.length > 0,
    masterIsMember: role.rows[0]?.member ?? false,
    ...(row ? { databaseOwner: row.owner } : {}),
    publicHasAccess: row?.public ?? false,
  };
}

/**
 * Objects of the database's own schemas (not `pg_*`, not `information_schema`) still owned by
 * the master: schemas, relations other than indexes and sequences a table owns (those follow
 * their table), functions and procedures.
 */
async function ownedByMaster(client: Client, master: string): Promise<OwnedObject[]> {
  const result = await client.query<OwnedObject>(
    `WITH own AS (SELECT n.oid, n.nspname, n.nspowner FROM pg_namespace n
                   WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema')
     SELECT 'SCHEMA' AS kind, quote_ident(own.nspname) AS name FROM own WHERE own.nspowner = $1::regrole
     UNION ALL
     SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
            quote_ident(own.nspname) || '.' || quote_ident(c.relname)
       FROM pg_class c JOIN own ON own.oid = c.relnamespace
      WHERE c.relowner = $1::regrole AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')
        AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
     UNION ALL
     SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.oid::regprocedure::text
       FROM pg_proc p JOIN own ON own.oid = p.pronamespace
      WHERE p.proowner = $1::regrole AND p.prokind IN ('f', 'p')
     ORDER BY 1 DESC, 2`, [master]);
  return result.rows;
}

async function run(client: Client, statements: readonly string[], context: Record<string, string>): Promise<void> {
  // One statement at a time, outside a transaction: CREATE DATABASE cannot run inside one.
  for (const statement of statements) {
    try {
      await client.query(statement);
    } catch (error) {
      throw sqlError(`running ${redact(statement)}`, error, context);
    }
  }
}

async function withClient<T>(connect: ConnectFn, config: ClientConfig, doing: string, body: (client: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = await connect(config);
  } catch (error) {
    throw sqlError(`${doing}: connecting to ${config.host}:${config.port}/${config.database} as ${config.user}`, error, { database: String(config.database) });
  }
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Brings every user to its wanted state as the master: role and password, database owned by
 * the role and closed to PUBLIC, then, inside each database, the master's leftovers handed to
 * the role. Idempotent (each step decided from the catalogs); nothing is ever dropped.
 *
 * @example
 * await ensureUsers(master, [{ role: 'kong', database: 'kong', password }]);
 */
export async function ensureUsers(master: MasterConnection, users: readonly UserWithPassword[], connect: ConnectFn = connectClient): Promise<UserOutcome[]> {
  const base = { host: master.host, port: master.port, user: master.username, password: master.password, ssl: master.ssl };
  const outcomes: UserOutcome[] = [];
  for (const user of users) {
    const context = { role: user.role, database: user.database };
    const statements = await withClient(connect, { ...base, database: 'postgres' }, `user ${user.role}`, async (client) => {
      const observed = await observe(client, user, master.username).catch((error: unknown) => { throw sqlError(`reading the catalogs for role ${user.role}`, error, context); });
      const list = userStatements(user, md5PasswordHash(user.role, user.password), master.username, observed);
      await run(client, list, context);
      return list;
    });
    const handOver = await withClient(connect, { ...base, database: user.database }, `database ${user.database}`, async (client) => {
      const objects = await ownedByMaster(client, master.username).catch((error: unknown) => { throw sqlError(`listing the master's objects in ${user.database}`, error, context); });
      const list = handOverStatements(user.role, objects);
      await run(client, list, context);
      return list;
    });
    outcomes.push({ ...context, statements: [...statements, ...handOver].map(redact) });
  }
  return outcomes;
}
