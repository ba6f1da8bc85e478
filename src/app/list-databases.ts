import type { DatabaseRecord } from '../store/store.js';
import { requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';

/** listDatabases returns the account's databases as the panel recorded them, by name. */
export async function listDatabases(ctx: AppContext, user: string): Promise<DatabaseRecord[]> {
  await requireAccount(ctx, user);
  return ctx.store.databases.listByAccount(user);
}
