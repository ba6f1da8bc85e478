import type { CertificateState } from '../domain/certificates.js';
import type { Account, Plan } from '../domain/types.js';
import type { UsageFigures } from '../domain/usage.js';
import type { SignIn } from '../store/store.js';
import { usageOf } from './account-usage.js';
import { publicAccount, requireAccount } from './get-account.js';
import type { AppContext } from './ports.js';

/** OwnerSummary is what the owner's dashboard shows: the account, its plan, use next to limits, sign-ins, two-factor. */
export interface OwnerSummary {
  account: Account;
  plan: Plan | null;
  usage: UsageFigures;
  /** lastSignIn is the sign-in before the latest one (the latest being, normally, the one in use). */
  previousSignIn: SignIn | null;
  lastSignIn: SignIn | null;
  twoFactorOn: boolean;
  /** certificate is the site's certificate state: null while none was asked for, undefined when certificates are off. */
  certificate?: CertificateState | null;
}

/**
 * summarizeOwnerAccount gathers the owner's dashboard from the store alone: the disk figure is the
 * last one the background measurement kept and the bandwidth the last metering pass counted, never
 * measured for the request.
 */
export async function summarizeOwnerAccount(ctx: AppContext, user: string): Promise<OwnerSummary> {
  const record = await requireAccount(ctx, user);
  const plan = record.plan === null ? null : ((await ctx.store.plans.get(record.plan)) ?? null);
  const usage = await usageOf(ctx, publicAccount(record), plan);
  const signIns = await ctx.store.accounts.signIns(user);
  const twoFactor = await ctx.store.twoFactor.get(user);
  return {
    account: publicAccount(record),
    plan,
    usage,
    lastSignIn: signIns.last,
    previousSignIn: signIns.previous,
    twoFactorOn: twoFactor?.enabledAt != null,
    ...(ctx.acme === null ? {} : { certificate: (await ctx.store.certificates.get(user)) ?? null }),
  };
}
