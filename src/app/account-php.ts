import { type PhpSettings, phpOf } from '../domain/php.js';
import type { AppContext } from './ports.js';

/** accountPhp gives the PHP settings of an account on `plan`: the plan's, or the defaults without a plan. */
export async function accountPhp(ctx: AppContext, plan: string | null): Promise<PhpSettings> {
  return phpOf(plan === null ? null : await ctx.store.plans.get(plan));
}
