import { withSettledAccount } from './account-lock.js';
import { accountPhp } from './account-php.js';
import { publicAccount, requireAccount } from './get-account.js';
import { runJournalled } from './journal.js';
import { accountPlan } from './operations/account-plan.js';
import type { AppContext } from './ports.js';
import { requirePlan } from './require-plan.js';
import type { AccountChange } from './suspend-account.js';

/**
 * setAccountPlan gives an account a plan, or none when `plan` is null. The plan's limits (shell
 * access, disk quota, PHP) are applied to the host every time, even when the plan name is unchanged,
 * so re-sending a plan repairs drift.
 */
export async function setAccountPlan(ctx: AppContext, user: string, plan: string | null): Promise<AccountChange> {
  await requireAccount(ctx, user);
  const limits = plan === null ? null : await requirePlan(ctx, plan, 'plan');
  return withSettledAccount(ctx, user, async (record) => {
    const changed = record.plan !== plan;
    const phpBefore = await accountPhp(ctx, record.plan);
    await runJournalled(ctx, accountPlan, user, { record, plan, limits, previous: record.plan, phpBefore });
    return { account: publicAccount({ ...record, plan }), changed };
  });
}
