import type { Account } from '../domain/types.js';
import { validateReason } from '../domain/validation.js';
import { withSettledAccount } from './account-lock.js';
import { accountPhp } from './account-php.js';
import { publicAccount, requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';
import { runJournalled } from './journal.js';
import { accountSuspend } from './operations/account-suspend.js';

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
    const php = await accountPhp(ctx, record.plan);
    await runJournalled(ctx, accountSuspend, user, { record, reason: why, suspendedAt, php });
    return {
      account: publicAccount({ ...record, status: 'suspended', suspendReason: why, suspendedAt }),
      changed: true,
    };
  });
}
