import type { Plan } from '../../domain/types.js';
import { defineOperation, textParam } from './operation.js';

/** PlanStepsInput is what the steps of a plan change need: the plan (or none), its limits and the plan before. */
export interface PlanStepsInput {
  user: string;
  plan: string | null;
  limits: Plan | null;
  previous: string | null;
}

/**
 * accountPlan records the plan and applies its limits (shell, disk quota). Recovery finishes a
 * plan change cut short, with the limits the plan has by then.
 */
export const accountPlan = defineOperation({
  name: 'account.plan',
  recovery: 'finish',
  params: (input: PlanStepsInput) => ({ plan: input.plan }),
  readParams: (raw) => ({ plan: textParam(raw, 'plan', null) }),
  steps: (ctx, { user, plan, limits, previous }) => [
    {
      name: 'store',
      run: () => ctx.store.accounts.update(user, { plan }),
      undo: () => ctx.store.accounts.update(user, { plan: previous }),
    },
    { name: 'system_user', run: () => ctx.host.systemUsers.setShell(user, limits?.shell ?? false) },
    { name: 'quota', run: () => ctx.host.quota.apply(user, limits?.diskMb ?? null) },
  ],
  resume: async (ctx, user, { plan }) => {
    const record = await ctx.store.accounts.get(user);
    if (!record) return null;
    const limits = plan === null ? null : ((await ctx.store.plans.get(plan)) ?? null);
    return { user, plan, limits, previous: record.plan };
  },
});
