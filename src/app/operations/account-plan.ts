import { PHP_DEFAULTS, type PhpSettings, phpOf } from '../../domain/php.js';
import type { Plan } from '../../domain/types.js';
import type { AccountRecord } from '../../store/store.js';
import type { AppContext } from '../ports.js';
import type { Step } from '../steps.js';
import { dropPool, putPool, siteOf, reloadStep } from './account-site.js';
import { defineOperation, flagParam, textParam } from './operation.js';

/** PlanStepsInput is what the steps of a plan change need: the plan (or none), its limits, and what was before. */
export interface PlanStepsInput {
  record: AccountRecord;
  plan: string | null;
  limits: Plan | null;
  previous: string | null;
  /** phpBefore is the account's PHP before the change; recovery knows only whether it was on. */
  phpBefore: PhpSettings;
}

/**
 * phpSteps put the account's PHP as `php` says: its pool written (or removed) and its site's `*.php`
 * passed to it (or refused). Going on, the pool is in service before the site points at it; going
 * off, the site stops pointing at it before it goes. Undone, each puts back what was `before`.
 */
function phpSteps(ctx: AppContext, record: AccountRecord, php: PhpSettings, before: PhpSettings): Step[] {
  const { user, domain } = record;
  const { webServer } = ctx.host;
  const suspended = record.status === 'suspended';
  const site = async (to: PhpSettings) =>
    webServer.writeSite(await siteOf(ctx, user, domain, { suspended, php: to.enabled }));
  const pool: Step[] = [
    {
      name: 'php_pool',
      run: async () => {
        if (php.enabled) await putPool(ctx, user, php, suspended);
        else await ctx.host.php.removePool(user);
      },
      undo: async () => {
        if (!before.enabled) return dropPool(ctx, user, php.enabled);
        await putPool(ctx, user, before, suspended);
        await ctx.host.php.reload();
      },
    },
    {
      name: 'php_reload',
      run: async () => {
        if (php.enabled || before.enabled) await ctx.host.php.reload();
        if (!php.enabled) await ctx.host.php.endWorkers(user, ctx.host.homeOf(user));
      },
    },
  ];
  const web: Step[] = [{ name: 'web_server', run: () => site(php), undo: () => site(before) }, reloadStep(webServer)];
  return php.enabled ? [...pool, ...web] : [...web, ...pool];
}

/**
 * accountPlan records the plan and applies its limits (shell, disk quota, PHP and the site that
 * goes with it). Recovery finishes a plan change cut short, with the limits the plan has by then.
 */
export const accountPlan = defineOperation({
  name: 'account.plan',
  recovery: 'finish',
  params: (input: PlanStepsInput) => ({ plan: input.plan, phpBefore: input.phpBefore.enabled }),
  readParams: (raw) => ({ plan: textParam(raw, 'plan', null), phpBefore: flagParam(raw, 'phpBefore') }),
  steps: (ctx, { record, plan, limits, previous, phpBefore }) => {
    const { user } = record;
    return [
      {
        name: 'store',
        run: () => ctx.store.accounts.update(user, { plan }),
        undo: () => ctx.store.accounts.update(user, { plan: previous }),
      },
      {
        // Re-applying a plan is how an upgrade brings an account to today's layout (see the README).
        name: 'system_user',
        run: async () => {
          await ctx.host.systemUsers.setShell(user, limits?.shell ?? false);
          await ctx.host.systemUsers.closeWebRoot(user, ctx.host.homeOf(user));
        },
      },
      { name: 'quota', run: () => ctx.host.quota.apply(user, limits?.diskMb ?? null) },
      ...phpSteps(ctx, record, phpOf(limits), phpBefore),
    ];
  },
  resume: async (ctx, user, { plan, phpBefore }) => {
    const record = await ctx.store.accounts.get(user);
    if (!record) return null;
    const limits = plan === null ? null : ((await ctx.store.plans.get(plan)) ?? null);
    // A version before PHP recorded no phpBefore and wrote no pool: "off" is what was there.
    return { record, plan, limits, previous: record.plan, phpBefore: { ...PHP_DEFAULTS, enabled: phpBefore } };
  },
});
