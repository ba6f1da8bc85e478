import { DomainError } from '../domain/errors.js';
import { withAccountLock } from './account-lock.js';
import { publicAccount, requireAccount, requireSettled } from './get-account.js';
import type { AppContext } from './ports.js';
import type { AccountChange } from './suspend-account.js';

/** setAccountPlan gives an account a plan, or none when `plan` is null. */
export async function setAccountPlan(ctx: AppContext, user: string, plan: string | null): Promise<AccountChange> {
  await requireAccount(ctx, user);
  if (plan !== null && !(await ctx.store.plans.get(plan))) {
    throw new DomainError('unknown_plan', `no plan named ${plan}`, { param: 'plan' });
  }
  return withAccountLock(ctx, user, async () => {
    const record = await requireAccount(ctx, user);
    requireSettled(record);
    // Limits are applied by the host drivers that enforce them (quota in host mode); sandbox mode has none.
    const changed = record.plan !== plan;
    if (changed) await ctx.store.accounts.update(user, { plan });
    return { account: publicAccount({ ...record, plan }), changed };
  });
}
