import { withAccountDatabase } from './account-database.js';
import type { AppContext } from './ports.js';
import { runJournalled } from './journal.js';
import { databaseDelete } from './operations/database-delete.js';

/**
 * deleteDatabase drops one of the account's databases and its database user. A dropped database
 * cannot come back, so nothing is undone: after a failure the record stays and a retry finishes.
 */
export async function deleteDatabase(ctx: AppContext, user: string, name: string): Promise<{ database: string }> {
  return withAccountDatabase(ctx, user, name, async (database) => {
    await runJournalled(ctx, databaseDelete, user, { name: database.name, dbUser: database.dbUser });
    return { database: database.name };
  });
}
