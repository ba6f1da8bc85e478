/** Statement is SQL text and the values sent with it as parameters, never spliced into the text. */
export interface Statement {
  sql: string;
  values: (string | number)[];
  /** secret marks a statement whose values hold a password: its errors must not repeat the server's words. */
  secret?: boolean;
}

/**
 * DB_USER_HOSTS are the host parts every database user exists under, together: customers' sites run
 * on this server and reach it over the socket (`localhost`) or over TCP to the IPv4 or IPv6 loopback.
 * The first is the form older versions made alone, the one credentials are copied from.
 */
export const DB_USER_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;

/** CUSTOMER_PRIVILEGES is what a database user may do on its own database: everything but GRANT. */
export const CUSTOMER_PRIVILEGES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'CREATE',
  'DROP',
  'REFERENCES',
  'INDEX',
  'ALTER',
  'CREATE TEMPORARY TABLES',
  'LOCK TABLES',
  'EXECUTE',
  'CREATE VIEW',
  'SHOW VIEW',
  'CREATE ROUTINE',
  'ALTER ROUTINE',
  'EVENT',
  'TRIGGER',
] as const;

/** quoteIdent is the one function that puts an identifier into SQL text: backquoted, backquotes doubled. */
export function quoteIdent(name: string): string {
  if (name === '' || name.includes('\0') || [...name].length > 64) {
    throw new Error('an SQL identifier must be 1-64 characters without NUL');
  }
  return `\`${name.replaceAll('`', '``')}\``;
}

/** escapePattern makes `_`, `%` and `\` literal in a GRANT database name or a LIKE pattern. */
export function escapePattern(text: string): string {
  return text.replace(/[\\_%]/g, (c) => `\\${c}`);
}

function placeholders(count: number): string {
  if (count < 1) throw new Error('an IN list needs at least one value');
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * SESSION_SQL_MODE_RESET turns NO_BACKSLASH_ESCAPES off for one session, keeping every other mode:
 * mysql2 fills values in on the client with backslash escapes, which that mode would read differently.
 */
export const SESSION_SQL_MODE_RESET =
  "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";

/** createDatabaseStatement makes an empty utf8mb4 database. */
export function createDatabaseStatement(name: string): Statement {
  return { sql: `CREATE DATABASE ${quoteIdent(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`, values: [] };
}

/** dropDatabaseStatement drops a database; a missing one is not an error. */
export function dropDatabaseStatement(name: string): Statement {
  return { sql: `DROP DATABASE IF EXISTS ${quoteIdent(name)}`, values: [] };
}

/** createUserStatement makes a database user with a password, optionally locked from the start. */
export function createUserStatement(user: string, host: string, password: string, locked: boolean): Statement {
  return {
    sql: `CREATE USER ?@? IDENTIFIED BY ?${locked ? ' ACCOUNT LOCK' : ''}`,
    values: [user, host, password],
    secret: true,
  };
}

/**
 * copyUserStatement makes a locked database user whose credentials are those of another form of
 * it (its authentication plugin and the stored hash), for adding a host form without the password.
 */
export function copyUserStatement(user: string, host: string, plugin: string, authentication: string): Statement {
  return {
    sql: 'CREATE USER ?@? IDENTIFIED WITH ? AS ? ACCOUNT LOCK',
    values: [user, host, plugin, authentication],
    secret: true,
  };
}

/** showCreateUserStatement asks for the statement that would make a user as it is, lock state included. */
export function showCreateUserStatement(user: string, host: string): Statement {
  return { sql: 'SHOW CREATE USER ?@?', values: [user, host] };
}

/**
 * isLockedInCreateUser tells from SHOW CREATE USER's answer whether the user is locked: the words
 * `ACCOUNT LOCK` outside quoted strings and names (a hash or a name could hold anything).
 */
export function isLockedInCreateUser(text: string): boolean {
  const bare = text.replace(/'(?:[^'\\]|\\.|'')*'|`(?:[^`]|``)*`|"(?:[^"\\]|\\.|"")*"/g, "''");
  return /\bACCOUNT\s+LOCK\b/i.test(bare);
}

/** grantStatement gives a user the customer privileges on exactly one database, wildcards escaped. */
export function grantStatement(database: string, user: string, host: string): Statement {
  return {
    sql: `GRANT ${CUSTOMER_PRIVILEGES.join(', ')} ON ${quoteIdent(escapePattern(database))}.* TO ?@?`,
    values: [user, host],
  };
}

/** setPasswordStatement changes a user's password. */
export function setPasswordStatement(user: string, host: string, password: string): Statement {
  return { sql: 'ALTER USER ?@? IDENTIFIED BY ?', values: [user, host, password], secret: true };
}

/** lockStatement locks or unlocks a user's logins (`ACCOUNT LOCK`). */
export function lockStatement(user: string, host: string, locked: boolean): Statement {
  return { sql: `ALTER USER ?@? ACCOUNT ${locked ? 'LOCK' : 'UNLOCK'}`, values: [user, host] };
}

/** dropUserStatement drops a user and its grants; a missing one is not an error. */
export function dropUserStatement(user: string, host: string): Statement {
  return { sql: 'DROP USER IF EXISTS ?@?', values: [user, host] };
}

/** killStatement ends one connection. */
export function killStatement(id: number): Statement {
  return { sql: 'KILL CONNECTION ?', values: [id] };
}

/** databasesUnderStatement lists the databases whose names start with `prefix`. */
export function databasesUnderStatement(prefix: string): Statement {
  return {
    sql: 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY SCHEMA_NAME',
    values: [`${escapePattern(prefix)}%`],
  };
}

/** credentialsStatement lists the authentication plugin and stored hash of every host form of the named users. */
export function credentialsStatement(names: readonly string[]): Statement {
  return {
    sql: `SELECT User AS user, Host AS host, plugin, authentication_string AS authentication FROM mysql.user WHERE User IN (${placeholders(names.length)}) ORDER BY User, Host`,
    values: [...names],
  };
}

/** usersStatement lists every user@host whose user name is one of `names` or, given a prefix, starts with it. */
export function usersStatement(names: readonly string[], prefix: string | null = null): Statement {
  const where: string[] = [];
  const values: string[] = [];
  if (prefix !== null) {
    where.push('User LIKE ?');
    values.push(`${escapePattern(prefix)}%`);
  }
  if (names.length > 0) {
    where.push(`User IN (${placeholders(names.length)})`);
    values.push(...names);
  }
  if (where.length === 0) throw new Error('usersStatement needs names or a prefix');
  return {
    sql: `SELECT User AS user, Host AS host FROM mysql.user WHERE ${where.join(' OR ')} ORDER BY User, Host`,
    values,
  };
}

/** connectionsStatement lists the open connections of the given users. */
export function connectionsStatement(users: readonly string[]): Statement {
  return {
    sql: `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER IN (${placeholders(users.length)})`,
    values: [...users],
  };
}
