import { fullDatabaseName } from '../domain/database-names.js';
import { DomainError } from '../domain/errors.js';
import { validateUser } from '../domain/validation.js';
import type { AccountRecord, DatabaseRecord } from '../store/store.js';
import { withSettledAccount } from './account-lock.js';
import { requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';

/** requireDatabaseServer refuses a database change when no database server is configured. */
export function requireDatabaseServer(ctx: AppContext): void {
  if (!ctx.host.databases.available) {
    throw new DomainError(
      'databases_unavailable',
      'no database server is configured: set VANTA_MYSQL_URL to use customer databases',
    );
  }
}

/** requireDatabase loads one of the account's databases, named `wp` or `alice_wp`, or fails with `database_not_found`. */
export async function requireDatabase(ctx: AppContext, account: AccountRecord, name: string): Promise<DatabaseRecord> {
  const full = fullDatabaseName(account.user, name);
  const record = await ctx.store.databases.get(full);
  if (!record || record.account !== account.user) {
    throw new DomainError('database_not_found', `account ${account.user} has no database named ${full}`, {
      param: 'name',
    });
  }
  return record;
}

/**
 * withAccountDatabase checks the names and the server, then runs `fn` on one of the account's
 * databases while holding the account's lock.
 */
export async function withAccountDatabase<T>(
  ctx: AppContext,
  user: string,
  name: string,
  fn: (database: DatabaseRecord) => Promise<T>,
): Promise<T> {
  fullDatabaseName(validateUser(user), name);
  requireDatabaseServer(ctx);
  await requireAccount(ctx, user);
  return withSettledAccount(ctx, user, async (record) => fn(await requireDatabase(ctx, record, name)));
}
