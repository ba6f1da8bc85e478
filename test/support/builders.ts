import { type CreateAccountInput, type CreateAccountResult, createAccount } from '../../src/app/create-account.js';
import { type PlanLimits, addPlan } from '../../src/app/plans.js';
import type { AppContext } from '../../src/app/ports.js';
import type { Plan } from '../../src/domain/types.js';

/** UNLIMITED is a plan with no limit and no shell, and PHP with its default settings. */
export const UNLIMITED: PlanLimits = {
  diskMb: null,
  maxDatabases: null,
  bandwidthMb: null,
  maxAddonDomains: null,
  maxEmailAccounts: null,
  shell: false,
  php: true,
  phpMaxChildren: 5,
  phpMemoryMb: 256,
};

/** BUILT_PASSWORD is the password buildAccount gives an account unless told otherwise. */
export const BUILT_PASSWORD = 'long-enough-secret';

/** buildPlan adds a plan through the use case: unlimited, no shell, except for the limits given. */
export function buildPlan(ctx: AppContext, name: string, limits: Partial<PlanLimits> = {}): Promise<Plan> {
  return addPlan(ctx, name, { ...UNLIMITED, ...limits });
}

/**
 * buildAccount creates an account through the use case, on `<user>.example` with BUILT_PASSWORD
 * unless `input` says otherwise (`password: undefined` lets the panel generate one).
 */
export function buildAccount(
  ctx: AppContext,
  user: string,
  input: Partial<CreateAccountInput> = {},
): Promise<CreateAccountResult> {
  return createAccount(ctx, { user, domain: `${user}.example`, password: BUILT_PASSWORD, ...input });
}
