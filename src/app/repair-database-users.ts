import type { HostFormsRepair } from '../host/ports.js';
import type { AppContext } from './ports.js';

/**
 * repairDatabaseUsers gives every database user the panel made each host form it needs (socket
 * and TCP to 127.0.0.1 and ::1), for users made by versions that knew `localhost` only. Nothing to
 * do, and no connection made, when the panel has no databases or no database server.
 */
export async function repairDatabaseUsers(ctx: AppContext): Promise<HostFormsRepair> {
  const names = (await ctx.store.databases.listAll()).map((d) => d.dbUser);
  if (names.length === 0 || !ctx.host.databases.available) return { added: [], skipped: [] };
  return ctx.host.databases.repairHostForms(names);
}
