import { withAccountDatabase } from './account-database.js';
import type { AppContext } from './ports.js';
import { runJournalled } from './journal.js';
import type { Step } from './steps.js';

/**
 * deleteDatabase drops one of the account's databases and its database user. A dropped database
 * cannot come back, so nothing is undone: after a failure the record stays and a retry finishes.
 */
export async function deleteDatabase(ctx: AppContext, user: string, name: string): Promise<{ database: string }> {
  return withAccountDatabase(ctx, user, name, async (database) => {
    await runJournalled(
      ctx,
      { op: 'database.delete', user, params: { name: database.name, dbUser: database.dbUser } },
      deleteDatabaseSteps(ctx, database.name, database.dbUser),
    );
    return { database: database.name };
  });
}

/** deleteDatabaseSteps are the steps of a database delete; each is idempotent, so recovery re-runs them to finish. */
export function deleteDatabaseSteps(ctx: AppContext, name: string, dbUser: string): Step[] {
  const { databases } = ctx.host;
  return [
    { name: 'database_user', run: () => databases.dropUser(dbUser) },
    { name: 'database', run: () => databases.dropDatabase(name) },
    { name: 'store', run: () => ctx.store.databases.delete(name) },
  ];
}
