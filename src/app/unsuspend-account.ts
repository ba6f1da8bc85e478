import { withSettledAccount } from './account-lock.js';
import { accountPhp } from './account-php.js';
import { publicAccount, requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';
import { runJournalled } from './journal.js';
import { accountUnsuspend } from './operations/account-unsuspend.js';
import type { AccountChange } from './suspend-account.js';

/** unsuspendAccount reverses exactly what suspendAccount did. */
export async function unsuspendAccount(ctx: AppContext, user: string): Promise<AccountChange> {
  await requireAccount(ctx, user);
  return withSettledAccount(ctx, user, async (record) => {
    if (record.status === 'active') return { account: publicAccount(record), changed: false };
    await runJournalled(ctx, accountUnsuspend, user, { record, php: await accountPhp(ctx, record.plan) });
    return {
      account: publicAccount({ ...record, status: 'active', suspendReason: null, suspendedAt: null }),
      changed: true,
    };
  });
}
