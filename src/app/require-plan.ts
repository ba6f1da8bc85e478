import { DomainError } from '../domain/errors.js';
import type { Plan } from '../domain/types.js';
import { validatePlanName } from '../domain/validation.js';
import type { AppContext } from './ports.js';

/**
 * requirePlan loads a plan or fails with `unknown_plan`; a name no plan could have is unknown too.
 * `param` names the input that gave the name, when there is one to point at.
 */
export async function requirePlan(ctx: AppContext, name: string, param?: string): Promise<Plan> {
  const unknown = () => new DomainError('unknown_plan', `no plan named ${name}`, param === undefined ? {} : { param });
  try {
    validatePlanName(name);
  } catch {
    throw unknown();
  }
  const plan = await ctx.store.plans.get(name);
  if (!plan) throw unknown();
  return plan;
}
