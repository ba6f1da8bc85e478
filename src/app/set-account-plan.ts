import type { Plan } from '../domain/types.js';
import { withSettledAccount } from './account-lock.js';
import { publicAccount, requireAccount } from './get-account.js';
import { runJournalled } from './journal.js';
import type { AppContext } from './ports.js';
import { requirePlan } from './require-plan.js';
import type { Step } from './steps.js';
import type { AccountChange } from './suspend-account.js';

/**
 * setAccountPlan gives an account a plan, or none when `plan` is null. The plan's limits (shell
 * access, disk quota) are applied to the host every time, even when the plan name is unchanged,
 * so re-sending a plan repairs drift.
 */
export async function setAccountPlan(ctx: AppContext, user: string, plan: string | null): Promise<AccountChange> {
  await requireAccount(ctx, user);
  const limits = plan === null ? null : await requirePlan(ctx, plan, 'plan');
  return withSettledAccount(ctx, user, async (record) => {
    const changed = record.plan !== plan;
    await runJournalled(
      ctx,
      { op: 'account.plan', user, params: { plan } },
      planSteps(ctx, user, plan, limits, record.plan),
    );
    return { account: publicAccount({ ...record, plan }), changed };
  });
}

/** planSteps store the plan and apply its limits; each is idempotent, so recovery re-runs them to finish. */
export function planSteps(
  ctx: AppContext,
  user: string,
  plan: string | null,
  limits: Plan | null,
  previous: string | null,
): Step[] {
  return [
    {
      name: 'store',
      run: () => ctx.store.accounts.update(user, { plan }),
      undo: () => ctx.store.accounts.update(user, { plan: previous }),
    },
    { name: 'system_user', run: () => ctx.host.systemUsers.setShell(user, limits?.shell ?? false) },
    { name: 'quota', run: () => ctx.host.quota.apply(user, limits?.diskMb ?? null) },
  ];
}
