import type { Plan } from '../domain/types.js';

/** PlanJson is a plan as the doors print it; a null limit is unlimited. */
export interface PlanJson {
  name: string;
  disk_mb: number | null;
  max_databases: number | null;
  bandwidth_mb: number | null;
  max_addon_domains: number | null;
  max_email_accounts: number | null;
  shell: boolean;
  php: boolean;
  php_max_children: number;
  php_memory_mb: number;
  created_at: string;
}

/** planJson renders a plan with snake_case keys, as the API spells them. */
export function planJson(p: Plan): PlanJson {
  return {
    name: p.name,
    disk_mb: p.diskMb,
    max_databases: p.maxDatabases,
    bandwidth_mb: p.bandwidthMb,
    max_addon_domains: p.maxAddonDomains,
    max_email_accounts: p.maxEmailAccounts,
    shell: p.shell,
    php: p.php,
    php_max_children: p.phpMaxChildren,
    php_memory_mb: p.phpMemoryMb,
    created_at: p.createdAt,
  };
}
