import { withAccountLock } from './account-lock.js';
import { requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';
import { runSteps } from './steps.js';

/**
 * terminateAccount drops the account's databases, site, system user and home, then its rows.
 * Dropped databases cannot come back, so a failure leaves the account in its former status with
 * the remaining steps still to do; calling it again finishes the job.
 */
export async function terminateAccount(
  ctx: AppContext,
  user: string,
): Promise<{ user: string; droppedDatabases: string[] }> {
  await requireAccount(ctx, user);
  return withAccountLock(ctx, user, async () => {
    const record = await requireAccount(ctx, user);
    const { systemUsers, webServer, databases } = ctx.host;
    const home = ctx.host.homeOf(user);
    let dropped: string[] = [];
    await ctx.store.accounts.update(user, { status: 'terminating' });
    const restoreStatus = () =>
      ctx.store.accounts.update(user, { status: record.status === 'terminating' ? 'active' : record.status });
    try {
      await runSteps(
        [
          {
            name: 'database_server',
            run: async () => {
              dropped = await databases.dropAll(user, record.databases);
            },
          },
          {
            name: 'web_server',
            run: () => webServer.removeSite(user),
            undo: () =>
              webServer.writeSite({
                user,
                domain: record.domain,
                root: `${home}/public_html`,
                suspended: record.status === 'suspended',
              }),
          },
          { name: 'reload', run: () => webServer.reload(), undo: () => webServer.reload() },
          { name: 'system_user', run: () => systemUsers.remove(user, home) },
          { name: 'store', run: () => ctx.store.accounts.delete(user) },
        ],
        ctx.logger,
        { op: 'account.terminate', user },
      );
    } catch (err) {
      await restoreStatus();
      throw err;
    }
    return { user, droppedDatabases: dropped };
  });
}
