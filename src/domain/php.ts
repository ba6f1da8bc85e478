import type { Plan } from './types.js';

/** PhpSettings are an account's PHP settings, as its plan sets them. */
export interface PhpSettings {
  enabled: boolean;
  maxChildren: number;
  memoryMb: number;
}

/** PHP_DEFAULTS are what a new plan gets unless told otherwise, and what an account without a plan runs with. */
export const PHP_DEFAULTS: PhpSettings = { enabled: true, maxChildren: 5, memoryMb: 256 };

/** PHP_MAX_CHILDREN_RANGE bounds a plan's `php_max_children`. */
export const PHP_MAX_CHILDREN_RANGE = { min: 1, max: 1000 } as const;

/** PHP_MEMORY_MB_RANGE bounds a plan's `php_memory_mb`: below 16 MiB PHP cannot start a page. */
export const PHP_MEMORY_MB_RANGE = { min: 16, max: 65536 } as const;

/** phpOf gives an account's PHP settings: its plan's, or the defaults for an account without a plan (unlimited). */
export function phpOf(plan: Plan | null | undefined): PhpSettings {
  if (!plan) return PHP_DEFAULTS;
  return { enabled: plan.php, maxChildren: plan.phpMaxChildren, memoryMb: plan.phpMemoryMb };
}
