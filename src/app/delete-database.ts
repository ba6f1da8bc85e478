import { fullDatabaseName } from '../domain/database-names.js';
import { validateUser } from '../domain/validation.js';
import { withAccountLock } from './account-lock.js';
import { requireAccount, requireSettled } from './get-account.js';
import { requireDatabase, requireDatabaseServer } from './list-databases.js';
import type { AppContext } from './ports.js';
import { runSteps } from './steps.js';

/**
 * deleteDatabase drops one of the account's databases and its database user. A dropped database
 * cannot come back, so nothing is undone: after a failure the record stays and a retry finishes.
 */
export async function deleteDatabase(ctx: AppContext, user: string, name: string): Promise<{ database: string }> {
  fullDatabaseName(validateUser(user), name);
  requireDatabaseServer(ctx);
  await requireAccount(ctx, user);
  return withAccountLock(ctx, user, async () => {
    const record = await requireAccount(ctx, user);
    requireSettled(record);
    const database = await requireDatabase(ctx, record, name);
    const { databases } = ctx.host;
    await runSteps(
      [
        { name: 'database_user', run: () => databases.dropUser(database.dbUser) },
        { name: 'database', run: () => databases.dropDatabase(database.name) },
        { name: 'store', run: () => ctx.store.databases.delete(database.name) },
      ],
      ctx.logger,
      { op: 'database.delete', user, database: database.name },
    );
    return { database: database.name };
  });
}
