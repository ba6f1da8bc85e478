import type { AccountRecord } from '../store/store.js';
import { withLockedAccount } from './account-lock.js';
import { requireAccount } from './get-account.js';
import { runJournalled } from './journal.js';
import type { AppContext } from './ports.js';
import type { Step } from './steps.js';

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
  return withLockedAccount(ctx, user, async (record) => {
    const previousStatus = settledStatus(record.status);
    const out = { dropped: [] as string[] };
    await runJournalled(
      ctx,
      { op: 'account.terminate', user, params: { previousStatus } },
      [
        { name: 'mark', run: () => ctx.store.accounts.update(user, { status: 'terminating' }) },
        ...terminateSteps(ctx, record, out),
      ],
      () => ctx.store.accounts.update(user, { status: previousStatus }),
    );
    return { user, droppedDatabases: out.dropped };
  });
}

/** settledStatus is the status a terminate falls back to when it cannot finish. */
export function settledStatus(status: AccountRecord['status']): 'active' | 'suspended' {
  return status === 'suspended' ? 'suspended' : 'active';
}

/** terminateSteps are the host steps of a terminate; each is idempotent, so recovery re-runs them to finish. */
export function terminateSteps(ctx: AppContext, record: AccountRecord, out: { dropped: string[] }): Step[] {
  const { user } = record;
  const { systemUsers, webServer, databases } = ctx.host;
  const home = ctx.host.homeOf(user);
  return [
    {
      name: 'database_server',
      run: async () => {
        out.dropped = await databases.dropAll(user, record.databases);
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
  ];
}
