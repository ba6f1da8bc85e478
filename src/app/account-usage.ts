import { monthOf } from '../domain/traffic.js';
import type { Account, Plan } from '../domain/types.js';
import { NO_LIMITS, type UsageFigures, type UsageLimits, usageFigures } from '../domain/usage.js';
import { requireAccount } from './get-account.js';
import { listAllAccounts } from './list-accounts.js';
import type { AppContext } from './ports.js';

/** limitsOf are the usage limits a plan sets; an account without a plan has none. */
export function limitsOf(plan: Plan | null): UsageLimits {
  if (plan === null) return NO_LIMITS;
  return { diskMb: plan.diskMb, bandwidthMb: plan.bandwidthMb, maxDatabases: plan.maxDatabases };
}

/**
 * usageOf computes one account's usage figures from the store alone: the disk figure the background
 * measurement kept and the bandwidth metered from its log this calendar month (UTC). Nothing is
 * measured for the caller.
 */
export async function usageOf(ctx: AppContext, account: Account, plan: Plan | null): Promise<UsageFigures> {
  const now = ctx.now();
  const month = monthOf(now.getTime());
  const traffic = await ctx.store.traffic.month(account.user, month);
  return usageFigures({
    user: account.user,
    limits: limitsOf(plan),
    databases: account.databases.length,
    disk: (await ctx.store.diskUsage.get(account.user)) ?? null,
    months: [{ month, bytesSent: traffic.bytesSent }],
    trafficReadAt: traffic.readAt,
    now,
  });
}

/**
 * listUsage gives the usage figures of the account named (`invalid_user`, `account_not_found`), or
 * of every account, by user name.
 */
export async function listUsage(ctx: AppContext, user?: string): Promise<UsageFigures[]> {
  const plans = new Map<string, Plan | null>();
  const planOf = async (name: string | null) => {
    if (name === null) return null;
    if (!plans.has(name)) plans.set(name, (await ctx.store.plans.get(name)) ?? null);
    return plans.get(name) ?? null;
  };
  const accounts = user === undefined ? await listAllAccounts(ctx) : [await requireAccount(ctx, user)];
  const out: UsageFigures[] = [];
  for (const account of accounts) out.push(await usageOf(ctx, account, await planOf(account.plan)));
  return out;
}
