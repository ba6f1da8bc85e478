import { DomainError } from '../domain/errors.js';
import type { Plan } from '../domain/types.js';
import { validatePlanName } from '../domain/validation.js';
import type { AppContext } from './ports.js';

/** PlanLimits are the limits a plan sets; null means unlimited. */
export type PlanLimits = Omit<Plan, 'name' | 'createdAt'>;

/** addPlan creates a plan. */
export async function addPlan(ctx: AppContext, name: string, limits: PlanLimits): Promise<Plan> {
  validatePlanName(name);
  checkLimits(limits);
  if (await ctx.store.plans.get(name)) throw new DomainError('plan_exists', `plan ${name} already exists`);
  const plan: Plan = { name, ...limits, createdAt: ctx.now().toISOString() };
  await ctx.store.plans.insert(plan);
  return plan;
}

/** updatePlan replaces the limits of an existing plan; accounts on it follow the new limits. */
export async function updatePlan(ctx: AppContext, name: string, limits: PlanLimits): Promise<Plan> {
  const existing = await ctx.store.plans.get(name);
  if (!existing) throw new DomainError('unknown_plan', `no plan named ${name}`);
  checkLimits(limits);
  const plan: Plan = { ...existing, ...limits };
  await ctx.store.plans.update(plan);
  return plan;
}

function checkLimits(limits: PlanLimits): void {
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value === 'number' && (!Number.isSafeInteger(value) || value < 0)) {
      throw new DomainError('invalid_parameter', `${key} must be a whole number of 0 or more`, { param: key });
    }
  }
}

/** listPlans returns every plan by name. */
export async function listPlans(ctx: AppContext): Promise<Plan[]> {
  return ctx.store.plans.list();
}

/** deletePlan removes a plan that no account uses. */
export async function deletePlan(ctx: AppContext, name: string): Promise<void> {
  if (!(await ctx.store.plans.get(name))) throw new DomainError('unknown_plan', `no plan named ${name}`);
  const users = await ctx.store.accounts.countByPlan(name);
  if (users > 0) throw new DomainError('plan_in_use', `plan ${name} is used by ${users} account(s)`);
  await ctx.store.plans.delete(name);
}
