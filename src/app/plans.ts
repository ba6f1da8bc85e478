import { DomainError } from '../domain/errors.js';
import { PHP_DEFAULTS, PHP_MAX_CHILDREN_RANGE, PHP_MEMORY_MB_RANGE } from '../domain/php.js';
import type { Plan } from '../domain/types.js';
import { validatePlanName } from '../domain/validation.js';
import type { Store } from '../store/store.js';
import type { AppContext } from './ports.js';
import { requirePlan } from './require-plan.js';

/** PlanLimits are the limits a plan sets; null means unlimited. */
export type PlanLimits = Omit<Plan, 'name' | 'createdAt'>;

/** PLAN_LIMIT_FIELDS pairs each numeric limit's input name (as the API, CLI and forms spell it) with its field. */
export const PLAN_LIMIT_FIELDS = [
  ['disk_mb', 'diskMb'],
  ['max_databases', 'maxDatabases'],
  ['bandwidth_mb', 'bandwidthMb'],
  ['max_addon_domains', 'maxAddonDomains'],
  ['max_email_accounts', 'maxEmailAccounts'],
] as const;

/** PlanLimitInput is one numeric limit's input name, such as `disk_mb`. */
export type PlanLimitInput = (typeof PLAN_LIMIT_FIELDS)[number][0];

/** PHP_LIMIT_FIELDS pairs each PHP setting's input name with its field and its bounds; absent means the default. */
export const PHP_LIMIT_FIELDS = [
  ['php_max_children', 'phpMaxChildren', PHP_MAX_CHILDREN_RANGE],
  ['php_memory_mb', 'phpMemoryMb', PHP_MEMORY_MB_RANGE],
] as const;

/** PhpLimitInput is one PHP setting's input name, such as `php_memory_mb`. */
export type PhpLimitInput = (typeof PHP_LIMIT_FIELDS)[number][0];

/**
 * PlanLimitsInput are a plan's limits as a door receives them: text, a limit absent when unlimited
 * (a PHP setting absent takes its default); `php` is on unless it is false.
 */
export type PlanLimitsInput = Partial<Record<PlanLimitInput | PhpLimitInput, string>> & {
  shell?: boolean;
  php?: boolean;
};

function limitError(input: PlanLimitInput): DomainError {
  return new DomainError('invalid_parameter', `${input} must be a whole number of 0 or more`, { param: input });
}

function phpLimitError(input: PhpLimitInput, range: { min: number; max: number }): DomainError {
  return new DomainError('invalid_parameter', `${input} must be a whole number from ${range.min} to ${range.max}`, {
    param: input,
  });
}

/** parsePlanLimits reads limits given as text: each a whole number of 0 or more, or absent for unlimited. */
export function parsePlanLimits(input: PlanLimitsInput): PlanLimits {
  const limits: PlanLimits = {
    diskMb: null,
    maxDatabases: null,
    bandwidthMb: null,
    maxAddonDomains: null,
    maxEmailAccounts: null,
    shell: input.shell === true,
    php: input.php !== false,
    phpMaxChildren: PHP_DEFAULTS.maxChildren,
    phpMemoryMb: PHP_DEFAULTS.memoryMb,
  };
  for (const [name, field] of PLAN_LIMIT_FIELDS) {
    const raw = input[name];
    if (raw === undefined) continue;
    if (!/^\d{1,12}$/.test(raw)) throw limitError(name);
    limits[field] = Number(raw);
  }
  for (const [name, field, range] of PHP_LIMIT_FIELDS) {
    const raw = input[name];
    if (raw === undefined) continue;
    if (!/^\d{1,6}$/.test(raw)) throw phpLimitError(name, range);
    limits[field] = Number(raw);
  }
  checkLimits(limits);
  return limits;
}

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
  const existing = await requirePlan(ctx, name);
  checkLimits(limits);
  const plan: Plan = { ...existing, ...limits };
  await ctx.store.plans.update(plan);
  return plan;
}

