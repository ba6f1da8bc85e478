import { DomainError } from './errors.js';

/** DATABASE_NAME_MAX is the longest name part of a database, after the `<user>_` prefix. */
export const DATABASE_NAME_MAX = 32;

const NAME_RE = new RegExp(`^[a-z0-9]{1,${DATABASE_NAME_MAX}}$`);

/**
 * databasePrefix is what every database and database user of an account starts with. Account
 * names have no `_`, so the prefix of one account is never the start of another account's names.
 */
export function databasePrefix(user: string): string {
  return `${user}_`;
}

/**
 * fullDatabaseName checks a database name given as `wp` or as `alice_wp` and returns `alice_wp`.
 * The name part is 1-32 lower-case letters or digits, so the whole name (at most 16 + 1 + 32
 * characters) fits MariaDB's 64 characters for a database and 80 for a user, and needs neither
 * quoting tricks nor wildcard escapes to be read back.
 */
export function fullDatabaseName(user: string, name: string): string {
  const prefix = databasePrefix(user);
  const short = name.startsWith(prefix) ? name.slice(prefix.length) : name;
  if (!NAME_RE.test(short)) {
    throw new DomainError(
      'invalid_database',
      `database name must be 1-${DATABASE_NAME_MAX} lower-case letters or digits (it becomes ${prefix}NAME)`,
      { param: 'name' },
    );
  }
  return prefix + short;
}
