import { fullDatabaseName } from '../domain/database-names.js';
import { generatePassword } from '../domain/secrets.js';
import { checkPassword, validateUser } from '../domain/validation.js';
import { withAccountLock } from './account-lock.js';
import { requireAccount, requireSettled } from './get-account.js';
import { requireDatabase, requireDatabaseServer } from './list-databases.js';
import type { AppContext } from './ports.js';
import { runSteps } from './steps.js';

/** setDatabasePassword sets the password of a database's user; without one it generates and returns it. */
export async function setDatabasePassword(
  ctx: AppContext,
  user: string,
  name: string,
  given?: string,
): Promise<{ database: string; dbUser: string; password?: string }> {
  fullDatabaseName(validateUser(user), name);
  const password = given === undefined ? generatePassword() : checkPassword(given, user);
  requireDatabaseServer(ctx);
  await requireAccount(ctx, user);
  return withAccountLock(ctx, user, async () => {
    const record = await requireAccount(ctx, user);
    requireSettled(record);
    const database = await requireDatabase(ctx, record, name);
    await runSteps(
      [{ name: 'database_user', run: () => ctx.host.databases.setPassword(database.dbUser, password) }],
      ctx.logger,
      { op: 'database.password', user, database: database.name },
    );
    const out = { database: database.name, dbUser: database.dbUser };
    return given === undefined ? { ...out, password } : out;
  });
}
