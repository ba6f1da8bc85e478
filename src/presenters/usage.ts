import type { UsageFigures } from '../domain/usage.js';

/** UsageJson is one entry of `GET /?api=usage`, as the doors print it; a null limit is unlimited. */
export interface UsageJson {
  user: string;
  disk_used_mb: number | null;
  disk_limit_mb: number | null;
  bandwidth_used_mb: number | null;
  bandwidth_limit_mb: number | null;
  databases: number;
  max_databases: number | null;
  as_of: string | null;
}

/** usageJson renders usage figures with snake_case keys, as the API spells them. */
export function usageJson(u: UsageFigures): UsageJson {
  return {
    user: u.user,
    disk_used_mb: u.diskUsedMb,
    disk_limit_mb: u.diskLimitMb,
    bandwidth_used_mb: u.bandwidthUsedMb,
    bandwidth_limit_mb: u.bandwidthLimitMb,
    databases: u.databases,
    max_databases: u.maxDatabases,
    as_of: u.asOf,
  };
}
