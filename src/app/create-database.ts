import { fullDatabaseName } from '../domain/database-names.js';
import { DomainError } from '../domain/errors.js';
import { generatePassword } from '../domain/secrets.js';
import { checkPassword, validateUser } from '../domain/validation.js';
import type { AccountRecord } from '../store/store.js';
import { withSettledAccount } from './account-lock.js';
import { requireAccount } from './get-account.js';
import { requireDatabaseServer } from './account-database.js';
import type { AppContext } from './ports.js';
import { runJournalled } from './journal.js';
import { databaseCreate } from './operations/database-create.js';

/** CreateDatabaseInput names the account and the database (`wp` or `alice_wp`); no password means generate one. */
export interface CreateDatabaseInput {
  user: string;
  name: string;
  password?: string;
}

/** CreatedDatabase carries the password only when the panel generated it. */
export interface CreatedDatabase {
  database: string;
  dbUser: string;
  password?: string;
}

/**
 * createDatabase makes the database `<user>_<name>` and a database user of the same name that may
 * use it and nothing else; all of it or none of it. A suspended account's new user starts locked.
 */
export async function createDatabase(ctx: AppContext, input: CreateDatabaseInput): Promise<CreatedDatabase> {
  const user = validateUser(input.user);
  const name = fullDatabaseName(user, input.name);
  const generated = input.password === undefined;
  const password = generated ? generatePassword() : checkPassword(input.password ?? '', user);
  requireDatabaseServer(ctx);
  await requireAccount(ctx, user);
  return withSettledAccount(ctx, user, async (record) => {
    if (await ctx.store.databases.get(name)) {
      throw new DomainError('database_exists', `database ${name} already exists`, { param: 'name' });
    }
    await requireRoomForDatabase(ctx, record);
    const locked = record.status === 'suspended';
    await runJournalled(ctx, databaseCreate, user, { user, name, password, locked });
    return generated ? { database: name, dbUser: name, password } : { database: name, dbUser: name };
  });
}

async function requireRoomForDatabase(ctx: AppContext, account: AccountRecord): Promise<void> {
  if (account.plan === null) return;
  const plan = await ctx.store.plans.get(account.plan);
  const max = plan?.maxDatabases ?? null;
  if (max === null) return;
  const count = await ctx.store.databases.countByAccount(account.user);
  if (count >= max) {
    throw new DomainError(
      'limit_reached',
      `plan ${account.plan} allows ${max} database(s) and account ${account.user} has ${count}`,
      { limit: 'max_databases', max },
    );
  }
}
