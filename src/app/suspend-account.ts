import type { Account } from '../domain/types.js';
import type { AccountRecord } from '../store/store.js';
import { validateReason } from '../domain/validation.js';
import { withSettledAccount } from './account-lock.js';
import { publicAccount, requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';
import { runJournalled } from './journal.js';
import type { Step } from './steps.js';

/** AccountChange is the answer of an operation that may find nothing to change. */
export interface AccountChange {
  account: Account;
  changed: boolean;
}

/** suspendAccount locks the system user and database users and serves the "suspended" page. */
export async function suspendAccount(
  ctx: AppContext,
  user: string,
  reason: string | null = null,
): Promise<AccountChange> {
  const why = reason === null ? null : validateReason(reason);
  await requireAccount(ctx, user);
  return withSettledAccount(ctx, user, async (record) => {
    if (record.status === 'suspended') return { account: publicAccount(record), changed: false };
    const suspendedAt = ctx.now().toISOString();
    await runJournalled(
      ctx,
      { op: 'account.suspend', user, params: { reason: why, suspendedAt } },
      suspendSteps(ctx, record, why, suspendedAt),
    );
    return {
      account: publicAccount({ ...record, status: 'suspended', suspendReason: why, suspendedAt }),
      changed: true,
    };
  });
}

/** suspendSteps are the steps of a suspend; each is idempotent, so recovery re-runs them to finish. */
export function suspendSteps(
  ctx: AppContext,
  record: AccountRecord,
  reason: string | null,
  suspendedAt: string,
): Step[] {
  const { user, domain } = record;
  const { systemUsers, webServer, databases } = ctx.host;
  const root = `${ctx.host.homeOf(user)}/public_html`;
  return [
    { name: 'system_user', run: () => systemUsers.lock(user), undo: () => systemUsers.unlock(user) },
    {
      name: 'web_server',
      run: () => webServer.writeSite({ user, domain, root, suspended: true }),
      undo: () => webServer.writeSite({ user, domain, root, suspended: false }),
    },
    { name: 'reload', run: () => webServer.reload(), undo: () => webServer.reload() },
    {
      name: 'database_server',
      run: () => databases.lockUsers(user, record.databases),
      undo: () => databases.unlockUsers(user, record.databases),
    },
    {
      name: 'store',
      run: () => ctx.store.accounts.update(user, { status: 'suspended', suspendReason: reason, suspendedAt }),
    },
  ];
}