/**
 * PlanSettings are a plan's settings as the API's Plan object spells them; a limit absent or null
 * is unlimited, a setting absent takes its default.
 */
export type PlanSettings = Partial<Record<PlanLimitInput, number | null>> &
  Partial<Record<PhpLimitInput, number>> & { shell?: boolean; php?: boolean };

/** planLimitsFrom reads a Plan object's settings into limits, the defaults filling what it leaves out. */
export function planLimitsFrom(settings: PlanSettings): PlanLimits {
  const limits = parsePlanLimits({ shell: settings.shell === true, php: settings.php !== false });
  for (const [name, field] of PLAN_LIMIT_FIELDS) limits[field] = settings[name] ?? null;
  for (const [name, field] of PHP_LIMIT_FIELDS) limits[field] = settings[name] ?? limits[field];
  checkLimits(limits);
  return limits;
}

/** savePlan creates the plan named, or replaces the settings of the one that exists; `created` tells which. */
export async function savePlan(
  ctx: AppContext,
  name: string,
  limits: PlanLimits,
): Promise<{ plan: Plan; created: boolean }> {
  validatePlanName(name);
  checkLimits(limits);
  const existing = await ctx.store.plans.get(name);
  if (existing) return { plan: await updatePlan(ctx, name, limits), created: false };
  try {
    return { plan: await addPlan(ctx, name, limits), created: true };
  } catch (err) {
    // Another request made it between the look-up and the insert: this one updates it.
    if (!(await ctx.store.plans.get(name))) throw err;
    return { plan: await updatePlan(ctx, name, limits), created: false };
  }
}

function checkLimits(limits: PlanLimits): void {
  for (const [name, field] of PLAN_LIMIT_FIELDS) {
    const value = limits[field];
    if (value !== null && (!Number.isSafeInteger(value) || value < 0)) throw limitError(name);
  }
  for (const [name, field, range] of PHP_LIMIT_FIELDS) {
    const value = limits[field];
    if (!Number.isInteger(value) || value < range.min || value > range.max) throw phpLimitError(name, range);
  }
}

/** listPlans returns every plan by name. */
export async function listPlans(ctx: AppContext): Promise<Plan[]> {
  return ctx.store.plans.list();
}

/** PlanUsage is a plan with the number of accounts on it. */
export interface PlanUsage {
  plan: Plan;
  accounts: number;
}

/** listPlanUsage returns every plan by name with how many accounts use it. */
export async function listPlanUsage(ctx: AppContext): Promise<PlanUsage[]> {
  return Promise.all(
    (await listPlans(ctx)).map(async (plan) => ({ plan, accounts: await ctx.store.accounts.countByPlan(plan.name) })),
  );
}

/** findPlan returns a plan by name, or undefined when there is none. */
export async function findPlan(ctx: AppContext, name: string): Promise<Plan | undefined> {
  return ctx.store.plans.get(name);
}

/** deletePlan removes a plan that no account uses. */
export async function deletePlan(ctx: AppContext, name: string): Promise<void> {
  await requirePlan(ctx, name);
  const users = await ctx.store.accounts.countByPlan(name);
  if (users > 0) throw new DomainError('plan_in_use', `plan ${name} is used by ${users} account(s)`);
  await ctx.store.plans.delete(name);
}

/**
 * phpInUse tells whether any account has PHP or can be given it by its plan: a plan with PHP, or an
 * account without a plan (which has PHP with the default limits). Host mode needs PHP-FPM then.
 */
export async function phpInUse(store: Pick<Store, 'plans' | 'accounts'>): Promise<boolean> {
  const plans = await store.plans.list();
  if (plans.some((p) => p.php)) return true;
  const { total } = await store.accounts.list({ limit: 1 });
  let onPlans = 0;
  for (const plan of plans) onPlans += await store.accounts.countByPlan(plan.name);
  return total > onPlans;
}
