import { withAccountDatabase } from './list-databases.js';
import type { AppContext } from './ports.js';
import { runSteps } from './steps.js';

/**
 * deleteDatabase drops one of the account's databases and its database user. A dropped database
 * cannot come back, so nothing is undone: after a failure the record stays and a retry finishes.
 */
export async function deleteDatabase(ctx: AppContext, user: string, name: string): Promise<{ database: string }> {
  return withAccountDatabase(ctx, user, name, async (database) => {
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
