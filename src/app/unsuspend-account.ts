import type { AccountRecord } from '../store/store.js';
import { withSettledAccount } from './account-lock.js';
import { publicAccount, requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';
import { runJournalled } from './journal.js';
import type { Step } from './steps.js';
import type { AccountChange } from './suspend-account.js';

/** unsuspendAccount reverses exactly what suspendAccount did. */
export async function unsuspendAccount(ctx: AppContext, user: string): Promise<AccountChange> {
  await requireAccount(ctx, user);
  return withSettledAccount(ctx, user, async (record) => {
    if (record.status === 'active') return { account: publicAccount(record), changed: false };
    await runJournalled(ctx, { op: 'account.unsuspend', user, params: {} }, unsuspendSteps(ctx, record));
    return {
      account: publicAccount({ ...record, status: 'active', suspendReason: null, suspendedAt: null }),
      changed: true,
    };
  });
}

/** unsuspendSteps are the steps of an unsuspend, the reverse of suspendSteps; recovery re-runs them to finish. */
export function unsuspendSteps(ctx: AppContext, record: AccountRecord): Step[] {
  const { user, domain } = record;
  const { systemUsers, webServer, databases } = ctx.host;
  const root = `${ctx.host.homeOf(user)}/public_html`;
  return [
    {
      name: 'database_server',
      run: () => databases.unlockUsers(user, record.databases),
      undo: () => databases.lockUsers(user, record.databases),
    },
    {
      name: 'web_server',
      run: () => webServer.writeSite({ user, domain, root, suspended: false }),
      undo: () => webServer.writeSite({ user, domain, root, suspended: true }),
    },
    { name: 'reload', run: () => webServer.reload(), undo: () => webServer.reload() },
    { name: 'system_user', run: () => systemUsers.unlock(user), undo: () => systemUsers.lock(user) },
    {
      name: 'store',
      run: () => ctx.store.accounts.update(user, { status: 'active', suspendReason: null, suspendedAt: null }),
    },
  ];
}
