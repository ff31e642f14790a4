import { createHash } from 'node:crypto';
import { DatabaseUsersError } from './errors';

/**
 * One application user: a login role that owns one database, and nothing else.
 *
 * @example
 * const kong: DatabaseUser = { role: 'kong', database: 'kong' };
 */
export interface DatabaseUser {
  /** The login role (lower-case identifier). */
  readonly role: string;
  /** The database the role owns. */
  readonly database: string;
}

/** What the master sees of one user before acting: read from the catalogs, never assumed. */
export interface ObservedUser {
  /** Whether the role exists. */
  readonly roleExists: boolean;
  /** Whether the master is a member of the role (needed to hand it a database: `ALTER ... OWNER TO`). */
  readonly masterIsMember: boolean;
  /** The database's owner, or undefined when the database does not exist. */
  readonly databaseOwner?: string;
  /** Whether PUBLIC (every role) still has a privilege (CONNECT, TEMPORARY) on the database. */
  readonly publicHasAccess: boolean;
}

/** One object inside the user's database still owned by the master (made before the user existed). */
export interface OwnedObject {
  /** `SCHEMA`, `TABLE`, `SEQUENCE`, `VIEW`, `MATERIALIZED VIEW`, `FOREIGN TABLE`, `FUNCTION`, `PROCEDURE`. */
  readonly kind: string;
  /** Its name, schema-qualified and quoted as Postgres prints it (`wicked.applications`, `"my schema"`); functions with their argument types. */
  readonly name: string;
}

/** Lower-case identifiers that need no quoting, 1 to 63 bytes (Postgres truncates longer names: `NAMEDATALEN` 64). */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** Roles and databases Postgres or RDS reserve; a user must never take one over. */
const RESERVED = new Set(['postgres', 'template0', 'template1', 'rdsadmin', 'rds_superuser', 'public', 'pg_database_owner']);

/**
 * Checks a role or database name: a plain lower-case identifier, not reserved.
 *
 * @throws DatabaseUsersError `INVALID_NAME` naming what was received and what is expected
 */
export function checkIdentifier(what: string, name: string): string {
  if (!IDENTIFIER.test(name) || name.startsWith('pg_') || name.startsWith('rds') || RESERVED.has(name)) {
    throw new DatabaseUsersError('INVALID_NAME', `${what}: received ${JSON.stringify(name)}, expected a lower-case identifier of 1 to 63 characters (a-z, 0-9, _; not starting with a digit, pg_ or rds) that Postgres and RDS do not reserve`, { context: { what, name } });
  }
  return name;
}

/**
 * The stored form of a password under `password_encryption = md5`: `md5` + md5(password + role).
 * Postgres stores a password given already hashed as it is, whatever `password_encryption`
 * says (PostgreSQL `CREATE ROLE`, "ENCRYPTED"), so the cleartext never reaches the server, its
 * logs or `pg_stat_activity`, and the hash is the one Kong's pgmoon can answer (see
 * `PASSWORD_ENCRYPTION` in infra `constructs/database.ts`).
 *
 * @example
 * md5PasswordHash('kong', 'secret') // 'md5' + 32 hex digits
 */
export function md5PasswordHash(role: string, password: string): string {
  return `md5${createHash('md5').update(password + role, 'utf8').digest('hex')}`;
}

/** A string literal: single quotes doubled (standard_conforming_strings is on from Postgres 9.1). */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The statements, run as the master in the maintenance database, that bring one user to
 * the wanted state: the role exists, logs in with the password's md5 hash, may not create
 * databases or roles; the database exists, the role owns it, PUBLIC may not connect to it.
 * Every statement is decided from what was observed, so a second run after a complete one
 * only sets the password again (which is what an update is for), and a run after a crash
 * between two statements finishes the rest.
 *
 * @example
 * userStatements({ role: 'kong', database: 'kong' }, 'md5…', 'wicked', { roleExists: false, masterIsMember: false, publicHasAccess: false })
 * // ['CREATE ROLE kong LOGIN …', 'GRANT kong TO wicked', 'CREATE DATABASE kong OWNER kong', 'REVOKE ALL ON DATABASE kong FROM PUBLIC']
 */
export function userStatements(user: DatabaseUser, passwordHash: string, master: string, observed: ObservedUser): string[] {
  const role = checkIdentifier('role', user.role);
  const database = checkIdentifier('database', user.database);
  checkIdentifier('master user', master);
  if (role === master) throw new DatabaseUsersError('INVALID_NAME', `role: received ${JSON.stringify(role)}, the master user's name; expected a role of its own`, { context: { role } });
  if (!/^md5[0-9a-f]{32}$/.test(passwordHash)) throw new DatabaseUsersError('INVALID_SECRET', `password hash of role ${role}: expected md5 followed by 32 hex digits`, { context: { role } });
  // LOGIN and nothing else: no CREATEDB (the database is made here, so portal-api never reaches its own
  // CREATE DATABASE; infra constructs/database.ts WICKED_DATABASE), no CREATEROLE. INHERIT stays on: the
  // owner's CREATE on the `public` schema comes through its implicit membership in pg_database_owner
  // (PostgreSQL 15+), which a NOINHERIT role does not use. SUPERUSER, REPLICATION and BYPASSRLS are off
  // by default and only a superuser may name them (PostgreSQL ALTER ROLE), which RDS's master is not.
  const attributes = `LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD ${literal(passwordHash)}`;
  const statements = [observed.roleExists ? `ALTER ROLE ${role} WITH ${attributes}` : `CREATE ROLE ${role} WITH ${attributes}`];
  // Handing a database or object to a role takes membership in it (PostgreSQL ALTER DATABASE: "must be
  // able to SET ROLE to the new owning role"); RDS's master is not a superuser.
  if (!observed.masterIsMember) statements.push(`GRANT ${role} TO ${master}`);
  if (observed.databaseOwner === undefined) statements.push(`CREATE DATABASE ${database} OWNER ${role}`);
  else if (observed.databaseOwner !== role) statements.push(`ALTER DATABASE ${database} OWNER TO ${role}`);
  if (observed.databaseOwner === undefined || observed.publicHasAccess) statements.push(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  return statements;
}

const OWNABLE = new Set(['SCHEMA', 'TABLE', 'SEQUENCE', 'VIEW', 'MATERIALIZED VIEW', 'FOREIGN TABLE', 'FUNCTION', 'PROCEDURE']);

/**
 * The statements, run as the master inside the user's database, that hand the role what the
 * master made there before the role existed (a stack that ran Kong and portal-api as the master:
 * Kong's tables, wicked's schema). Without them Kong's next migration or portal-api's next
 * schema migration would meet tables it cannot alter.
 *
 * @example
 * handOverStatements('wicked_api', [{ kind: 'SCHEMA', name: 'wicked' }]) // ['ALTER SCHEMA wicked OWNER TO wicked_api']
 */
export function handOverStatements(role: string, objects: readonly OwnedObject[]): string[] {
  checkIdentifier('role', role);
  return objects.map((object) => {
    if (!OWNABLE.has(object.kind)) throw new DatabaseUsersError('INVALID_REQUEST', `object ${object.name}: received kind ${JSON.stringify(object.kind)}, expected one of ${[...OWNABLE].join(', ')}`, { context: { role } });
    return `ALTER ${object.kind} ${object.name} OWNER TO ${role}`;
  });
}
